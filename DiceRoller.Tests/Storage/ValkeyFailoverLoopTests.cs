using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Fairness;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// Ten kill -9s in a row of the room's primary on a private 6-node cluster, each during a burst of rolls from five players
/// on three app instances (rolls wait for one replica: <c>Valkey:RollReplicaAcks</c> 1). Every roll is a form post with its
/// own request id, retried with that id until acknowledged, as the page does; its label names the request. After each kill, as
/// soon as a replica has taken over, the killed node comes back as its replica (so the next kill has a replica to promote) while
/// the burst goes on; once the burst is acknowledged the room's history is checked: every
/// acknowledged roll there once, no roll twice, one unbroken chain; at the end <c>verify.py</c> checks the room's log:
/// every check passes, the nonces of every member included (a failed attempt's retry takes its nonce again). Figures are printed.
/// </summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
public sealed class ValkeyFailoverLoopTests(ITestOutputHelper output)
{
    private const int Kills = 10;
    private const int Players = 5;
    private const int RollsPerPlayer = 3;
    private static readonly TimeSpan RollDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ten_primary_kills_in_a_row_lose_and_duplicate_no_acknowledged_roll_and_keep_one_chain()
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await ValkeyCluster.StartAsync();
        var data = Directory.CreateTempSubdirectory("diceroller-failover-loop-").FullName;
        var settings = new Dictionary<string, string?>
        {
            // A claim whose instance lost the append's reply is taken over after three waits: short, to keep ten kills quick.
            ["Rooms:RollRequestWait"] = "00:00:01",
            ["Valkey:RollReplicaAcks"] = "1",
            ["Valkey:RollReplicaTimeout"] = "00:00:01",
        };

        // Three instances on one permalink database and one signing key (one folder), as a deployment shares them.
        await using var first = new AppFactory(cluster.ConnectionString, settings, data);
        await using var second = new AppFactory(cluster.ConnectionString, settings, data);
        await using var third = new AppFactory(cluster.ConnectionString, settings, data);
        AppFactory[] instances = [first, second, third];
        var players = Enumerable.Range(0, Players).Select(i => instances[i % 3].NewBrowser($"P{i}/1.0")).ToList();
        try
        {
            var code = await players[0].CreateRoomAsync("P0");
            for (var i = 1; i < Players; i++)
            {
                await players[i].JoinAsync(code, $"P{i}");
            }

            var slot = await cluster.KeySlotAsync(ValkeyKeys.Meta(code).ToString());
            var store = new ValkeyRoomStore(cluster.Connection, Microsoft.Extensions.Options.Options.Create(new RoomOptions()), TimeProvider.System);
            var acked = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            var failedAttempts = 0;
            var killedAfterAcks = new List<int>();
            var failoverSeconds = new List<double>();
            var burstSeconds = new List<double>();
            for (var kill = 1; kill <= Kills; kill++)
            {
                var primary = await cluster.PrimaryOfAsync(slot);
                var before = acked.Count;
                var burstAcks = 0;
                var twoAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var burst = Task.WhenAll(players.Select((player, p) => Task.Run(async () =>
                {
                    for (var n = 0; n < RollsPerPlayer; n++)
                    {
                        Interlocked.Add(ref failedAttempts, await RollUntilAckedAsync(player, code, $"k{kill}-p{p}-n{n}", acked));
                        if (Interlocked.Increment(ref burstAcks) == 2)
                        {
                            twoAcked.TrySetResult();
                        }
                    }
                })));

                // Mid-burst: the moment the burst's second roll is acknowledged, the others still rolling.
                await Task.WhenAny(twoAcked.Task, burst);
                killedAfterAcks.Add(acked.Count - before);
                var killedAt = clock.Elapsed;
                await cluster.KillAsync(primary.Port);
                await ValkeyCluster.WaitUntilAsync(async () => (await cluster.NodesAsync()).Any(n =>
                    n.IsPrimary && n.Port != primary.Port && n.Owns(slot) && !n.Flags.Contains("fail", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(30), $"a replica to take over slot {slot} after kill {kill}");
                failoverSeconds.Add((clock.Elapsed - killedAt).TotalSeconds);

                // The killed node back as the new primary's replica while the burst's rolls are still retried: the rolls after
                // it has synced get their replica's acknowledgement instead of waiting out RollReplicaTimeout with none.
                await cluster.RestartAsync(primary.Port);
                await burst;
                burstSeconds.Add((clock.Elapsed - killedAt).TotalSeconds);

                var (lost, duplicated, chainBreak) = await CheckAsync(store, code, acked);
                output.WriteLine($"kill {kill} of primary {primary.Port}: {acked.Count} acknowledged so far, lost {lost.Count}, duplicated {duplicated.Count}, chain {chainBreak ?? "unbroken"}");
                Assert.Empty(lost);
                Assert.Empty(duplicated);
                Assert.Null(chainBreak);
            }

            var stored = await store.GetRollsAfterAsync(code, 0, 10_000);
            var logFile = Path.Combine(data, "log.json");
            await File.WriteAllTextAsync(logFile, await players[0].Client.GetStringAsync($"/rooms/{code}/log.json"));
            var (exit, stdout, stderr) = await VerifyScriptTests.RunAsync(logFile);
            var summary = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            output.WriteLine($"kills: {Kills}; rolls acknowledged: {acked.Count} of {Kills * Players * RollsPerPlayer}; in the history: {stored.Count}; " +
                $"failed attempts retried: {failedAttempts}; acknowledged before each kill: {string.Join(",", killedAfterAcks)}");
            output.WriteLine($"failover (kill to promoted replica seen): {string.Join(", ", failoverSeconds.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))} s; " +
                $"kill to the burst's last acknowledgement: {string.Join(", ", burstSeconds.Select(s => s.ToString("0.0", CultureInfo.InvariantCulture)))} s; " +
                $"whole test {clock.Elapsed.TotalSeconds:0} s; verify.py: exit {exit}, {summary}");
            Assert.Equal(Kills * Players * RollsPerPlayer, acked.Count);
            Assert.Equal(acked.Count, stored.Count);
            // An attempt whose append failed (or whose instance lost the reply) gives its nonce back to its retry, which draws the
            // same dice: every member's nonces count 1, 2, 3... and verify.py passes every check of the log.
            var lines = stdout.Split('\n');
            var fails = lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
            var nonceChecks = lines.Count(l => l.Contains(" nonce: ", StringComparison.Ordinal));
            output.WriteLine($"verify.py: {lines.Count(l => l.StartsWith("PASS", StringComparison.Ordinal))} PASS lines, {fails.Count} FAIL lines, " +
                $"{nonceChecks} nonce checks");
            Assert.True(string.IsNullOrEmpty(stderr) && exit == 0, $"verify.py exit {exit}: {stderr}\n{string.Join('\n', fails.Take(10))}");
            Assert.Empty(fails);
            Assert.Equal(acked.Count, nonceChecks);
        }
        finally
        {
            players.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Posts one roll with its request id until it is acknowledged; returns how many attempts failed.</summary>
    private static async Task<int> RollUntilAckedAsync(Browser player, string code, string label, ConcurrentDictionary<string, string> acked)
    {
        var failed = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < RollDeadline)
        {
            try
            {
                var response = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", $"1d20 # {label}"), ("modifier", "0"), ("advantage", "none"),
                    ("request_id", label));
                if (response.Status == HttpStatusCode.OK)
                {
                    acked[label] = response.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
                    return failed;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or StackExchange.Redis.RedisException or TimeoutException)
            {
                // the instance's request failed mid-failover: the page sends it again with the same id
            }

            failed++;
            await Task.Delay(100);
        }

        throw new TimeoutException($"roll {label} was not acknowledged in {RollDeadline.TotalSeconds:0} s");
    }

    /// <summary>The room's history against what was acknowledged: lost and duplicated labels, and the first chain break.</summary>
    private static async Task<(List<string> Lost, List<string> Duplicated, string? ChainBreak)> CheckAsync(IRoomStore store, string code,
        ConcurrentDictionary<string, string> acked)
    {
        var stored = await store.GetRollsAfterAsync(code, 0, 10_000);
        var ids = stored.Select(r => r.RollId).ToHashSet(StringComparer.Ordinal);
        var lost = acked.Where(a => !ids.Contains(a.Value)).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        var duplicated = stored.GroupBy(r => r.Label).Where(g => g.Count() > 1).Select(g => g.Key!)
            .Concat(stored.GroupBy(r => r.RollId).Where(g => g.Count() > 1).Select(g => g.Key)).Distinct().ToList();
        string? chainBreak = null;
        var previous = RollHash.Genesis;
        for (var i = 0; i < stored.Count && chainBreak is null; i++)
        {
            var roll = stored[i];
            chainBreak = roll.Sequence != i + 1 ? $"roll {roll.RollId} has sequence {roll.Sequence}, expected {i + 1}"
                : roll.Proof!.PrevHash != previous ? $"roll #{roll.Sequence}'s prev_hash is not the hash of #{i}"
                : null;
            previous = roll.Proof!.Hash;
        }

        return (lost, duplicated, chainBreak);
    }
}
