using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// A room nobody else ever joined lives on <c>Rooms:LonelyRoomTtl</c> (20 minutes here) instead of its mode's five hours:
/// held while its creator's page is open, gone 20 minutes after the page leaves; once a second player joined, the mode's
/// TTL applies for good. Driven by a fake clock (embedded store).
/// </summary>
public sealed class LonelyRoomTests : IAsyncLifetime
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Lonely = TimeSpan.FromMinutes(20);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["Live:HeartbeatInterval"] = "00:01:00",
            ["Rooms:OpenRoomTtl"] = "05:00:00",
            ["Rooms:LonelyRoomTtl"] = "00:20:00",
        })
        { Clock = _clock };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IRoomStore Store => _app.Services.GetRequiredService<IRoomStore>();

    /// <summary>Waits (real time, bounded) until the store shows <paramref name="done"/> for the room.</summary>
    private async Task WaitForAsync(string code, Func<RoomSnapshot?, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!done(await Store.GetAsync(code)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_lonely_room_is_held_by_its_open_page_and_gone_the_lonely_ttl_after_the_page_leaves()
    {
        using var dee = _app.NewBrowser();
        var code = await dee.CreateRoomAsync("Dee", "open");
        var stream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync();
        var deeId = (await Store.GetAsync(code))!.Players.Single().PlayerId;

        // Twice the lonely TTL with the page open, one heartbeat at a time.
        for (var moved = TimeSpan.Zero; moved < Lonely * 2; moved += Heartbeat)
        {
            _clock.Advance(Heartbeat);
            var presenceUntil = (_clock.GetUtcNow() + (Heartbeat * 3)).ToUnixTimeMilliseconds();
            await WaitForAsync(code, r => r is not null && r.Connected.GetValueOrDefault(deeId) >= presenceUntil, "the heartbeat's presence refresh");
        }

        Assert.Equal(HttpStatusCode.OK, (await dee.GetAsync($"/rooms/{code}")).Status);
        await stream.DisposeAsync();
        await WaitForAsync(code, r => r is not null && !r.IsConnected(deeId), "the page to be gone");
        _clock.Advance(Lonely - TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await dee.GetAsync($"/rooms/{code}")).Status);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.NotFound, (await dee.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task A_room_a_second_player_joined_keeps_the_modes_ttl_after_they_leave()
    {
        using var dee = _app.NewBrowser();
        using var bob = _app.NewBrowser();
        var lonely = await dee.CreateRoomAsync("Dee", "open");
        var joined = await dee.CreateRoomAsync("Dee", "open");
        await bob.JoinAsync(joined, "Bob");
        Assert.Equal(HttpStatusCode.SeeOther, (await bob.PostAsync($"/rooms/{joined}/leave")).Status);

        _clock.Advance(Lonely + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.NotFound, (await dee.GetAsync($"/rooms/{lonely}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await dee.GetAsync($"/rooms/{joined}")).Status);
        _clock.Advance(TimeSpan.FromHours(5) - Lonely - TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await dee.GetAsync($"/rooms/{joined}")).Status);
    }
}
