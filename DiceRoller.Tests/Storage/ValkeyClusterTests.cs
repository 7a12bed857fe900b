using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using DiceRoller.Live;
using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// The app on a Valkey Cluster and PostgreSQL: rooms spread over the shards with every key (and the event channel) of a
/// room in its slot; three app instances share rooms, rolls and permalinks; fan-out reaches only the instances that have
/// a page of the room open.
/// </summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterTests(ValkeyClusterFixture fixture, PostgresServer postgres, ITestOutputHelper output)
{
    private static readonly HtmlParser Parser = new();
    private ValkeyCluster Cluster => fixture.Cluster;

    private async Task<AppFactory[]> StartInstancesAsync(int count)
    {
        var permalinks = await postgres.NewDatabaseAsync();
        return Enumerable.Range(0, count).Select(_ => new AppFactory(Cluster.ConnectionString, new Dictionary<string, string?>
        {
            ["Permalinks:Provider"] = "postgresql",
            ["ConnectionStrings:Permalinks"] = permalinks,
        })).ToArray();
    }

    [Fact]
    public async Task Rooms_spread_over_all_three_shards_and_every_key_of_a_room_request_shares_its_slot()
    {
        var store = new ValkeyRoomStore(Cluster.Connection, Microsoft.Extensions.Options.Options.Create(new RoomOptions()), TimeProvider.System);
        var owners = new Dictionary<int, int>();
        for (var i = 0; i < 24; i++)
        {
            var code = $"SPRD{i:D2}-{Random.Shared.Next(10_000):D4}";
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var creator = new Player(Guid.NewGuid().ToString(), "Alice", now, Guid.NewGuid().ToString("N"), "hash", "address");
            Assert.True(await store.TryCreateAsync(new Room(code, RoomMode.Open, creator.PlayerId, null, null, now, now, 600), creator));

            var slot = await Cluster.KeySlotAsync(ValkeyKeys.Meta(code).ToString());
            foreach (var key in ValkeyKeys.Door(code).Append(ValkeyKeys.RollRequest(code, "p:r")).Append(ValkeyKeys.RateLimit($"roll:{code}:{creator.PlayerId}")))
            {
                Assert.Equal(slot, await Cluster.KeySlotAsync(key.ToString()));
            }

            Assert.Equal(slot, await Cluster.KeySlotAsync(ValkeyKeys.Events(code).ToString()));
            var owner = (await Cluster.PrimaryOfAsync(slot)).Port;
            owners[owner] = owners.GetValueOrDefault(owner) + 1;
            Assert.Equal(1, int.Parse(await ValkeyCluster.RunAsync(owner, "EXISTS", ValkeyKeys.Meta(code).ToString()), System.Globalization.CultureInfo.InvariantCulture));
        }

        output.WriteLine("rooms per primary: " + string.Join(", ", owners.Select(o => $"{o.Key}: {o.Value}")));
        Assert.Equal(3, owners.Count);
        Assert.StartsWith("rate:", ValkeyKeys.RateLimit("join:203.0.113.9").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Players_on_three_instances_see_each_others_rolls_in_one_order_and_a_permalink_made_on_A_is_served_by_C()
    {
        var apps = await StartInstancesAsync(3);
        try
        {
            var (a, b, c) = (apps[0], apps[1], apps[2]);
            using var alice = a.NewBrowser();
            using var bob = b.NewBrowser();
            using var carol = c.NewBrowser();
            var code = await alice.CreateRoomAsync();
            await bob.JoinAsync(code, "Bob");
            await carol.JoinAsync(code, "Carol");
            await using var onA = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
            await using var onB = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
            await using var onC = await SseReader.OpenAsync(carol.Client, $"/rooms/{code}/events?after=0");
            await WaitSubscribedAsync(apps, code);

            var rolled = new List<string>();
            foreach (var player in new[] { alice, bob, carol, carol, bob, alice })
            {
                rolled.Add((await player.RollAsync(code)).GetAttribute("data-roll-id")!);
            }

            var timeout = TimeSpan.FromSeconds(30);
            var seen = await Task.WhenAll(new[] { onA, onB, onC }.Select(async s => (await s.NextOfTypeAsync("roll", 6, timeout)).Select(RollId).ToList()));
            Assert.Equal(rolled, seen[0]);
            Assert.Equal(seen[0], seen[1]);
            Assert.Equal(seen[0], seen[2]);

            using var permalink = await c.CreateClient().GetAsync($"/api/permalink/{rolled[0]}");
            Assert.Equal(HttpStatusCode.OK, permalink.StatusCode);
            using var json = JsonDocument.Parse(await permalink.Content.ReadAsStringAsync());
            Assert.Equal("Alice", json.RootElement.GetProperty("player_name").GetString());
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Fan_out_reaches_only_the_instances_with_a_page_of_the_room_open()
    {
        var apps = await StartInstancesAsync(3);
        try
        {
            var (a, b, c) = (apps[0], apps[1], apps[2]);
            using var alice = a.NewBrowser();
            using var bob = b.NewBrowser();
            var code = await alice.CreateRoomAsync();
            await bob.JoinAsync(code, "Bob");
            await using var onA = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
            await using var onB = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
            await WaitSubscribedAsync([a, b], code);
            var before = apps.Select(Received).ToArray();

            for (var i = 0; i < 5; i++)
            {
                await bob.RollAsync(code);
            }

            await onA.NextOfTypeAsync("roll", 5, TimeSpan.FromSeconds(30));
            await onB.NextOfTypeAsync("roll", 5, TimeSpan.FromSeconds(30));
            var delta = apps.Select((app, i) => Received(app) - before[i]).ToArray();
            output.WriteLine($"room events received: A {delta[0]}, B {delta[1]}, C {delta[2]}");
            Assert.True(delta[0] >= 5, $"A received {delta[0]}");
            Assert.True(delta[1] >= 5, $"B received {delta[1]}");
            Assert.Equal(0, delta[2]);
            Assert.DoesNotContain(code, Events(c).SubscribedRooms);

            // The last page of the room on B closes: B unsubscribes, and the room's events stop reaching it.
            await onB.DisposeAsync();
            await ValkeyCluster.WaitUntilAsync(() => Task.FromResult(!Events(b).SubscribedRooms.Contains(code)), TimeSpan.FromSeconds(30), "B to unsubscribe");
            var bBefore = Received(b);
            await alice.RollAsync(code);
            await onA.NextOfTypeAsync("roll", 1, TimeSpan.FromSeconds(30));
            Assert.Equal(bBefore, Received(b));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static ValkeyRoomEvents Events(AppFactory app) => app.Services.GetRequiredService<ValkeyRoomEvents>();

    private static long Received(AppFactory app) => Events(app).MessagesReceived;

    internal static Task WaitSubscribedAsync(IEnumerable<AppFactory> apps, string code) =>
        ValkeyCluster.WaitUntilAsync(() => Task.FromResult(apps.All(app => Events(app).SubscribedRooms.Contains(code))),
            TimeSpan.FromSeconds(30), $"every instance to subscribe to {code}");

    internal static string RollId(SseEvent e) =>
        Parser.ParseFragment(e.Data, Parser.ParseDocument("").Body!).OfType<AngleSharp.Dom.IElement>().First(el => el.HasAttribute("data-roll-id"))
            .GetAttribute("data-roll-id")!;
}
