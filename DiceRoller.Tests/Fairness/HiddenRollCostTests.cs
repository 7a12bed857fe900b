using System.Diagnostics;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Fairness;

/// <summary>
/// What the hidden-roll secret costs (issue 18): the draw of a public roll against a hidden one (its secret and Merkle path
/// opened, then mixed into every block), and a new seed with its hidden-roll root (at creation and rotation). Prints ns and
/// bytes allocated per operation; the bounds are generous (a loaded 2-core CI machine) and only catch a blow-up.
/// </summary>
public class HiddenRollCostTests(ITestOutputHelper output)
{
    private const int Rounds = 200;

    private static readonly DiceSpec D20 = DiceNotation.Parse("1d20", null, null).Spec!;

    private (double Ns, double Bytes) Measure(string name, Action<int> operation)
    {
        for (var i = 0; i < 20; i++)
        {
            operation(i); // warm-up: JIT, first-call costs
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            operation(i);
        }

        var ns = clock.Elapsed.TotalNanoseconds / Rounds;
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Rounds;
        output.WriteLine($"{name}: {ns:0} ns, {bytes:0} B allocated per operation ({Rounds} rounds)");
        return (ns, bytes);
    }

    [Fact]
    public void A_hidden_rolls_secret_costs_under_a_millisecond_more_than_a_public_roll_once_its_tree_is_built()
    {
        var seed = RoomSeedSecret.New();
        var sink = 0;

        var (publicNs, publicBytes) = Measure("public 1d20 draw", i =>
            sink += DiceEngine.Roll(D20, new SeededRandomSource(seed.Seed, "client-seed", i + 1)).Total);
        var tree = HiddenSecrets.Build(seed.HiddenKey); // built once per seed and kept (RollService caches it by commitment)
        var (hiddenNs, hiddenBytes) = Measure("hidden 1d20 draw (secret + path from the kept tree + draw)", i =>
        {
            var (secret, _) = HiddenSecrets.Open(tree, seed.HiddenKey, i % HiddenSecrets.Count);
            sink += DiceEngine.Roll(D20, new SeededRandomSource(seed.Seed, "client-seed", i + 1, secret)).Total;
        });
        var (coldNs, _) = Measure("hidden 1d20 draw, tree built for the roll (first hidden roll of a seed on an instance)", i =>
        {
            var (secret, _) = HiddenSecrets.Open(seed.HiddenKey, i % HiddenSecrets.Count);
            sink += DiceEngine.Roll(D20, new SeededRandomSource(seed.Seed, "client-seed", i + 1, secret)).Total;
        });
        var (seedNs, seedBytes) = Measure("new seed with its hidden-roll root", _ => sink += RoomSeedSecret.New().Commitment.Length);

        output.WriteLine($"hidden minus public: {hiddenNs - publicNs:0} ns, {hiddenBytes - publicBytes:0} B per roll (sink {sink})");
        Assert.True(hiddenNs - publicNs < 1_000_000, $"a hidden roll's secret costs {hiddenNs - publicNs:0} ns");
        Assert.True(coldNs < 50_000_000, $"a hidden roll that builds its tree costs {coldNs:0} ns");
        Assert.True(seedNs < 20_000_000, $"a new seed costs {seedNs:0} ns");
        Assert.True(seedBytes > 0 && hiddenBytes > publicBytes); // the measurement saw the work it claims to measure
    }
}
