using System.Diagnostics;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// What the proof adds to each roll, measured in a timed loop and printed (never asserted: the machine is shared):
/// the seeded draw against the OS generator, and the hash line plus the Ed25519 signature.
/// </summary>
public sealed class ProofCostTests(ITestOutputHelper output)
{
    private const int Rolls = 20_000;

    [Fact]
    public void Hashing_and_signing_a_roll_costs_are_printed()
    {
        var seed = RoomSeed.Create();
        var commitment = RoomSeed.Commitment(seed);
        using var signer = new Ed25519RollSigner(Ed25519RollSigner.NewPrivateKey());
        var (spec, _) = DiceNotation.Parse("1d20+5", null, "advantage");
        var os = new CryptoRandomSource();

        // Warm up both paths (JIT, libsodium init).
        for (var i = 0; i < 200; i++)
        {
            DiceEngine.Roll(spec!, os);
            Proof(i);
        }

        var draw = Stopwatch.StartNew();
        for (var i = 1; i <= Rolls; i++)
        {
            DiceEngine.Roll(spec!, os);
        }

        draw.Stop();
        var seeded = Stopwatch.StartNew();
        for (var i = 1; i <= Rolls; i++)
        {
            DiceEngine.Roll(spec!, new SeededRandomSource(seed, "client", i));
        }

        seeded.Stop();
        var hash = Stopwatch.StartNew();
        var last = "";
        for (var i = 1; i <= Rolls; i++)
        {
            last = Proof(i).Hash;
        }

        hash.Stop();
        var sign = Stopwatch.StartNew();
        for (var i = 1; i <= Rolls; i++)
        {
            signer.Sign(last);
        }

        sign.Stop();
        output.WriteLine($"per roll over {Rolls} rolls of 2d20kh1+5:");
        output.WriteLine($"  OS CSPRNG draw        {Micro(draw):0.00} us");
        output.WriteLine($"  seeded HMAC draw      {Micro(seeded):0.00} us");
        output.WriteLine($"  hash line + SHA-256   {Micro(hash):0.00} us");
        output.WriteLine($"  Ed25519 signature     {Micro(sign):0.00} us");
        output.WriteLine($"  added by the proof    {Micro(seeded) - Micro(draw) + Micro(hash) + Micro(sign):0.00} us");
        Assert.True(Ed25519RollSigner.Verify(signer.Key.PublicKey, last, signer.Sign(last)));

        (string Hash, int Index) Proof(int nonce) =>
            (RollHash.Compute(new RollHash.Input(RollHash.Genesis, "0192f0c2-0000-7000-8000-000000000000", nonce, "player", "1d20+5", [12, 17], 22,
                "client", nonce, commitment, "")), nonce);
    }

    private static double Micro(Stopwatch watch) => watch.Elapsed.TotalMicroseconds / Rolls;
}
