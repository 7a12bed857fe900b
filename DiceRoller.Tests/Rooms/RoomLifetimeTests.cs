using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// A room lives its TTL after its last open page left or its last activity, whichever is later: while a member's
/// page is connected it neither expires nor warns. Driven by a fake clock (embedded store).
/// </summary>
public sealed class RoomLifetimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DmLedTtl = TimeSpan.FromMinutes(30);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["Live:HeartbeatInterval"] = "00:01:00",
            ["Rooms:DmLedRoomTtl"] = "00:30:00",
        })
        { Clock = _clock };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IRoomStore Store => _app.Services.GetRequiredService<IRoomStore>();

    /// <summary>Waits (real time, bounded) until the store shows <paramref name="done"/> for the room.</summary>
    private async Task<RoomSnapshot?> WaitForAsync(string code, Func<RoomSnapshot?, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var room = await Store.GetAsync(code);
            if (done(room))
            {
                return room;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_dm_led_room_with_an_open_page_outlives_its_ttl_without_warnings_and_expires_a_ttl_after_the_page_leaves()
    {
        using var dm = _app.NewBrowser();
        var code = await dm.CreateRoomAsync("Dee", "dm-led");
        var stream = await SseReader.OpenAsync(dm.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync();
        var dee = (await Store.GetAsync(code))!.Players.Single().PlayerId;

        // Three TTLs of a roleplay scene without a roll, one heartbeat at a time: each refreshes the page's presence.
        for (var moved = TimeSpan.Zero; moved < DmLedTtl * 3; moved += Heartbeat)
        {
            _clock.Advance(Heartbeat);
            var presenceUntil = (_clock.GetUtcNow() + (Heartbeat * 3)).ToUnixTimeMilliseconds();
            await WaitForAsync(code, r => r is not null && r.Connected.GetValueOrDefault(dee) >= presenceUntil, "the heartbeat's presence refresh");
        }

        Assert.Equal(HttpStatusCode.OK, (await dm.GetAsync($"/rooms/{code}")).Status);
        await stream.AssertNoEventAsync("room-expiring", TimeSpan.FromSeconds(1));

        await stream.DisposeAsync();
        await WaitForAsync(code, r => r is not null && !r.IsConnected(dee), "the page to be gone");
        _clock.Advance(DmLedTtl - TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await dm.GetAsync($"/rooms/{code}")).Status);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await dm.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task A_page_that_stops_refreshing_lets_the_room_go_a_ttl_after_its_presence_ends()
    {
        using var dm = _app.NewBrowser();
        var code = await dm.CreateRoomAsync("Dee", "dm-led");
        var dee = (await Store.GetAsync(code))!.Players.Single().PlayerId;

        // A page on an instance that crashed: its presence was recorded once and is never refreshed or removed.
        var presenceEnds = (_clock.GetUtcNow() + (Heartbeat * 3)).ToUnixTimeMilliseconds();
        await Store.SetPresenceAsync(code, dee, "crashed-instance-page", presenceEnds);
        _clock.Advance((Heartbeat * 3) + DmLedTtl - TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await dm.GetAsync($"/rooms/{code}")).Status);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await dm.GetAsync($"/rooms/{code}")).Status);
    }
}

/// <summary>A real stream held open past a TTL of a few seconds, on the real clock and both stores.</summary>
public abstract class RoomHeldOpenTests : AppTest
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rooms:DmLedRoomTtl"] = "00:00:03",
        ["Live:HeartbeatInterval"] = "00:00:01",
    };

    [Fact]
    public async Task A_real_stream_keeps_a_room_with_a_three_second_ttl_open_until_it_closes()
    {
        using var dm = App.NewBrowser();
        var code = await dm.CreateRoomAsync("Dee", "dm-led");
        var store = App.Services.GetRequiredService<IRoomStore>();
        var stream = await SseReader.OpenAsync(dm.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync();

        // Hold the page open for three TTLs without any activity; the room must be there all along.
        var holdUntil = DateTime.UtcNow + (Ttl * 3);
        while (DateTime.UtcNow < holdUntil)
        {
            Assert.NotNull(await store.GetAsync(code));
            await Task.Delay(100);
        }

        // No warning, and no end of the stream (a closed room would end it: the read would fail).
        await stream.AssertNoEventAsync("room-expiring", TimeSpan.FromMilliseconds(500));
        await stream.DisposeAsync();

        var left = DateTime.UtcNow;
        var deadline = left + Ttl + TimeSpan.FromSeconds(15);
        while (await store.GetAsync(code) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the room outlived its TTL after its last page left");
            await Task.Delay(100);
        }

        // Gone, but not before a TTL (less what the page's removal took to be noticed) after the page left.
        Assert.True(DateTime.UtcNow - left >= Ttl - TimeSpan.FromSeconds(1), $"gone after {(DateTime.UtcNow - left).TotalSeconds:0.0} s");
    }
}

public sealed class RoomHeldOpenEmbeddedTests : RoomHeldOpenTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class RoomHeldOpenValkeyTests(ValkeyServer valkey) : RoomHeldOpenTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
