using DiceRoller.Rolls;
using Microsoft.Extensions.Options;

namespace DiceRoller.Sharing;

public static class SharingRegistration
{
    /// <summary>
    /// The Discord options, the DM's sharing settings and the posting queue (also the rolls' <see cref="IRollOutbox"/>). The store
    /// of the settings (<see cref="IRoomSharing"/>) is registered with the room store.
    /// </summary>
    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddOptions<DiscordOptions>().BindConfiguration(DiscordOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SharingService>();
        services.AddSingleton<DiscordOutbox>();
        services.AddSingleton<IRollOutbox>(sp => sp.GetRequiredService<DiscordOutbox>());
        services.AddHostedService(sp => sp.GetRequiredService<DiscordOutbox>());
        services.AddHttpClient(DiscordOutbox.HttpClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<DiscordOptions>>().Value.Timeout)
            // A webhook never redirects; following one could lead the server anywhere.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            // The client's own request log would write the webhook URL, token included.
            .RemoveAllLoggers();
        return services;
    }
}
