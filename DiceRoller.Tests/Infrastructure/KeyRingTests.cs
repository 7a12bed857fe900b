using System.Net;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// Where the Data Protection ring lives (<c>DataProtection:KeyRing</c>): with Valkey, one ring for every instance, so a
/// form token issued by one is accepted by another although each has its own keys folder.
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class KeyRingTests(ValkeyServer valkey) : IDisposable
{
    private readonly List<string> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Dictionary<string, string?> OwnFolder(string? keyRing = null)
    {
        var folder = Directory.CreateTempSubdirectory("diceroller-keys-").FullName;
        _folders.Add(folder);
        var settings = new Dictionary<string, string?> { ["DataProtection:KeysFolder"] = folder };
        if (keyRing is not null)
        {
            settings["DataProtection:KeyRing"] = keyRing;
        }

        return settings;
    }

    /// <summary>Alice's token from instance A, posted (with A's antiforgery cookie) to instance B's join form.</summary>
    private static async Task<HttpStatusCode> JoinOnBWithTokenFromAAsync(AppFactory a, AppFactory b)
    {
        using var alice = a.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var cookies = new CookieContainer();
        using var onA = new Browser(a.CreateDefaultClient(new Uri("http://localhost"), new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies)), "KeyRingTest/1.0", cookies);
        using var onB = new Browser(b.CreateDefaultClient(new Uri("http://localhost"), new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies)), "KeyRingTest/1.0", cookies);
        await onA.GetAsync("/");
        var joined = await onB.PostAsync("/join", [new("room_code", code), new("player_name", "Dora"), new("__RequestVerificationToken", onA.Token!)], withToken: false);
        return joined.Status;
    }

    [Fact]
    public async Task With_Valkey_instances_with_their_own_folders_accept_each_others_form_tokens()
    {
        await using var a = new AppFactory(valkey.ConnectionString, OwnFolder());
        await using var b = new AppFactory(valkey.ConnectionString, OwnFolder());

        Assert.Equal(HttpStatusCode.SeeOther, await JoinOnBWithTokenFromAAsync(a, b));
        Assert.True(await valkey.Connection.GetDatabase().ListLengthAsync("diceroller:data-protection-keys") > 0);
    }

    [Fact]
    public async Task Kept_in_separate_folders_the_rings_differ_and_another_instance_refuses_the_token()
    {
        await using var a = new AppFactory(valkey.ConnectionString, OwnFolder("folder"));
        await using var b = new AppFactory(valkey.ConnectionString, OwnFolder("folder"));

        Assert.Equal(HttpStatusCode.BadRequest, await JoinOnBWithTokenFromAAsync(a, b));
    }

    [Theory]
    [InlineData("valkey", "", "ConnectionStrings:Valkey is not set")]
    [InlineData("folder", null, "DataProtection:KeysFolder is not set")]
    public void A_key_ring_place_that_is_not_configured_stops_the_app_at_start(string keyRing, string? valkeyConnection, string message)
    {
        var error = AppFactory.StartFailure<OptionsValidationException>(
            () => new AppFactory(valkeyConnection, new Dictionary<string, string?> { ["DataProtection:KeyRing"] = keyRing }));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
