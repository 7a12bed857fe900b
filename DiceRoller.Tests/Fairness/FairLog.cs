using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Fairness;

namespace DiceRoller.Tests.Fairness;

/// <summary>
/// Builds a room log the way docs/fairness.md describes it, from the primitives alone (DiceEngine through
/// SeededRandomSource, RollHash, an Ed25519 signer): the verifier's and verify.py's test input.
/// <code>new FairLog().Roll("ann", "1d20+5").Roll("bob", "4d6kh3", hidden: true).Build()</code>
/// </summary>
public sealed class FairLog : IDisposable
{
    /// <summary>The published test key of docs/fairness.md (raw Ed25519 private key 00 01 02 ... 1f).</summary>
    public static readonly byte[] TestSigningKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    public static readonly byte[] TestSeed = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    private readonly List<(VerifiableRoll Roll, bool Hidden, bool Revealed)> _rolls = [];
    private readonly Dictionary<string, long> _nonces = new(StringComparer.Ordinal);
    private readonly byte[] _seed;
    private string _prevHash = RollHash.Genesis;
    private int _ids;

    public FairLog(byte[]? seed = null, byte[]? signingKey = null)
    {
        _seed = seed ?? TestSeed;
        Signer = new Ed25519RollSigner(signingKey ?? TestSigningKey);
    }

    public Ed25519RollSigner Signer { get; }

    public string Commitment => RoomSeed.Commitment(_seed);

    public VerifiableKey Key => new() { Algorithm = Signer.Key.Algorithm, KeyId = Signer.Key.KeyId, PublicKey = Signer.Key.PublicKey };

    /// <summary>Rolls <paramref name="formula"/> for <paramref name="player"/> (client seed <c>{player}-seed</c> unless given; a hidden roll gets a random salt unless given).</summary>
    public FairLog Roll(string player, string formula, string? advantage = null, bool hidden = false, bool revealed = false, string? clientSeed = null, string? salt = null)
    {
        var (spec, error) = DiceNotation.Parse(formula, null, advantage);
        Assert.Null(error);
        var nonce = _nonces[player] = _nonces.GetValueOrDefault(player) + 1;
        var seed = clientSeed ?? $"{player}-seed";
        var stream = new SeededRandomSource(_seed, seed, nonce);
        var outcome = DiceEngine.Roll(spec!, stream);
        var sequence = _rolls.Count + 1;
        var roll = new VerifiableRoll
        {
            RollId = $"00000000-0000-4000-8000-{++_ids:D12}",
            PlayerName = player,
            DiceFormula = spec!.Formula,
            Advantage = spec.Advantage.ToWire(),
            IndividualResults = outcome.Results,
            Total = outcome.Total,
            Terms = outcome.Terms.Select(t => new VerifiableTerm
            {
                Notation = t.Notation,
                Dice = t.Dice.Select(d => new VerifiableDie { Value = d.Value, Fate = RollVerifier.FateName(d.Fate), Counted = d.Counted }).ToList(),
                Subtotal = t.Subtotal,
                Successes = t.Successes,
                Annotation = t.Annotation,
            }).ToList(),
            Label = spec.Label,
            Successes = JsonSerializer.SerializeToElement(outcome.Successes),
            CapReached = JsonSerializer.SerializeToElement(outcome.CapReached),
            Crit = JsonSerializer.SerializeToElement(outcome.Natural switch { 20 => "success", 1 => "failure", _ => null }),
        };
        var fairness = new VerifiableFairness
        {
            Sequence = sequence,
            PlayerId = $"player-{player}",
            Commitment = Commitment,
            ClientSeed = seed,
            Nonce = nonce,
            BlockValuesUsed = stream.ValuesUsed,
            Salt = hidden ? salt ?? RollHash.NewSalt() : "",
            PrevHash = _prevHash,
            KeyId = Signer.Key.KeyId,
        };
        var hash = RollHash.Compute(RollVerifier.InputOf(roll, fairness));
        _prevHash = hash;
        _rolls.Add((roll with { Fairness = fairness with { Hash = hash, Signature = Signer.Sign(hash) } }, hidden, revealed));
        return this;
    }

    /// <summary>
    /// The log as a member sees it: the server seed published when <paramref name="seedRevealed"/>; hidden rolls not yet
    /// revealed with their values, terms and salt withheld (<paramref name="asDm"/> sees their values, never the salt).
    /// </summary>
    public VerifiableLog Build(bool seedRevealed = true, bool asDm = false) => new()
    {
        RoomCode = "ALPHA-1234",
        Key = Key,
        Rolls = _rolls.Select(r => View(r.Roll, r.Hidden && !r.Revealed, seedRevealed, asDm)).ToList(),
    };

    private VerifiableRoll View(VerifiableRoll roll, bool withheld, bool seedRevealed, bool asDm)
    {
        var fairness = roll.Fairness! with { ServerSeed = seedRevealed ? RoomSeed.ToHex(_seed) : null };
        if (!withheld)
        {
            return roll with { Fairness = fairness };
        }

        fairness = fairness with { Salt = null };
        return asDm
            ? roll with { Fairness = fairness }
            : roll with
            {
                IndividualResults = null, Total = null, Terms = null, Successes = Null, CapReached = Null, Crit = Null,
                Fairness = fairness with { BlockValuesUsed = null },
            };
    }

    private static readonly JsonElement Null = JsonSerializer.SerializeToElement<object?>(null);

    public void Dispose() => Signer.Dispose();
}
