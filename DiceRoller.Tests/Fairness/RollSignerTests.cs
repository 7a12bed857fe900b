using System.Net.Http.Json;
using System.Text.Json;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Fairness;

public class RollSignerTests : AppTest
{
    private static readonly string Hash = new('a', 64);

    [Fact]
    public void A_signature_verifies_with_the_public_key_and_fails_for_any_other_hash_or_byte()
    {
        using var signer = new Ed25519RollSigner(Ed25519RollSigner.NewPrivateKey());
        var signature = signer.Sign(Hash);

        Assert.True(Ed25519RollSigner.Verify(signer.Key.PublicKey, Hash, signature));
        Assert.False(Ed25519RollSigner.Verify(signer.Key.PublicKey, new string('b', 64), signature));
        var tampered = Convert.FromBase64String(signature);
        tampered[5] ^= 1;
        Assert.False(Ed25519RollSigner.Verify(signer.Key.PublicKey, Hash, Convert.ToBase64String(tampered)));
        Assert.False(Ed25519RollSigner.Verify(signer.Key.PublicKey, Hash, "not base64!"));
        Assert.Equal(64, Convert.FromBase64String(signature).Length);
        Assert.Equal(16, signer.Key.KeyId.Length);
    }

    [Fact]
    public async Task The_key_file_is_created_once_and_instances_starting_together_share_it()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("diceroller-key-").FullName, "keys", SigningKeys.FileName);

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => SigningKeys.LoadOrCreate(path))));

        Assert.All(keys, k => Assert.Equal(keys[0], k));
        Assert.Equal(keys[0], SigningKeys.LoadOrCreate(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task The_public_key_is_published_at_the_well_known_address_and_verifies_the_apps_signatures()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(new Uri("/.well-known/diceroller-key", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        var key = await response.Content.ReadFromJsonAsync<JsonElement>();

        var signer = App.Services.GetRequiredService<IRollSigner>();
        Assert.Equal("Ed25519", key.GetProperty("algorithm").GetString());
        Assert.Equal(signer.Key.KeyId, key.GetProperty("key_id").GetString());
        Assert.True(Ed25519RollSigner.Verify(key.GetProperty("public_key").GetString()!, Hash, signer.Sign(Hash)));
        Assert.True(File.Exists(Path.Combine(App.DataDirectory, SigningKeys.FileName)));
    }
}
