using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DiceRoller.Live;
using DiceRoller.Tests.E2E;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Live;

/// <summary>
/// A stream never waits on another: a player holding more streams than <c>Live:MaxStreamsPerPlayer</c> whose readers stopped
/// reading (frozen background tabs: real sockets with a 2 KB receive buffer that never read, against the real Kestrel server)
/// still gets every roll on their newest tab, another player's stream is unaffected, and the frozen streams are cut off
/// after <c>Live:StalledStreamTimeout</c>, freeing their places. On both stores.
/// </summary>
public abstract class FrozenStreamTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private const int Filling = 40;
    private static readonly TimeSpan Stalled = TimeSpan.FromSeconds(2);

    protected abstract string Store { get; }

    [Theory]
    [InlineData(8)]
    [InlineData(40)]
    public async Task The_newest_stream_gets_every_roll_while_frozen_streams_of_the_same_player_are_cut_off(int frozenCount)
    {
        await using var server = await AppServer.StartAsync(Store, new Dictionary<string, string>
        {
            ["Live:StalledStreamTimeout"] = "00:00:02",
        });
        using var alice = NewBrowser(server);
        using var bob = NewBrowser(server);
        var code = await alice.CreateRoomAsync("Alice");
        await bob.JoinAsync(code, "Bob");
        await using var bobStream = await OpenAsync(bob, code);

        var eventsUrl = new Uri(server.BaseAddress, $"/rooms/{code}/events?after=0");
        var cookie = alice.Cookies.GetCookieHeader(eventsUrl);
        var frozen = new List<Socket>();
        try
        {
            for (var i = 0; i < frozenCount; i++)
            {
                frozen.Add(await OpenFrozenAsync(server.BaseAddress, eventsUrl, cookie));
            }

            // Big rolls (about 4 KB a row) fill the frozen sockets' buffers (the socket's and Kestrel's 64 KB): their writes can no
            // longer complete. Bob's page reads as they come, as a browser does (a stream left unread as long as the frozen ones is
            // cut off like them: StalledStreamTimeout is 2 s here).
            var bobHears = bobStream.NextOfTypeAsync("roll", Filling, 2 * Generous);
            for (var i = 0; i < Filling; i++)
            {
                await alice.RollAsync(code, "100d1000");
            }

            await bobHears;

            // Alice comes back: her newest tab takes the oldest place and must hear every roll, at once.
            await using var newest = await OpenAsync(alice, code);
            await newest.NextOfTypeAsync("roll", Filling, Generous);
            var delays = new List<long>();
            var bobDelays = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                var clock = Stopwatch.StartNew();
                await alice.RollAsync(code, "100d1000");
                var posted = clock.ElapsedMilliseconds;
                var roll = (await newest.NextOfTypeAsync("roll", 1, TimeSpan.FromSeconds(10))).Single();
                delays.Add(clock.ElapsedMilliseconds - posted);
                Assert.Equal((Filling + 1 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), roll.Id);
                Assert.Single(await bobStream.NextOfTypeAsync("roll", 1, TimeSpan.FromSeconds(10)));
                bobDelays.Add(clock.ElapsedMilliseconds - posted);
            }

            output.WriteLine($"{Store}, {frozenCount} frozen streams: newest stream got each roll {string.Join(", ", delays)} ms after the post answered; " +
                $"another player's stream {string.Join(", ", bobDelays)} ms");

            // The frozen streams are cut off within a bound: only Bob's and Alice's newest stream remain open.
            var limits = server.Services.GetRequiredService<StreamLimits>();
            var waited = Stopwatch.StartNew();
            while (limits.OpenFrom("127.0.0.1") > 2)
            {
                Assert.True(waited.Elapsed < Generous, $"{limits.OpenFrom("127.0.0.1")} streams still open after {Generous}");
                await Task.Delay(100);
            }

            output.WriteLine($"{Store}, {frozenCount} frozen streams: all cut off {waited.ElapsedMilliseconds} ms after the last roll (StalledStreamTimeout {Stalled.TotalMilliseconds} ms)");

            // And what remains still works.
            await alice.RollAsync(code);
            Assert.Single(await newest.NextOfTypeAsync("roll", 1, Generous));
            Assert.Single(await bobStream.NextOfTypeAsync("roll", 1, Generous));
        }
        finally
        {
            frozen.ForEach(s => s.Dispose());
        }
    }

    private static Browser NewBrowser(AppServer server)
    {
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        return new Browser(new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = Generous }, "TestBrowser/1.0", cookies);
    }

    private static async Task<SseReader> OpenAsync(Browser browser, string code)
    {
        var stream = await SseReader.OpenAsync(browser.Client, $"/rooms/{code}/events?after=0");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("connected", (await stream.NextAsync(Generous)).Type);
        return stream;
    }

    /// <summary>A tab a phone froze: sends the stream's request with the player's cookie, then never reads (2 KB receive buffer).</summary>
    private static async Task<Socket> OpenFrozenAsync(Uri server, Uri url, string cookie)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 2048 };
        await socket.ConnectAsync(IPAddress.Loopback, server.Port);
        var request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        return socket;
    }
}

public sealed class FrozenStreamEmbeddedTests(ITestOutputHelper output) : FrozenStreamTests(output)
{
    protected override string Store => Stores.Embedded;
}

[Trait(Tiers.Trait, Tiers.Stores)]
public sealed class FrozenStreamValkeyTests(ITestOutputHelper output) : FrozenStreamTests(output)
{
    protected override string Store => Stores.Valkey;
}
