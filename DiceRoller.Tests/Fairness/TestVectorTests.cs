using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Fairness;

/// <summary>Every test vector published in docs/fairness.md (its one JSON block) holds for the C# primitives.</summary>
public class TestVectorTests
{
    private static readonly JsonElement Vectors = Load();

    private static JsonElement Load()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "fairness.md"));
        const string Begin = "<!-- test-vectors:begin -->";
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- test-vectors:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/fairness.md has no test-vectors block");
        var block = doc[(start + Begin.Length)..end].Trim();
        Assert.StartsWith("```json", block, StringComparison.Ordinal);
        return JsonDocument.Parse(block["```json".Length..^3]).RootElement.Clone();
    }

    private static byte[] Seed => Convert.FromHexString(Vectors.GetProperty("server_seed").GetString()!);

    private static uint[] UInts(JsonElement array) => array.EnumerateArray().Select(v => v.GetUInt32()).ToArray();

    [Fact]
    public void The_commitment_is_the_sha256_of_the_seed()
    {
        Assert.Equal(Vectors.GetProperty("commitment").GetString(), RoomSeed.Commitment(Seed));
    }

    [Fact]
    public void Each_stream_block_is_the_hmac_of_its_message_read_as_eight_big_endian_values()
    {
        var streams = Vectors.GetProperty("streams").EnumerateArray().ToList();
        Assert.NotEmpty(streams);
        foreach (var s in streams)
        {
            var clientSeed = s.GetProperty("client_seed").GetString()!;
            var nonce = s.GetProperty("nonce").GetInt64();
            var block = s.GetProperty("block").GetInt32();
            Assert.Equal($"{clientSeed}:{nonce}:{block}", s.GetProperty("message").GetString());
            Assert.Equal(s.GetProperty("hmac").GetString(), Convert.ToHexStringLower(HMACSHA256.HashData(Seed, Encoding.UTF8.GetBytes(s.GetProperty("message").GetString()!))));
            var stream = new SeededRandomSource(Seed, clientSeed, nonce);
            var values = Enumerable.Range(0, 8 * (block + 1)).Select(_ => stream.NextValue()).ToList();
            Assert.Equal(UInts(s.GetProperty("values")), values.Skip(8 * block));
        }
    }

    [Fact]
    public void Each_dice_vector_draws_its_dice_from_its_values_skipping_the_rejected_ones()
    {
        var vectors = Vectors.GetProperty("dice").EnumerateArray().ToList();
        Assert.Equal([20, 6, 100, 997], vectors.Select(v => v.GetProperty("sides").GetInt32()));
        foreach (var v in vectors)
        {
            var sides = v.GetProperty("sides").GetInt32();
            var dice = v.GetProperty("dice").EnumerateArray().Select(d => d.GetInt32()).ToList();
            var stream = new SeededRandomSource(Seed, v.GetProperty("client_seed").GetString()!, v.GetProperty("nonce").GetInt64());

            var drawn = dice.Select(_ => stream.NextInt(1, sides + 1)).ToList();

            Assert.Equal(dice, drawn);
            var limit = (1UL << 32) - ((1UL << 32) % (ulong)sides);
            Assert.Equal(limit, v.GetProperty("limit").GetUInt64());
            var values = UInts(v.GetProperty("values"));
            Assert.Equal(values.Length, stream.ValuesUsed);
            Assert.Equal(values.Where(x => x >= limit), UInts(v.GetProperty("rejected")));
            Assert.Equal(dice, values.Where(x => x < limit).Select(x => (int)(x % (uint)sides) + 1));
        }

        Assert.Contains(vectors, v => v.GetProperty("rejected").GetArrayLength() > 0);
    }

    [Fact]
    public void The_published_test_key_signs_each_logged_hash_with_the_published_signature()
    {
        var key = Vectors.GetProperty("signing_key");
        using var signer = new Ed25519RollSigner(Convert.FromHexString(key.GetProperty("private_key").GetString()!));
        Assert.Equal(key.GetProperty("public_key").GetString(), signer.Key.PublicKey);
        Assert.Equal(key.GetProperty("key_id").GetString(), signer.Key.KeyId);
        foreach (var roll in Vectors.GetProperty("log").GetProperty("rolls").EnumerateArray())
        {
            var fairness = roll.GetProperty("fairness");
            // Ed25519 is deterministic: the same key and hash give the same signature.
            Assert.Equal(fairness.GetProperty("signature").GetString(), signer.Sign(fairness.GetProperty("hash").GetString()!));
        }
    }

    [Fact]
    public void The_logs_hash_lines_hash_to_the_published_hashes_and_every_check_passes_but_the_withheld_roll()
    {
        var (log, error) = VerifiableJson.ParseLog(Vectors.GetProperty("log").GetRawText());
        Assert.Null(error);
        var lines = 0;
        foreach (var (roll, raw) in log!.Rolls.Zip(Vectors.GetProperty("log").GetProperty("rolls").EnumerateArray()))
        {
            if (raw.GetProperty("fairness").TryGetProperty("hash_line", out var line))
            {
                Assert.Equal(line.GetString(), RollHash.Line(RollVerifier.InputOf(roll, roll.Fairness!)));
                Assert.Equal(roll.Fairness!.Hash, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line.GetString()!))));
                lines++;
            }
        }

        var checks = RollVerifier.VerifyLog(log);

        Assert.Equal(7, lines);
        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Failed);
        var pending = checks.Where(c => c.Status == CheckStatus.Pending).ToList();
        Assert.Equal(["dice", "total", "block_values_used", "hash"], pending.Select(c => c.Check));
        Assert.All(pending, c => Assert.Equal(6, c.Sequence));
        Assert.Contains(log.Rolls, r => r.Terms?.Any(t => t.Dice.Any(d => d.Fate == "exploded")) == true);
        Assert.Contains(log.Rolls, r => r.Terms?.Any(t => t.Dice.Any(d => d.Fate == "rerolled")) == true);
        Assert.Contains(log.Rolls, r => r.Advantage == "advantage");
        Assert.Contains(log.Rolls, r => r.Fairness!.Salt is { Length: 32 });
    }

    [Fact]
    public void The_generator_used_by_the_tests_reproduces_the_published_log()
    {
        using var game = new FairLog()
            .Roll("ann", "1d20+5")
            .Roll("bob", "1d20", advantage: "advantage")
            .Roll("ann", "6d6!")
            .Roll("dee", "1d8+2", hidden: true, revealed: true, salt: "00112233445566778899aabbccddeeff")
            .Roll("bob", "4d6kh3")
            .Roll("dee", "1d20", hidden: true, salt: "ffeeddccbbaa99887766554433221100")
            .Roll("ann", "4dF")
            .Roll("bob", "8d10r<4-1");
        var published = VerifiableJson.ParseLog(Vectors.GetProperty("log").GetRawText()).Log!;

        Assert.Equal(VerifiableJson.Serialize(published), VerifiableJson.Serialize(game.Build()));
    }
}
