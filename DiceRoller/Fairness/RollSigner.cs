using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace DiceRoller.Fairness;

/// <summary>The server's public signing key as published at <c>/.well-known/diceroller-key</c>.</summary>
public sealed record SigningKeyInfo(string Algorithm, string KeyId, string PublicKey);

/// <summary>Signs each roll's hash (the UTF-8 bytes of its lowercase hex string) with the server's Ed25519 key.</summary>
public interface IRollSigner
{
    SigningKeyInfo Key { get; }

    /// <summary>The base64 Ed25519 signature of <paramref name="hash"/>'s UTF-8 bytes.</summary>
    string Sign(string hash);
}

/// <summary>Ed25519 through NSec (libsodium). The key id is the first 16 hex digits of SHA-256 of the raw public key.</summary>
public sealed class Ed25519RollSigner : IRollSigner, IDisposable
{
    public const string AlgorithmName = "Ed25519";
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly NSec.Cryptography.Key _key;

    /// <param name="privateKey">The 32-byte raw Ed25519 private key (seed).</param>
    public Ed25519RollSigner(ReadOnlySpan<byte> privateKey)
    {
        _key = NSec.Cryptography.Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey);
        var publicKey = _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Key = new SigningKeyInfo(AlgorithmName, KeyIdOf(publicKey), Convert.ToBase64String(publicKey));
    }

    public SigningKeyInfo Key { get; }

    public string Sign(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Convert.ToBase64String(Algorithm.Sign(_key, Encoding.UTF8.GetBytes(hash)));
    }

    public void Dispose() => _key.Dispose();

    /// <summary>A fresh 32-byte raw private key.</summary>
    public static byte[] NewPrivateKey()
    {
        using var key = NSec.Cryptography.Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return key.Export(KeyBlobFormat.RawPrivateKey);
    }

    public static string KeyIdOf(ReadOnlySpan<byte> rawPublicKey) => Convert.ToHexStringLower(SHA256.HashData(rawPublicKey))[..16];

    /// <summary>True when <paramref name="signatureBase64"/> is a valid signature of <paramref name="hash"/> by the base64 raw public key.</summary>
    public static bool Verify(string publicKeyBase64, string hash, string signatureBase64)
    {
        ArgumentNullException.ThrowIfNull(hash);
        try
        {
            var publicKey = PublicKey.Import(Algorithm, Convert.FromBase64String(publicKeyBase64), KeyBlobFormat.RawPublicKey);
            return Algorithm.Verify(publicKey, Encoding.UTF8.GetBytes(hash), Convert.FromBase64String(signatureBase64));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return false;
        }
    }
}
