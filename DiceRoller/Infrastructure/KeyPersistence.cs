using System.ComponentModel.DataAnnotations;
using DiceRoller.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;

namespace DiceRoller.Infrastructure;

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
