using System.Net;
using DiceRoller.Sharing;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Sharing;

/// <summary>
/// <c>Discord:AllowedHosts</c> as configured is the whole list: a configured list replaces Discord's two hosts instead of
/// being added to them (the configuration binder appends an array's items to the property's starting value), from
/// configuration keys and from environment variables alike; with nothing configured the list is Discord's two hosts. The
/// options come from the app's own registration (<see cref="SharingRegistration.AddSharing"/>), validated as at start.
/// </summary>
public sealed class DiscordAllowedHostsTests : AppTest
{
    private const string DiscordHook = "https://discord.com/api/webhooks/123456789012345678/SeCrEt-ToKeN";
    private const string LoopbackHook = "http://127.0.0.1:9/api/webhooks/123456789012345678/SeCrEt-ToKeN";

    /// <summary>The app on the embedded store with only the loopback host allowed, as an environment would set it.</summary>
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Discord:AllowedHosts:0"] = "127.0.0.1" };

    private static DiscordOptions Bound(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging();
        services.AddSharing();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DiscordOptions>>().Value;
    }

    private static DiscordOptions Bound(params (string Key, string Value)[] settings) =>
        Bound(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void With_nothing_configured_the_hosts_are_exactly_discords_two()
    {
        var options = Bound();

        Assert.Equal(["discord.com", "discordapp.com"], options.EffectiveHosts);
        Assert.Null(DiscordWebhook.Parse(DiscordHook, options.EffectiveHosts).Error);
    }

    [Fact]
    public void A_configured_list_replaces_the_defaults()
    {
        var loopbackOnly = Bound(("Discord:AllowedHosts:0", "127.0.0.1"));
        var two = Bound(("Discord:AllowedHosts:0", "discordapp.com"), ("Discord:AllowedHosts:1", "localhost"));

        Assert.Equal(["127.0.0.1"], loopbackOnly.EffectiveHosts);
        Assert.Equal(["discordapp.com", "localhost"], two.EffectiveHosts);
        Assert.Equal("INVALID_WEBHOOK", DiscordWebhook.Parse(DiscordHook, loopbackOnly.EffectiveHosts).Error?.Code);
        Assert.Equal("INVALID_WEBHOOK", DiscordWebhook.Parse(DiscordHook, two.EffectiveHosts).Error?.Code);
        Assert.Null(DiscordWebhook.Parse(LoopbackHook, loopbackOnly.EffectiveHosts).Error);

        // The refusal names the hosts this server posts to, not "Discord" for a loopback receiver.
        Assert.Equal("This server posts only to webhook URLs on 127.0.0.1 (Discord:AllowedHosts), such as https://127.0.0.1/api/webhooks/….",
            DiscordWebhook.Parse(DiscordHook, loopbackOnly.EffectiveHosts).Error?.Message);
        Assert.Equal("Only Discord webhook URLs are accepted: https://discord.com/api/webhooks/….",
            DiscordWebhook.Parse(LoopbackHook, Bound().EffectiveHosts).Error?.Message);
    }

    [Fact]
    public void A_list_from_environment_variables_replaces_the_defaults()
    {
        // A prefix of this test's own, so no other test (or the app) reads these variables.
        var prefix = $"DICEROLLER_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Discord__AllowedHosts__0", "127.0.0.1");
        try
        {
            var options = Bound(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build());

            Assert.Equal(["127.0.0.1"], options.EffectiveHosts);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Discord__AllowedHosts__0", null);
        }
    }

    [Fact]
    public void A_configured_host_that_is_not_a_host_name_fails_validation()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bound(("Discord:AllowedHosts:0", "not a host/")));

        Assert.Contains("'not a host/' is not a host name", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_configured_with_only_the_loopback_host_refuses_a_discord_url_and_takes_a_loopback_one()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;

        var discord = await dee.HtmxPostAsync($"/rooms/{code}/discord", ("webhook_url", DiscordHook));
        var afterRefusal = await dee.GetAsync($"/rooms/{code}");
        var loopback = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", LoopbackHook));
        var afterLoopback = await dee.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, discord.Status);
        Assert.Equal("INVALID_WEBHOOK", discord.ErrorCode);
        Assert.Equal("", afterRefusal.Document.QuerySelector("[data-webhook]")?.GetAttribute("data-webhook"));
        Assert.Equal(HttpStatusCode.SeeOther, loopback.Status);
        Assert.Equal("http://127.0.0.1:9/api/webhooks/1234…/•••", afterLoopback.Document.QuerySelector("[data-webhook]")?.GetAttribute("data-webhook"));
    }
}
