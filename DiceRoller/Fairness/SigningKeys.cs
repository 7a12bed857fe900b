using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Fairness;

/// <summary>Where the server's roll-signing key comes from (one key shared by every app instance).</summary>
public sealed class SigningKeyOptions
{
    public const string Section = "Fairness";

    /// <summary>The raw 32-byte Ed25519 private key as base64 (e.g. from a secret store). Wins over <see cref="SigningKeyFile"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The key file, created on first start (mode 600). Unset: <c>roll-signing.ed25519</c> in <c>DataProtection:KeysFolder</c>
    /// when that is set (the image's data volume), else in the app's <c>data/</c> folder beside the permalinks.
    /// </summary>
    public string? SigningKeyFile { get; set; }
}

public static class SigningKeys
{
    public const string FileName = "roll-signing.ed25519";

    /// <summary>Registers <see cref="IRollSigner"/>, loading (or on first start creating) the key when first needed.</summary>
    public static IServiceCollection AddRollSigner(this IServiceCollection services)
    {
        services.AddOptions<SigningKeyOptions>().BindConfiguration(SigningKeyOptions.Section)
            .Validate(o => o.SigningKey is null || IsKey(o.SigningKey), "Fairness:SigningKey must be a base64 32-byte Ed25519 private key.")
            .ValidateOnStart();
        services.AddSingleton<IRollSigner>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SigningKeyOptions>>().Value;
            if (options.SigningKey is not null)
            {
                return new Ed25519RollSigner(Convert.FromBase64String(options.SigningKey));
            }

            var path = options.SigningKeyFile ?? DefaultPath(sp.GetRequiredService<IOptions<KeyStorageOptions>>().Value,
                sp.GetRequiredService<IHostEnvironment>().ContentRootPath);
            return new Ed25519RollSigner(LoadOrCreate(path));
        });
        return services;
    }

    public static string DefaultPath(KeyStorageOptions keys, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Path.Combine(string.IsNullOrWhiteSpace(keys.KeysFolder) ? Path.Combine(contentRoot, "data") : keys.KeysFolder, FileName);
    }

    /// <summary>
    /// Reads the key at <paramref name="path"/>, or creates it there. Instances starting together on one shared folder agree:
    /// the file is created exclusively, and the loser of that race reads the winner's key.
    /// </summary>
    public static byte[] LoadOrCreate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        for (var attempt = 0; ; attempt++)
        {
            if (File.Exists(path))
            {
                var text = File.ReadAllText(path).Trim();
                if (IsKey(text))
                {
                    return Convert.FromBase64String(text);
                }

                if (attempt >= 50)
                {
                    throw new InvalidOperationException($"The roll-signing key file {path} does not hold a base64 32-byte Ed25519 key.");
                }

                Thread.Sleep(20); // another instance is writing it right now
                continue;
            }

            var key = Ed25519RollSigner.NewPrivateKey();
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var file = new StreamWriter(path, options))
                {
                    file.Write(Convert.ToBase64String(key));
                }

                return key;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Lost the race: read the other instance's key.
            }
        }
    }

    private static bool IsKey(string text)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(text, buffer, out var length) && length == 32;
    }
}
