using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;

namespace DiceRoller.Infrastructure;

/// <summary>Where the Data Protection key ring (antiforgery tokens, proof-of-work challenges) is kept.</summary>
public enum KeyRingStore
{
    /// <summary>In Valkey when <c>ConnectionStrings:Valkey</c> is set, else in <see cref="KeyStorageOptions.KeysFolder"/> when set.</summary>
    Auto,

    /// <summary>In <see cref="KeyStorageOptions.KeysFolder"/> (one host, or a folder every host shares), even when Valkey is configured.</summary>
    Folder,

    /// <summary>In Valkey, under <see cref="KeyStorageOptions.ValkeyKey"/>: every app instance on every host reads the same ring.</summary>
    Valkey,
}

/// <summary>Where the Data Protection keys (antiforgery tokens, protected cookies) are kept.</summary>
public sealed class KeyStorageOptions
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A folder that outlives the app's container, e.g. <c>/data/keys</c> on the data volume (the image sets it), so an
    /// upgrade or restart keeps every page's forms and every player's cookies valid. Unset: ASP.NET Core's default
    /// (the user profile; lost with the container). Not used for the ring when it is kept in Valkey.
    /// </summary>
    public string? KeysFolder { get; set; }

    /// <summary>Where the ring lives; <see cref="KeyRingStore.Auto"/>: Valkey when configured (app instances on several hosts share it), else the folder.</summary>
    public KeyRingStore KeyRing { get; set; } = KeyRingStore.Auto;

    /// <summary>The Valkey list that holds the ring (one key, so it sits on one shard of a cluster).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "DataProtection:ValkeyKey must not be empty.")]
    public string ValkeyKey { get; set; } = "diceroller:data-protection-keys";
}

public static class KeyPersistence
{
    /// <summary>
    /// Data Protection under one application name, its ring persisted in Valkey (when configured, unless
    /// <c>DataProtection:KeyRing</c> says <c>folder</c>) or in <see cref="KeyStorageOptions.KeysFolder"/> when set.
    /// </summary>
    public static WebApplicationBuilder AddKeyPersistence(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KeyStorageOptions>().BindConfiguration(KeyStorageOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                o => o.KeyRing != KeyRingStore.Valkey || !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Valkey")),
                "DataProtection:KeyRing is valkey but ConnectionStrings:Valkey is not set.")
            .Validate(
                o => o.KeyRing != KeyRingStore.Folder || !string.IsNullOrWhiteSpace(o.KeysFolder),
                "DataProtection:KeyRing is folder but DataProtection:KeysFolder is not set.")
            .ValidateOnStart();

        // The same name in every version and container, so keys written by one release decrypt in the next
        // (the default discriminator is the content root path).
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("DiceRoller");
        var options = new KeyStorageOptions();
        builder.Configuration.GetSection(KeyStorageOptions.Section).Bind(options);
        var hasValkey = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Valkey"));
        var inValkey = options.KeyRing == KeyRingStore.Valkey || (options.KeyRing == KeyRingStore.Auto && hasValkey);
        if (inValkey && hasValkey)
        {
            // The app's own multiplexer (registered with the room store), asked for lazily: the ring is read on the
            // first protect/unprotect, after the container is built.
            builder.Services.AddOptions<KeyManagementOptions>()
                .Configure<IConnectionMultiplexer, Microsoft.Extensions.Options.IOptions<KeyStorageOptions>>((o, valkey, storage) =>
                    o.XmlRepository = new RedisXmlRepository(() => valkey.GetDatabase(), storage.Value.ValkeyKey));
        }
        else if (!string.IsNullOrWhiteSpace(options.KeysFolder) && options.KeyRing != KeyRingStore.Valkey)
        {
            dataProtection.PersistKeysToFileSystem(Directory.CreateDirectory(options.KeysFolder));
        }

        return builder;
    }
}
