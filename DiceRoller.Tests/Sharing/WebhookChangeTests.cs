using System.Net;
using DiceRoller.Live;
using DiceRoller.Rooms;
using DiceRoller.Sharing;
using DiceRoller.Tests.Infrastructure;
using DiceRoller.Tests.Sharing.Support;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Sharing;

/// <summary>
/// On Valkey the roll post works from a room read kept on its instance (<c>Valkey:RecentRoomTtl</c>, here 5 minutes), and
/// that read says whether the room has a webhook (<c>RoomSnapshot.SharesRolls</c>): a room without one queues nothing for
/// Discord. A webhook just set must not be missed over such a read: the instance that set it drops its own read, and the
/// <c>webhook-changed</c> room event drops it on every instance following the room.
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class WebhookChangeTests(ValkeyServer valkey) : AppTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private FakeDiscord? _discord;
    private AppFactory? _other;

    protected override string? ValkeyConnection => valkey.ConnectionString;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // Kept long enough that a loaded machine cannot let the read lapse mid-test (then a fresh read would hide a miss).
        ["Valkey:RecentRoomTtl"] = "00:05:00",
        ["Discord:AllowedHosts:0"] = "127.0.0.1",
        ["Site:PublicBaseUrl"] = "https://dice.example.test",
    };

    private FakeDiscord Discord => _discord ?? throw new InvalidOperationException("not started");

    /// <summary>Instance B: the same Valkey, its own process state (and its own kept reads).</summary>
    private AppFactory Other => _other ??= new AppFactory(valkey.ConnectionString, Settings);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _discord = await FakeDiscord.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        if (_other is not null)
        {
            await _other.DisposeAsync();
        }

        await base.DisposeAsync();
        if (_discord is not null)
        {
            await _discord.DisposeAsync();
        }
    }

    /// <summary>The same person (cookies) in a browser tab on instance B.</summary>
    private Browser OnOther(Browser browser, string userAgent) =>
        new(Other.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(browser.Cookies)), userAgent, browser.Cookies);

    private static async Task<string> RollIdAsync(Browser player, string code) =>
        (await player.RollAsync(code)).GetAttribute("data-roll-id")!;

    [Fact]
    public async Task A_webhook_set_on_this_instance_gets_the_next_roll_although_its_room_read_was_kept_from_before()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        // Bob's roll keeps the room's read on this instance: no webhook. No page of the room is open, so no event reaches it.
        await RollIdAsync(bob, code);

        var saved = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", Discord.WebhookUrl));
        var next = await RollIdAsync(bob, code);

        Assert.Equal(HttpStatusCode.SeeOther, saved.Status);
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == next), Patience);
        Assert.Empty(Discord.Problems);
    }

    [Fact]
    public async Task A_webhook_set_through_another_instance_gets_the_next_roll_on_an_instance_following_the_room()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        // A follows the room as an open page of it would (a subscriber of A's broadcaster), and the room's events reach this
        // test in the order A handles them: A drops its kept read of the room before it passes an event on.
        using var following = App.Services.GetRequiredService<RoomBroadcaster>().Subscribe(code);
        await NextAsync(following, RoomBroadcaster.ResyncType); // A's subscription is live (and its read of the room dropped)
        await RollIdAsync(bob, code); // the read A keeps from now on: no webhook
        await NextAsync(following, RoomEvent.RollType);

        using var deeOnB = OnOther(dee, "Dee/1.0");
        await deeOnB.GetAsync($"/rooms/{code}");
        var saved = await deeOnB.PostAsync($"/rooms/{code}/discord", ("webhook_url", Discord.WebhookUrl));
        await NextAsync(following, SharingService.WebhookChangedType);
        var next = await RollIdAsync(bob, code);

        Assert.Equal(HttpStatusCode.SeeOther, saved.Status);
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == next), Patience);
        Assert.Empty(Discord.Problems);
    }

    /// <summary>The next room event of <paramref name="type"/> A's broadcaster passes on (others are skipped).</summary>
    private static async Task NextAsync(RoomSubscription subscription, string type)
    {
        using var timeout = new CancellationTokenSource(Patience);
        RoomEvent seen;
        do
        {
            seen = (await subscription.Reader.ReadAsync(timeout.Token)).Event;
        }
        while (seen.Type != type);
    }
}
