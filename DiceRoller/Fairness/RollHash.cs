using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DiceRoller.Fairness;

/// <summary>
/// The room log's hash chain (docs/fairness.md): each roll's <c>hash = hex(SHA-256(UTF-8(line)))</c> over
/// <c>{prev_hash}|{roll_id}|{sequence}|{player_id}|{formula}|{results comma-joined in draw order}|{total}|{client_seed}|{nonce}|{commitment}|{salt}</c>.
/// The first roll of a room chains to <see cref="Genesis"/>. Hidden rolls carry a random salt (published on reveal),
/// public rolls an empty one. A rules-2 roll (docs/fairness.md) appends <c>|2|{client_seed_commitment}|{client_seed_by}|{hidden_index}</c>
/// (<c>member</c> or <c>server</c>; the index empty for a public roll); its hidden roll's salt is its hidden-roll secret.
/// </summary>
public static class RollHash
{
    public static readonly string Genesis = new('0', 64);

    public sealed record Input(
        string PrevHash,
        string RollId,
        long Sequence,
        string PlayerId,
        string Formula,
        IReadOnlyList<int> Results,
        int Total,
        string ClientSeed,
        long Nonce,
        string Commitment,
        string Salt,
        int Rules = 1,
        string? ClientSeedCommitment = null,
        bool ClientSeedByServer = false,
        int? HiddenIndex = null);

    public static string Line(Input input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var results = string.Join(',', input.Results.Select(r => r.ToString(CultureInfo.InvariantCulture)));
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{input.PrevHash}|{input.RollId}|{input.Sequence}|{input.PlayerId}|{input.Formula}|{results}|{input.Total}|{input.ClientSeed}|{input.Nonce}|{input.Commitment}|{input.Salt}");
        return input.Rules < 2 ? line : string.Create(CultureInfo.InvariantCulture,
            $"{line}|{input.Rules}|{input.ClientSeedCommitment}|{(input.ClientSeedByServer ? "server" : "member")}|{input.HiddenIndex}");
    }

    public static string Compute(Input input) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Line(input))));

    /// <summary>A hidden roll's salt: 16 random bytes as lowercase hex.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
