using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
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
        // One string, built in a stack buffer (the results written in place, not joined first).
        var line = new DefaultInterpolatedStringHandler(16, 16, CultureInfo.InvariantCulture, stackalloc char[512]);
        line.AppendFormatted(input.PrevHash);
        line.AppendLiteral("|");
        line.AppendFormatted(input.RollId);
        line.AppendLiteral("|");
        line.AppendFormatted(input.Sequence);
        line.AppendLiteral("|");
        line.AppendFormatted(input.PlayerId);
        line.AppendLiteral("|");
        line.AppendFormatted(input.Formula);
        line.AppendLiteral("|");
        for (var i = 0; i < input.Results.Count; i++)
        {
            if (i > 0)
            {
                line.AppendLiteral(",");
            }

            line.AppendFormatted(input.Results[i]);
        }

        line.AppendLiteral("|");
        line.AppendFormatted(input.Total);
        line.AppendLiteral("|");
        line.AppendFormatted(input.ClientSeed);
        line.AppendLiteral("|");
        line.AppendFormatted(input.Nonce);
        line.AppendLiteral("|");
        line.AppendFormatted(input.Commitment);
        line.AppendLiteral("|");
        line.AppendFormatted(input.Salt);
        if (input.Rules >= 2)
        {
            line.AppendLiteral("|");
            line.AppendFormatted(input.Rules);
            line.AppendLiteral("|");
            line.AppendFormatted(input.ClientSeedCommitment);
            line.AppendLiteral(input.ClientSeedByServer ? "|server|" : "|member|");
            line.AppendFormatted(input.HiddenIndex);
        }

        return line.ToStringAndClear();
    }

    public static string Compute(Input input)
    {
        var line = Line(input);
        var size = Encoding.UTF8.GetMaxByteCount(line.Length);
        var rented = size > 1024 ? ArrayPool<byte>.Shared.Rent(size) : null;
        try
        {
            var bytes = rented ?? stackalloc byte[1024];
            var length = Encoding.UTF8.GetBytes(line, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..length], hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A hidden roll's salt: 16 random bytes as lowercase hex.</summary>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
