using System.Diagnostics;
using System.Net;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Live;

/// <summary>
/// Open event streams are capped per player (a few tabs: the oldest is told and closed) and per address (the new one
/// gets 429), and a player holding the maximum does not slow other rooms down. On both stores.
/// </summary>
public abstract class StreamCapTests(ITestOutputHelper output) : AppTest
{
    private const int PerPlayer = 6;
    private const int PerAddress = 4;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Live:MaxStreamsPerPlayer"] = PerPlayer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static async Task<SseReader> OpenAsync(Browser browser, string code)
    {
        var stream = await SseReader.OpenAsync(browser.Client, $"/rooms/{code}/events?after=0");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("connected", (await stream.NextAsync(Generous)).Type);
        return stream;
    }

    [Fact]
    public async Task A_players_tab_past_the_cap_closes_their_oldest_stream_with_a_notice_the_page_understands()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var streams = new List<SseReader>();
        try
        {
            for (var i = 0; i < PerPlayer; i++)
            {
                streams.Add(await OpenAsync(alice, code));
            }

            streams.Add(await OpenAsync(alice, code));

            var notice = await streams[0].NextAsync(Generous, "player-joined", "player-left", "dc-updated", "door-changed", "initiative");
            Assert.Equal("stream-replaced", notice.Type);
            var element = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(notice.Data).QuerySelector("[data-notice]")!;
            Assert.Equal("stream-replaced", element.GetAttribute("data-notice"));
            Assert.Contains("too many tabs", element.TextContent, StringComparison.Ordinal);
            Assert.Equal($"/rooms/{code}", element.QuerySelector("a")!.GetAttribute("href"));
            await Assert.ThrowsAsync<EndOfStreamException>(() => streams[0].NextAsync(Generous));

            // The other six (the newest among them) stay live.
            await alice.RollAsync(code);
            foreach (var open in streams.Skip(1))
            {
                Assert.Single(await open.NextOfTypeAsync("roll", 1, Generous));
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Past_the_cap_of_an_address_a_new_stream_gets_429_until_one_closes()
    {
        // Three players of one room on one network (one Wi-Fi), two tabs each at most: the address's fifth stream is refused.
        await using var app = new AppFactory(ValkeyConnection, new Dictionary<string, string?>
        {
            ["Live:MaxStreamsPerAddress"] = PerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var players = new List<Browser> { app.NewBrowser() };
        var code = await players[0].CreateRoomAsync("Dee");
        var streams = new List<SseReader>();
        try
        {
            for (var i = 1; i < 3; i++)
            {
                players.Add(app.NewBrowser());
                await players[i].JoinAsync(code, $"P{i}");
            }

            for (var i = 0; i < PerAddress; i++)
            {
                streams.Add(await OpenAsync(players[i % players.Count], code));
            }

            using var refused = await players[0].Client.GetAsync($"/rooms/{code}/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
            Assert.Contains("live connections", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // One closes: a new one is let in (the server notices the close a moment later; poll for it, within a bound).
            await streams[^1].DisposeAsync();
            streams.RemoveAt(streams.Count - 1);
            var waited = Stopwatch.StartNew();
            while (true)
            {
                var again = await SseReader.OpenAsync(players[0].Client, $"/rooms/{code}/events?after=0");
                if (again.Response.StatusCode == HttpStatusCode.OK)
                {
                    streams.Add(again);
                    break;
                }

                await again.DisposeAsync();
                Assert.True(waited.Elapsed < Generous, "the closed stream was never released");
                await Task.Delay(50);
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }

            players.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public async Task Another_rooms_roll_stays_fast_while_one_player_holds_the_maximum()
    {
        using var hog = App.NewBrowser();
        using var bob = App.NewBrowser();
        var hogRoom = await hog.CreateRoomAsync("Hog");
        var bobRoom = await bob.CreateRoomAsync("Bob");
        var streams = new List<SseReader>();
        try
        {
            // The hog keeps opening tabs: each new one past the cap closes the oldest.
            for (var i = 0; i < PerPlayer * 3; i++)
            {
                streams.Add(await OpenAsync(hog, hogRoom));
            }

            await using var watching = await OpenAsync(bob, bobRoom);
            var clock = Stopwatch.StartNew();
            await bob.RollAsync(bobRoom);
            var roll = (await watching.NextOfTypeAsync("roll", 1, TimeSpan.FromSeconds(10))).Single();
            output.WriteLine($"a roll in another room reached its stream in {clock.ElapsedMilliseconds} ms while one player opened {PerPlayer * 3} streams (cap {PerPlayer})");
            Assert.Equal("1", roll.Id);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}

public sealed class StreamCapEmbeddedTests(ITestOutputHelper output) : StreamCapTests(output);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class StreamCapValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : StreamCapTests(output)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
