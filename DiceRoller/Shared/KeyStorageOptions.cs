using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Shared;

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
