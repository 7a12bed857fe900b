using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>A challenge for the browser: find a nonce so that SHA-256(<c>Token:nonce</c>) starts with <see cref="Bits"/> zero bits.</summary>
public sealed record ProofChallenge(string Token, int Bits);

/// <summary>A solved challenge as the create form posts it (<c>pow_token</c>, <c>pow_nonce</c>).</summary>
public sealed record ProofOfWorkAnswer(string? Token, string? Nonce)
{
    public bool IsPresent => !string.IsNullOrEmpty(Token) || !string.IsNullOrEmpty(Nonce);
}

/// <summary>
/// Self-hosted proof of work for creating rooms beyond the burst: no third-party service and no puzzle for people. A
/// challenge is a random id, a difficulty and an expiry, protected (signed and encrypted) with ASP.NET Data Protection,
/// so every app instance sharing the key ring verifies the others' challenges; each is accepted once. The difficulty rises
/// with the rooms created on the whole server in the current <see cref="RoomOptions.ProofRateWindow"/>, and the challenge
/// carries it: the browser solves what it was given, and the server checks what it issued.
/// </summary>
public sealed class ProofOfWork(IDataProtectionProvider protection, IOneTimeKeys usedKeys, TimeProvider time, IOptions<RoomOptions> options,
    IRateLimiter counters)
{
    /// <summary>The server-wide counter of rooms created per <see cref="RoomOptions.ProofRateWindow"/> (counted by <see cref="RoomService"/>).</summary>
    public const string CreationRateKey = "rooms-created";

    private const int MaxTokenLength = 1000;
    private const int MaxNonceLength = 32;
    private readonly IDataProtector _protector = protection.CreateProtector("DiceRoller.Rooms.ProofOfWork.v1");
    private readonly RoomOptions _options = options.Value;

    public async Task<ProofChallenge> IssueAsync(CancellationToken ct = default)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expiresAt = (time.GetUtcNow() + _options.ProofTtl).ToUnixTimeMilliseconds();
        var bits = _options.ProofBitsFor(await counters.CountAsync(CreationRateKey, ct));
        return new ProofChallenge(_protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{id}.{bits}.{expiresAt}")), bits);
    }

    /// <summary>True for a genuine, unexpired, solved challenge used for the first time (using it spends it).</summary>
    public async Task<bool> VerifyAsync(ProofOfWorkAnswer answer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.Token is not { Length: > 0 and <= MaxTokenLength } token
            || answer.Nonce is not { Length: > 0 and <= MaxNonceLength } nonce || !nonce.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return false;
        }

        var parts = payload.Split('.');
        if (parts.Length != 3
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return false;
        }

        var remaining = DateTimeOffset.FromUnixTimeMilliseconds(expiresAt) - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero || !HasLeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{token}:{nonce}")), bits))
        {
            return false;
        }

        return await usedKeys.TryUseAsync("pow:" + parts[0], remaining + TimeSpan.FromMinutes(1), ct);
    }

    public static bool HasLeadingZeroBits(ReadOnlySpan<byte> hash, int bits)
    {
        var whole = bits / 8;
        for (var i = 0; i < whole; i++)
        {
            if (hash[i] != 0)
            {
                return false;
            }
        }

        var rest = bits % 8;
        return rest == 0 || (hash[whole] >> (8 - rest)) == 0;
    }
}
