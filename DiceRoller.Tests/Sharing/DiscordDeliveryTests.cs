using System.Diagnostics;
using System.Net;
using DiceRoller.Tests.Infrastructure;
using DiceRoller.Tests.Sharing.Support;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Sharing;

/// <summary>
/// Rolls shared to Discord, end to end against a fake receiver on a loopback port (listed in <c>Discord:AllowedHosts</c>):
/// every public roll arrives once, in the room's order, hidden ones only after their reveal, through 429s and 5xx; a stalled
/// receiver never holds up a roll; a 404 is not retried; the DM's panel shows the last error; each post has a Content-Length.
/// On both stores.
/// </summary>
public abstract class DiscordDeliveryTests(ITestOutputHelper output) : AppTest, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected FakeDiscord Discord { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Site:PublicBaseUrl"] = "https://dice.example.test",
        ["Discord:AllowedHosts:0"] = "discord.com",
        ["Discord:AllowedHosts:1"] = "discordapp.com",
        ["Discord:AllowedHosts:2"] = "127.0.0.1",
        ["Discord:RetryDelay"] = "00:00:00.050",
        ["Discord:MaxRetryDelay"] = "00:00:00.200",
        ["Discord:MaxAttempts"] = "4",
        ["Discord:Timeout"] = "00:01:00",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Discord = await FakeDiscord.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Discord.DisposeAsync();
    }

    private async Task<Table<Browser>> SharedTableAsync()
    {
        var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var saved = await table.Host.PostAsync($"/rooms/{table.Code}/discord", ("webhook_url", Discord.WebhookUrl));
        Assert.Equal(HttpStatusCode.SeeOther, saved.Status);
        return table;
    }

    /// <summary>Rolls as <paramref name="player"/> and returns the roll's id with the moment the roll was asked for.</summary>
    private static async Task<(string Id, long AskedAt)> RollAsync(Browser player, string code, string dice = "1d20", bool hidden = false)
    {
        var asked = Stopwatch.GetTimestamp();
        var page = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", dice), ("modifier", "3"), ("advantage", "none"), ("hidden", hidden ? "true" : "false"));
        Assert.True(page.Status == HttpStatusCode.OK, $"roll failed: {(int)page.Status} {page.ErrorText}");
        return (page.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!, asked);
    }

    private void Report(string what, IEnumerable<double> millis)
    {
        var sorted = millis.Order().ToList();
        output.WriteLine($"{what}: {sorted.Count} rolls, roll to Discord post median {sorted[sorted.Count / 2]:0.0} ms, max {sorted[^1]:0.0} ms");
    }

    [Fact]
    public async Task Every_public_roll_arrives_once_in_order_and_a_hidden_one_only_after_its_reveal_through_429s_and_5xx()
    {
        await using var table = await SharedTableAsync();
        var (code, dee, bob) = table;
        await using var other = await SharedTableAsync();
        var asked = new Dictionary<string, long>();

        // Clean: nothing scripted.
        for (var i = 0; i < 10; i++)
        {
            var (id, at) = await RollAsync(i % 2 == 0 ? bob : dee, code, i % 3 == 0 ? "2d20kh1" : "1d20");
            asked[id] = at;
        }

        await Discord.WaitForAsync(posts => posts.Count(p => asked.ContainsKey(p.RollId)) == 10, Patience);
        Report("Clean receiver", Discord.Accepted.Select(p => Stopwatch.GetElapsedTime(asked[p.RollId], p.ArrivedAt).TotalMilliseconds));

        // Then the receiver rate-limits and fails at times, and the DM rolls hidden in the middle.
        Discord.RateLimitNext(0.05);
        Discord.FailNext(503);
        Discord.RateLimitNext(0.02, header: "1");
        Discord.FailNext(502, "Bad Gateway");
        string? hiddenId = null;
        var publicIds = asked.Keys.ToList();
        for (var i = 0; i < 12; i++)
        {
            if (i == 4)
            {
                hiddenId = (await RollAsync(dee, code, hidden: true)).Id;
            }

            var (id, at) = await RollAsync(i % 2 == 0 ? bob : dee, code, "1d20");
            asked[id] = at;
            publicIds.Add(id);
            var (otherId, otherAt) = await RollAsync(other.Host, other.Code, "1d6");
            asked[otherId] = otherAt;
        }

        await Discord.WaitForAsync(posts => posts.Count(p => publicIds.Contains(p.RollId)) == publicIds.Count, Patience);
        Assert.DoesNotContain(Discord.Accepted, p => p.RollId == hiddenId);
        var revealAt = Stopwatch.GetTimestamp();
        var reveal = await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hiddenId}/reveal");
        Assert.Equal(HttpStatusCode.OK, reveal.Status);
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == hiddenId) && posts.Count(p => p.Room == other.Code) == 12, Patience);

        var posts = Discord.Accepted;
        Assert.Empty(Discord.Problems);
        Assert.All(posts.GroupBy(p => p.RollId), g => Assert.Single(g));
        var room = posts.Where(p => p.Room == code).ToList();
        Assert.Equal([.. publicIds, hiddenId!], room.Select(p => p.RollId));
        Assert.Equal(room.Take(publicIds.Count).Select(p => p.Sequence).Order(), room.Take(publicIds.Count).Select(p => p.Sequence));
        Assert.True(room[^1].ArrivedAt > revealAt, "the hidden roll reached Discord before it was revealed");
        Assert.Contains("revealed", room[^1].Embed.GetProperty("footer").GetProperty("text").GetString(), StringComparison.Ordinal);
        var others = posts.Where(p => p.Room == other.Code).Select(p => p.Sequence).ToList();
        Assert.Equal(others.Order(), others);
        Assert.True(Discord.Requests >= posts.Count + 4, $"{Discord.Requests} requests for {posts.Count} posts: the scripted 429s and 5xx were not retried");
        Report("With 2 x 429 and 2 x 5xx", posts.Where(p => p.RollId != hiddenId).Select(p => Stopwatch.GetElapsedTime(asked[p.RollId], p.ArrivedAt).TotalMilliseconds));

        var first = posts[0].Embed;
        Assert.StartsWith("https://dice.example.test/roll/", first.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Contains(first.GetProperty("author").GetProperty("name").GetString(), new[] { "Dee", "Bob" });
    }

    [Fact]
    public async Task Each_post_is_sent_with_a_content_length_equal_to_its_body_and_never_chunked()
    {
        await using var table = await SharedTableAsync();
        var (code, _, bob) = table;
        Discord.FailNext(503); // the retry sends the same body again

        var id = (await RollAsync(bob, code)).Id;
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == id), Patience);

        var framings = Discord.Framings;
        Assert.Equal(2, framings.Count);
        Assert.All(framings, f =>
        {
            Assert.True(f.BodyBytes > 0, "empty body");
            Assert.Equal((long?)f.BodyBytes, f.ContentLength);
            Assert.Null(f.TransferEncoding);
        });
        Assert.Empty(Discord.Problems);
    }

    [Fact]
    public async Task A_stalled_receiver_holds_up_no_roll_and_gets_every_roll_in_order_once_it_answers()
    {
        await using var table = await SharedTableAsync();
        var (code, _, bob) = table;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Discord.StallNext(release.Task, holding);

        var ids = new List<string> { (await RollAsync(bob, code)).Id };
        await holding.Task.WaitAsync(Patience);
        var latencies = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var started = Stopwatch.GetTimestamp();
            ids.Add((await RollAsync(bob, code)).Id);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        // Every roll above completed while the receiver still held the first post.
        Assert.False(release.Task.IsCompleted);
        Assert.Empty(Discord.Accepted);
        output.WriteLine($"Roll latency while the receiver stalls: median {latencies.Order().ElementAt(latencies.Count / 2):0.0} ms, max {latencies.Max():0.0} ms");
        release.SetResult();
        await Discord.WaitForAsync(posts => posts.Count == ids.Count, Patience);

        Assert.Equal(ids, Discord.Accepted.Select(p => p.RollId));
        Assert.Empty(Discord.Problems);
    }

    [Fact]
    public async Task A_404_is_not_retried_and_the_dm_sees_the_error_in_the_panel()
    {
        await using var table = await SharedTableAsync();
        var (code, dee, bob) = table;
        Discord.FailNext(404, "Unknown Webhook", 10015);

        await RollAsync(bob, code);
        var second = (await RollAsync(bob, code)).Id;
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == second), Patience);
        // The good post is recorded just after Discord answered it: the panel shows it a moment later.
        var panel = await PanelAsync(dee, code, p => p.QuerySelector("[data-webhook-posted]") is not null);

        Assert.Equal(2, Discord.Requests);
        Assert.Contains("Unknown Webhook", panel.QuerySelector("[data-webhook-error]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(panel.QuerySelector("[data-webhook-posted]"));
        Assert.DoesNotContain("fake-TOKEN", panel.OuterHtml, StringComparison.Ordinal);
    }

    /// <summary>The DM's Share panel once <paramref name="shows"/> holds (the outbox records deliveries after the post returns).</summary>
    private static async Task<AngleSharp.Dom.IElement> PanelAsync(Browser dm, string code, Func<AngleSharp.Dom.IElement, bool> shows)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var panel = (await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-sharing-panel]")!;
            if (shows(panel) || deadline.Elapsed > Patience)
            {
                return panel;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_the_attempts_then_given_up_and_shown()
    {
        await using var table = await SharedTableAsync();
        var (code, dee, bob) = table;
        for (var i = 0; i < 4; i++)
        {
            Discord.FailNext(500, "Internal Server Error");
        }

        await RollAsync(bob, code);
        var second = (await RollAsync(bob, code)).Id;
        await Discord.WaitForAsync(posts => posts.Any(p => p.RollId == second), Patience);
        var error = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-webhook-error]")?.TextContent;

        Assert.Equal(5, Discord.Requests);
        Assert.Single(Discord.Accepted);
        Assert.Contains("after 4 attempts", error, StringComparison.Ordinal);
    }
}

public sealed class DiscordDeliveryEmbeddedTests(ITestOutputHelper output) : DiscordDeliveryTests(output);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class DiscordDeliveryValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : DiscordDeliveryTests(output)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
