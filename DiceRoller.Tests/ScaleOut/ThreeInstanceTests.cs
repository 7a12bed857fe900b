using System.Globalization;
using System.Net;
using System.Text.Json;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using DiceRoller.Tests.Storage;
using Xunit.Abstractions;

namespace DiceRoller.Tests.ScaleOut;

/// <summary>
/// Three app instances as real processes on three ports (A, B, C), on the 6-node Valkey Cluster and PostgreSQL, each with
/// its own data folder: what players on several hosts see, over plain HTTP and SSE.
/// </summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Trait(Tiers.Trait, Tiers.Deploy)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ThreeInstanceTests(ValkeyClusterFixture fixture, PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const string FanOutFamily = "diceroller_fanout_messages_received";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<IDisposable> _browsers = [];
    private AppInstances _apps = null!;

    private ValkeyCluster Cluster => fixture.Cluster;

    public async Task InitializeAsync() =>
        _apps = await AppInstances.StartAsync(3, Cluster.ConnectionString, await postgres.NewDatabaseAsync());

    public async Task DisposeAsync()
    {
        foreach (var browser in _browsers)
        {
            browser.Dispose();
        }

        if (_apps is not null)
        {
            await _apps.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_form_token_issued_by_one_instance_is_accepted_by_another_without_a_shared_keys_folder()
    {
        var jar = new CookieContainer();
        var onA = Open(0, jar);
        var onB = Open(1, jar);
        var alice = Open(2);
        var code = await alice.CreateRoomAsync();

        var home = await onA.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.Status);
        var tokenFromA = onA.Token!;
        var joined = await onB.PostAsync("/join", [new("room_code", code), new("player_name", "Dora"), new("__RequestVerificationToken", tokenFromA)], withToken: false);
        Assert.True(joined.Status == HttpStatusCode.SeeOther, $"B refused A's token: {(int)joined.Status} {joined.ErrorText}");

        // A token is still checked: a forged one is refused by B.
        var forged = await onB.PostAsync("/join", [new("room_code", code), new("player_name", "Eve"), new("__RequestVerificationToken", "CfDJ8forged")], withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
    }

    [Fact]
    public async Task Rooms_on_all_three_shards_show_players_on_A_B_and_C_one_order_and_a_permalink_made_through_A_is_served_by_C()
    {
        // Rooms made through A until one sits on each shard (the slot of the room's hash tag, asked of the cluster).
        var rooms = new Dictionary<int, (string Code, int Slot)>();
        for (var i = 0; i < 60 && rooms.Count < 3; i++)
        {
            var creator = Open(0);
            var code = await creator.CreateRoomAsync("Alice");
            var slot = await Cluster.KeySlotAsync(ValkeyKeys.Meta(code).ToString());
            var primary = (await Cluster.PrimaryOfAsync(slot)).Port;
            if (!rooms.ContainsKey(primary))
            {
                rooms[primary] = (code, slot);
                _creators[code] = creator;
            }
        }

        output.WriteLine("rooms: " + string.Join(", ", rooms.Select(r => $"{r.Value.Code} (slot {r.Value.Slot}, primary {r.Key})")));
        Assert.Equal(3, rooms.Count);

        string? alicesFirstRoll = null;
        foreach (var (code, slot) in rooms.Values)
        {
            var alice = _creators[code];
            var bob = Open(1);
            var carol = Open(2);
            await bob.JoinAsync(code, "Bob");
            await carol.JoinAsync(code, "Carol");
            await using var streamA = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
            await using var streamB = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
            await using var streamC = await SseReader.OpenAsync(carol.Client, $"/rooms/{code}/events?after=0");
            await WaitForSubscribersAsync(code, slot, 3);

            // The three roll at once, three times each: the room's sequence decides one order for everyone.
            var acknowledged = await Task.WhenAll(new[] { alice, bob, carol }.Select(async player =>
            {
                var ids = new List<string>();
                for (var r = 0; r < 3; r++)
                {
                    ids.Add((await player.RollAsync(code)).GetAttribute("data-roll-id")!);
                }

                return ids;
            }));
            alicesFirstRoll ??= acknowledged[0][0];

            var seen = await Task.WhenAll(new[] { streamA, streamB, streamC }.Select(s => s.NextOfTypeAsync("roll", 9, Patience)));
            var order = seen[0].Select(ValkeyClusterTests.RollId).ToList();
            output.WriteLine($"{code}: {string.Join(' ', seen[0].Select(e => e.Id))}");
            Assert.Equal(acknowledged.SelectMany(ids => ids).Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
            Assert.Equal(order, seen[1].Select(ValkeyClusterTests.RollId));
            Assert.Equal(order, seen[2].Select(ValkeyClusterTests.RollId));
            var sequence = seen[0].Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order(), sequence);
            Assert.Equal(sequence.Count, sequence.Distinct().Count());
        }

        // Alice's roll went through A; its permalink (PostgreSQL) is served by C, as a page and as JSON.
        var stranger = Open(2);
        var page = await stranger.GetAsync($"/roll/{alicesFirstRoll}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(alicesFirstRoll, page.Document.QuerySelector("article[data-roll-id]")?.GetAttribute("data-roll-id"));
        using var json = await stranger.Client.GetAsync(new Uri($"/api/permalink/{alicesFirstRoll}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        using var permalink = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal("Alice", permalink.RootElement.GetProperty("player_name").GetString());
    }

    [Fact]
    public async Task Fan_out_reaches_only_the_instances_with_a_page_of_the_room_open()
    {
        var alice = Open(0);
        var bob = Open(1);
        var code = await alice.CreateRoomAsync();
        await bob.JoinAsync(code, "Bob");
        var slot = await Cluster.KeySlotAsync(ValkeyKeys.Meta(code).ToString());
        await using var onA = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        var onB = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        try
        {
            await WaitForSubscribersAsync(code, slot, 2);
            var before = await CountersAsync();

            for (var i = 0; i < 5; i++)
            {
                await bob.RollAsync(code);
            }

            await onA.NextOfTypeAsync("roll", 5, Patience);
            await onB.NextOfTypeAsync("roll", 5, Patience);
            await ValkeyCluster.WaitUntilAsync(async () =>
            {
                var now = await CountersAsync();
                return now[0] - before[0] >= 5 && now[1] - before[1] >= 5;
            }, Patience, "A's and B's fan-out counters to count the 5 rolls");
            var after = await CountersAsync();
            output.WriteLine($"room events received over pub/sub: A {after[0] - before[0]}, B {after[1] - before[1]}, C {after[2] - before[2]}");
            Assert.Equal(0, after[2] - before[2]);

            // The last page of the room on B closes: B unsubscribes (its connection leaves the channel on the room's
            // primary) and the room's next rolls no longer reach it. A, subscribed throughout, receives every message B
            // receives; B may still get what was published while its page was closing (its own leaving), never the rolls.
            await onB.DisposeAsync();
            await WaitForSubscribersAsync(code, slot, 1);
            for (var i = 0; i < 5; i++)
            {
                await alice.RollAsync(code);
            }

            await onA.NextOfTypeAsync("roll", 5, Patience);
            double[] last = [];
            await ValkeyCluster.WaitUntilAsync(async () =>
            {
                last = await CountersAsync();
                return last[0] - after[0] - (last[1] - after[1]) >= 5;
            }, Patience, "A to have received the 5 rolls that B, unsubscribed, did not");
            output.WriteLine($"after B's page closed: A {last[0] - after[0]}, B {last[1] - after[1]}, C {last[2] - after[2]}");
            Assert.Equal(after[2], last[2]);
        }
        finally
        {
            await onB.DisposeAsync();
        }
    }

    private readonly Dictionary<string, Browser> _creators = [];

    private Browser Open(int instance, CookieContainer? jar = null)
    {
        jar ??= new CookieContainer();
        var browser = new Browser(_apps.NewClient(instance, jar), "ScaleOutTest/1.0", jar);
        _browsers.Add(browser);
        return browser;
    }

    private async Task<double[]> CountersAsync() =>
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => _apps.CounterAsync(i, FanOutFamily)));

    /// <summary>Waits until exactly <paramref name="count"/> connections (one per instance) subscribe to the room's sharded channel on its primary.</summary>
    private async Task WaitForSubscribersAsync(string code, int slot, int count)
    {
        var channel = ValkeyKeys.Events(code).ToString();
        await ValkeyCluster.WaitUntilAsync(async () =>
        {
            var primary = await Cluster.PrimaryOfAsync(slot);
            var reply = (await ValkeyCluster.RunAsync(primary.Port, "PUBSUB", "SHARDNUMSUB", channel)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return reply.Length >= 2 && reply[^1] == count.ToString(CultureInfo.InvariantCulture);
        }, Patience, $"{count} instance(s) subscribed to {channel}");
    }
}
