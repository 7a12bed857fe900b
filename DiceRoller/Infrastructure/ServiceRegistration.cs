using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Initiative;
using DiceRoller.Live;
using DiceRoller.Pages;
using DiceRoller.Permalinks;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using DiceRoller.Sharing;
using DiceRoller.Storage;
using Microsoft.AspNetCore.ResponseCompression;
using StackExchange.Redis;

namespace DiceRoller.Infrastructure;

public static class ServiceRegistration
{
    /// <summary>Everything the app needs; Valkey when <c>ConnectionStrings:Valkey</c> is set, the embedded store otherwise.</summary>
    public static WebApplicationBuilder AddDiceRoller(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddObservability();
        builder.AddKeyPersistence();

        services.AddOptions<RoomOptions>().BindConfiguration(RoomOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PermalinkOptions>().BindConfiguration(PermalinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddServerLimits();
        services.AddTrustedProxies();
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IRandomSource, CryptoRandomSource>();
        services.AddRollSigner();
        services.AddSingleton<IRollDraws, SeededRollDraws>();
        services.AddSingleton<SeedKeeper>();
        services.AddSingleton<RoomFairness>();
        services.AddFairnessChecks();
        services.AddSingleton<IPermalinkLookup, PermalinkLookup>();
        services.AddSingleton<RoomBroadcaster>();
        services.AddSingleton<StreamLimits>();
        services.AddSingleton<RoomService>();
        services.AddSingleton<RollService>();
        services.AddSingleton<ModerationService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<DoorService>();
        services.AddSingleton<InitiativeService>();
        services.AddSingleton<IInitiativeRolls>(sp => sp.GetRequiredService<InitiativeService>());
        services.AddSingleton<ProofOfWork>();
        services.AddSingleton<RoomPages>();
        services.AddSingleton<IRoomPage>(sp => sp.GetRequiredService<RoomPages>());
        services.AddSingleton<PublicUrls>();
        services.AddSingleton(sp => new AssetCatalog(AssetCatalog.FindRoot(builder.Environment.ContentRootPath)));
        services.AddSingleton<AntiforgeryFilter>();
        services.AddSingleton<ValidatedFormTokens>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "dr_af";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.HeaderName = "RequestVerificationToken";
        });
        // HTML, CSS, JavaScript, SVG and the manifest go out compressed; text/event-stream is not in the list, so
        // live streams are never buffered by a compressor. Optimal, not the default Fastest: htmx is 17 KB, not 24.
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "image/svg+xml", "application/manifest+json"];
        });
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.AddPermalinks(builder.Configuration, builder.Environment);
        services.AddSharing();

        // One store plays every room role; each feature asks only for the role it needs (Rooms/Ports/).
        services.AddSingleton<IRooms>(sp => sp.GetRequiredService<IRoomStore>());
        services.AddSingleton<IRoomDoor>(sp => sp.GetRequiredService<IRoomStore>());
        services.AddSingleton<IRollLog>(sp => sp.GetRequiredService<IRoomStore>());
        services.AddSingleton<IRoomSeeds>(sp => sp.GetRequiredService<IRoomStore>());
        services.AddSingleton<ISavedRolls>(sp => sp.GetRequiredService<IRoomStore>());
        var valkey = builder.Configuration.GetConnectionString("Valkey");
        if (string.IsNullOrWhiteSpace(valkey))
        {
            services.AddSingleton<InMemoryRoomStore>();
            services.AddSingleton<IRoomStore>(sp => sp.GetRequiredService<InMemoryRoomStore>());
            services.AddSingleton<IRoomCapacity>(sp => sp.GetRequiredService<InMemoryRoomStore>());
            services.AddSingleton<IEncounters>(sp => sp.GetRequiredService<InMemoryRoomStore>());
            services.AddSingleton<IRoomEventPublisher, InProcessRoomEvents>();
            services.AddSingleton<InMemoryRateLimiter>();
            services.AddSingleton<IRateLimiter>(sp => sp.GetRequiredService<InMemoryRateLimiter>());
            services.AddSingleton<IOneTimeKeys, InMemoryOneTimeKeys>();
            services.AddSingleton<IRoomSharing, InMemoryRoomSharing>();
        }
        else
        {
            services.AddOptions<ValkeyOptions>().BindConfiguration(ValkeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
            var config = ConfigurationOptions.Parse(valkey);
            config.AbortOnConnectFail = false;
            config.ClientName ??= "diceroller";
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(config));
            services.AddSingleton<IRoomStore, ValkeyRoomStore>();
            services.AddSingleton<IRoomCapacity, ValkeyRoomCapacity>();
            services.AddSingleton<IEncounters, ValkeyEncounters>();
            services.AddSingleton<IRateLimiter, ValkeyRateLimiter>();
            services.AddSingleton<IOneTimeKeys, ValkeyOneTimeKeys>();
            services.AddSingleton<ValkeyRecentRooms>();
            services.AddSingleton<IRecentRooms>(sp => sp.GetRequiredService<ValkeyRecentRooms>());
            services.AddSingleton<IRoomSharing, ValkeyRoomSharing>();
            services.AddSingleton<ValkeyRoomEvents>();
            services.AddSingleton<IRoomEventPublisher>(sp => sp.GetRequiredService<ValkeyRoomEvents>());
            services.AddHostedService(sp => sp.GetRequiredService<ValkeyRoomEvents>());
            services.AddHostedService<ValkeyCommandMetrics>();
        }

        return builder;
    }
}
