using System.Globalization;
using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Permalinks;

/// <summary>One row of <c>roll_permalinks</c>.</summary>
public sealed record PermalinkRow
{
    public required string RollId { get; init; }
    public required string RoomCode { get; init; }
    public required string RoomMode { get; init; }
    public required string PlayerName { get; init; }
    public required string DiceFormula { get; init; }
    public required long DiceType { get; init; }
    public required long DiceCount { get; init; }
    public required long Modifier { get; init; }
    public required string Advantage { get; init; }
    public required string IndividualResults { get; init; }
    public required long Total { get; init; }
    public string? DcCheck { get; init; }
    public required long Timestamp { get; init; }
    public required string CreatedAt { get; init; }
    public required string ExpiresAt { get; init; }
    public long Hidden { get; init; }
    public long Revealed { get; init; }
    public long? KeptIndex { get; init; }
    public string? Terms { get; init; }
    public string? Label { get; init; }
    public long? Successes { get; init; }
    public long CapReached { get; init; }
    public string? PlayerId { get; init; }
    public long? Sequence { get; init; }
    public string? Commitment { get; init; }
    public string? ClientSeed { get; init; }
    public long? Nonce { get; init; }
    public long? BlockValuesUsed { get; init; }
    public string? Salt { get; init; }
    public string? PrevHash { get; init; }
    public string? Hash { get; init; }
    public string? Signature { get; init; }
    public string? KeyId { get; init; }

    /// <summary>A rules-2 roll's <see cref="ProofRules"/> as JSON; null before rules 2.</summary>
    public string? ProofRules { get; init; }

    /// <summary>Hidden rolls have no public content until the DM reveals them.</summary>
    public bool IsPublic => Hidden == 0 || Revealed != 0;
}

/// <summary>
/// The permalink JSON's <c>fairness</c> object (docs/fairness.md): everything needed to recompute the roll's hash, check its
/// signature and, once <see cref="ServerSeed"/> is published, replay its dice. <see cref="Salt"/> is empty for public rolls,
/// null while a hidden roll is hidden.
/// </summary>
public sealed record PermalinkFairness(
    long Sequence,
    string PlayerId,
    string Commitment,
    string? ServerSeed,
    string ClientSeed,
    long Nonce,
    int BlockValuesUsed,
    string? Salt,
    string PrevHash,
    string Hash,
    string Signature,
    string KeyId)
{
    /// <summary>1 before client-seed order and hidden-roll secrets, 2 after (docs/fairness.md).</summary>
    public int Rules { get; init; } = 1;

    /// <summary>Rules 2: the commitment current when the client seed was set (the roll's own one).</summary>
    public string? ClientSeedCommitment { get; init; }

    /// <summary>Rules 2: the server picked the client seed (the member had set none under this commitment).</summary>
    public bool? ClientSeedByServer { get; init; }

    /// <summary>Rules 2, a hidden roll: which of its commitment's hidden-roll secrets it took (null while hidden, like the salt).</summary>
    public int? HiddenIndex { get; init; }

    /// <summary>Rules 2, a hidden roll: the secret's Merkle path, leaf level first (null while hidden, like the salt).</summary>
    public IReadOnlyList<string>? HiddenPath { get; init; }
}

/// <summary>The rules-2 fields of a roll's proof, as the archive keeps them (column <c>proof_rules</c>, JSON).</summary>
public sealed record ProofRules(int Rules, string? ClientSeedCommitment, bool ClientSeedByServer, int? HiddenIndex, IReadOnlyList<string>? HiddenPath)
{
    public static ProofRules Of(RollProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new(proof.Rules, proof.ClientSeedCommitment, proof.ClientSeedByServer, proof.HiddenIndex, proof.HiddenPath);
    }
}

/// <summary>One row of <c>room_seeds</c>: a room seed kept beside its rolls' permalinks, published once <see cref="RevealedAt"/> is set.</summary>
public sealed record SeedRow
{
    public required string Commitment { get; init; }
    public required string RoomCode { get; init; }
    public required string ServerSeed { get; init; }
    public required string CreatedAt { get; init; }
    public string? RevealedAt { get; init; }
    public required string ExpiresAt { get; init; }
}

/// <summary>
/// The public view of a roll (the JSON of <c>/api/permalink/{roll_id}</c>, and the page's model). <see cref="Terms"/> is
/// every term with its dice (value and fate) and subtotal; for rows stored before the dice language it is rebuilt from
/// the row's dice fields. <see cref="DcCheck"/> is present only on a d20 check, <see cref="Crit"/> only on a natural 20 or 1.
/// </summary>
public sealed record Permalink(
    string RollId,
    string RoomCode,
    string RoomMode,
    string PlayerName,
    string DiceFormula,
    string Advantage,
    IReadOnlyList<int> IndividualResults,
    int Total,
    DcCheck? DcCheck,
    long Timestamp,
    string CreatedAt,
    string ExpiresAt)
{
    internal int? KeptIndex { get; init; }
    internal int Modifier { get; init; }

    public IReadOnlyList<TermOutcome> Terms { get; init; } = [];
    public string? Label { get; init; }
    public int? Successes { get; init; }
    public bool CapReached { get; init; }
    public string? Crit { get; init; }

    /// <summary>The roll's proof (docs/fairness.md); null for rolls made before fairness.</summary>
    public PermalinkFairness? Fairness { get; init; }

    public static Permalink From(PermalinkRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var results = JsonSerializer.Deserialize<int[]>(row.IndividualResults) ?? [];
        var advantage = AdvantageNames.TryParse(row.Advantage, out var adv) ? adv : Dice.Advantage.None;
        var terms = row.Terms is null ? null : RoomJson.Deserialize<TermOutcome[]>(row.Terms);
        // As the room's roll says it (Roll.IsD20Check): arithmetic or a critical hit's doubled dice leave no natural d20.
        var d20 = Roll.IsD20CheckOf(terms, (int)row.DiceType, (int)row.DiceCount) && !Roll.HasArithmetic(row.DiceFormula);
        int? natural = d20 && results.Length > 0 ? results[Math.Clamp((int?)row.KeptIndex ?? 0, 0, results.Length - 1)] : null;
        return new Permalink(
            row.RollId,
            Anonymise(row.RoomCode),
            row.RoomMode,
            row.PlayerName,
            row.DiceFormula,
            row.Advantage,
            results,
            (int)row.Total,
            row.DcCheck is null || !d20 ? null : RoomJson.Deserialize<DcCheck>(row.DcCheck),
            row.Timestamp,
            ToIso(row.CreatedAt),
            ToIso(row.ExpiresAt))
        {
            KeptIndex = (int?)row.KeptIndex,
            Modifier = (int)row.Modifier,
            Terms = terms ?? Roll.LegacyTerms((int)row.DiceType, (int)row.DiceCount, (int)row.Modifier, advantage, results, (int?)row.KeptIndex),
            Label = row.Label,
            Successes = (int?)row.Successes,
            CapReached = row.CapReached != 0,
            Crit = Roll.CritOf(natural),
            Fairness = FairnessOf(row),
        };
    }

    /// <summary>
    /// The proof columns; the salt (a rules-2 hidden roll's secret) and the hidden-roll index and path only once the roll is public
    /// (published on reveal), never the seed.
    /// </summary>
    private static PermalinkFairness? FairnessOf(PermalinkRow row) =>
        row is { Hash: { } hash, Sequence: long sequence, PlayerId: { } playerId, Commitment: { } commitment, ClientSeed: { } clientSeed,
            Nonce: long nonce, PrevHash: { } prevHash, Signature: { } signature, KeyId: { } keyId }
            ? WithRules(new PermalinkFairness(sequence, playerId, commitment, null, clientSeed, nonce, (int)(row.BlockValuesUsed ?? 0),
                row.IsPublic ? row.Salt ?? "" : null, prevHash, hash, signature, keyId), RulesOf(row), row.IsPublic)
            : null;

    /// <summary>The row's rules-2 fields; null before rules 2.</summary>
    public static ProofRules? RulesOf(PermalinkRow row) => row?.ProofRules is { } json ? RoomJson.Deserialize<ProofRules>(json) : null;

    /// <summary>The fairness object with its rules-2 fields; the hidden-roll index and path only when <paramref name="open"/>.</summary>
    public static PermalinkFairness WithRules(PermalinkFairness fairness, ProofRules? rules, bool open)
    {
        ArgumentNullException.ThrowIfNull(fairness);
        return rules is null ? fairness : fairness with
        {
            Rules = rules.Rules,
            ClientSeedCommitment = rules.ClientSeedCommitment,
            ClientSeedByServer = rules.ClientSeedByServer,
            HiddenIndex = open ? rules.HiddenIndex : null,
            HiddenPath = open ? rules.HiddenPath : null,
        };
    }

    /// <summary><c>ALPHA-1234</c> becomes <c>ALPH****</c>.</summary>
    public static string Anonymise(string roomCode) => roomCode.Length <= 4 ? "****" : string.Concat(roomCode.AsSpan(0, 4), "****");

    public const string StoredFormat = "yyyy-MM-dd HH:mm:ss";

    public static string ToStored(DateTimeOffset time) => time.UtcDateTime.ToString(StoredFormat, CultureInfo.InvariantCulture);

    private static string ToIso(string stored) =>
        DateTime.TryParseExact(stored, StoredFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : stored;
}
