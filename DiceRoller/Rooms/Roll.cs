using System.Globalization;
using System.Text.Json.Serialization;
using DiceRoller.Dice;

namespace DiceRoller.Rooms;

public sealed record DcCheck(int Dc, bool Passed);

/// <summary>
/// What makes a roll verifiable (docs/fairness.md): the room seed's <see cref="Commitment"/>, the member's client seed and
/// nonce the dice were drawn with, how many 32-bit stream values they used, the salt (empty for public rolls), and the
/// roll's place in the room's hash chain, signed. Absent on rolls made before fairness.
/// <para>Rules 2 (docs/fairness.md): <see cref="ClientSeedCommitment"/> is the commitment current when the client seed was set
/// (always the roll's own commitment: an older seed is not used), <see cref="ClientSeedByServer"/> whether the server picked it;
/// a hidden roll takes hidden-roll secret <see cref="HiddenIndex"/> of its commitment, its <see cref="Salt"/> is that secret
/// (published on reveal, like every salt) and <see cref="HiddenPath"/> its Merkle path.</para>
/// </summary>
public sealed record RollProof(
    string Commitment,
    string ClientSeed,
    long Nonce,
    int ValuesUsed,
    string Salt,
    string PrevHash,
    string Hash,
    string Signature,
    string KeyId,
    int Rules = 1,
    string? ClientSeedCommitment = null,
    bool ClientSeedByServer = false,
    int? HiddenIndex = null,
    IReadOnlyList<string>? HiddenPath = null);

/// <summary>
/// One roll as recorded in the room's history. Immutable; <see cref="Sequence"/> is assigned by the
/// store when the roll is appended (1, 2, 3... per room, gap-free).
/// <para>The architecture's fields keep their meaning for a one-term roll. For a formula of several terms:
/// <see cref="DiceType"/> is the faces of the first dice term (3 for Fudge dice), <see cref="DiceCount"/> the dice
/// asked for over all terms before explosions and rerolls (1 with advantage, as the pad always recorded),
/// <see cref="Modifier"/> the sum of the constant terms, <see cref="Advantage"/> set only for a <c>2d20kh1</c>/<c>2d20kl1</c>
/// check. <see cref="IndividualResults"/> is every die drawn, in draw order. <see cref="Terms"/>, <see cref="Label"/>,
/// <see cref="Successes"/> and <see cref="CapReached"/> are absent from rolls stored before the dice language
/// (they render through <see cref="DisplayTerms"/>).</para>
/// </summary>
public sealed record Roll(
    string RollId,
    string RoomCode,
    long Sequence,
    string PlayerId,
    string PlayerName,
    long Timestamp,
    string DiceFormula,
    int DiceType,
    int DiceCount,
    int Modifier,
    Advantage Advantage,
    IReadOnlyList<int> IndividualResults,
    int? KeptIndex,
    int Total,
    bool Hidden,
    bool Revealed,
    DcCheck? DcCheck,
    IReadOnlyList<TermOutcome>? Terms = null,
    string? Label = null,
    int? Successes = null,
    bool CapReached = false,
    RollProof? Proof = null)
{
    public string Permalink => $"/roll/{RollId}";

    /// <summary>A single d20 kept (plain, or with advantage/disadvantage), with any constants: naturals and DCs apply.</summary>
    [JsonIgnore]
    public bool IsD20Check => IsD20CheckOf(Terms, DiceType, DiceCount) && !HasArithmetic(DiceFormula);

    /// <summary>The kept d20's face of a d20 check, else null.</summary>
    [JsonIgnore]
    public int? Natural => IsD20Check && IndividualResults.Count > 0 ? IndividualResults[Math.Clamp(KeptIndex ?? 0, 0, IndividualResults.Count - 1)] : null;

    /// <summary><c>success</c> on a natural 20, <c>failure</c> on a natural 1, else null.</summary>
    [JsonIgnore]
    public string? Crit => CritOf(Natural);

    /// <summary>The DC check, only when a DC applies to this roll (a d20 check).</summary>
    [JsonIgnore]
    public DcCheck? AppliedDc => IsD20Check ? DcCheck : null;

    /// <summary>The terms to show: the stored ones, or for an older roll the ones its fields describe.</summary>
    [JsonIgnore]
    public IReadOnlyList<TermOutcome> DisplayTerms => Terms ?? LegacyTerms(DiceType, DiceCount, Modifier, Advantage, IndividualResults, KeptIndex);

    /// <summary>The formula has more than a sum of terms (<c>*</c>, <c>/</c>, parentheses) or is a critical hit's: no natural d20 applies.</summary>
    public static bool HasArithmetic(string formula) =>
        formula.AsSpan().IndexOfAny("*/()") >= 0 || formula.EndsWith(" " + DiceSpec.CritSuffix, StringComparison.Ordinal);

    public static string? CritOf(int? natural) => DiceOutcome.CritOf(natural);

    public static bool IsD20CheckOf(IReadOnlyList<TermOutcome>? terms, int diceType, int diceCount)
    {
        if (terms is null)
        {
            return diceType == 20 && diceCount == 1;
        }

        // Every dice term counts, one of 0 dice too (1d20+0d6 is no d20 check, as the dice engine says).
        var dice = terms.Where(t => t.Dice.Count > 0 || t.Notation.Contains('d', StringComparison.Ordinal)).ToList();
        return dice is [{ Notation: "1d20" or "2d20kh1" or "2d20kl1" }];
    }

    public static IReadOnlyList<TermOutcome> LegacyTerms(int diceType, int diceCount, int modifier, Advantage advantage, IReadOnlyList<int> results, int? keptIndex)
    {
        var notation = advantage switch
        {
            Advantage.Advantage => "2d20kh1",
            Advantage.Disadvantage => "2d20kl1",
            _ => $"{diceCount.ToString(CultureInfo.InvariantCulture)}d{diceType.ToString(CultureInfo.InvariantCulture)}",
        };
        var dice = results.Select((v, i) => new RolledDie(v, keptIndex is int k && k != i ? DieFate.Dropped : DieFate.Kept)).ToList();
        var terms = new List<TermOutcome> { new(notation, dice, dice.Where(d => d.Fate == DieFate.Kept).Sum(d => d.Value)) };
        if (modifier != 0)
        {
            terms.Add(new TermOutcome(modifier.ToString(CultureInfo.InvariantCulture), [], modifier));
        }

        return terms;
    }

    /// <summary>
    /// Whether <paramref name="viewerPlayerId"/> may see the dice, total, label and formula: a hidden roll belongs to its roller
    /// alone until they reveal it (not to whoever is DM now: a DM who took over never sees an earlier DM's hidden rolls).
    /// </summary>
    public bool IsVisibleTo(string? viewerPlayerId) =>
        !Hidden || Revealed || (viewerPlayerId is not null && viewerPlayerId == PlayerId);

    /// <summary>An unrevealed hidden roll whose roller is <paramref name="viewerPlayerId"/>: theirs to reveal.</summary>
    public bool IsRevealableBy(string? viewerPlayerId) => Hidden && !Revealed && viewerPlayerId is not null && viewerPlayerId == PlayerId;
}
