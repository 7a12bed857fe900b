using Microsoft.AspNetCore.DataProtection;

namespace DiceRoller.Infrastructure;

/// <summary>Where the Data Protection keys (antiforgery tokens, protected cookies) are kept.</summary>
public sealed class KeyStorageOptions
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A folder that outlives the app's container, e.g. <c>/data/keys</c> on the data volume (the image sets it), so an
    /// upgrade or restart keeps every page's forms and every player's cookies valid. Unset: ASP.NET Core's default
    /// (the user profile; lost with the container).
    /// </summary>
    public string? KeysFolder { get; set; }
}

public static class KeyPersistence
{
    /// <summary>Data Protection under one application name, its keys persisted to <see cref="KeyStorageOptions.KeysFolder"/> when set.</summary>
    public static WebApplicationBuilder AddKeyPersistence(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KeyStorageOptions>().BindConfiguration(KeyStorageOptions.Section);

        // The same name in every version and container, so keys written by one release decrypt in the next
        // (the default discriminator is the content root path).
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("DiceRoller");
        var folder = builder.Configuration[$"{KeyStorageOptions.Section}:{nameof(KeyStorageOptions.KeysFolder)}"];
        if (!string.IsNullOrWhiteSpace(folder))
        {
            dataProtection.PersistKeysToFileSystem(Directory.CreateDirectory(folder));
        }

        return builder;
    }
}
