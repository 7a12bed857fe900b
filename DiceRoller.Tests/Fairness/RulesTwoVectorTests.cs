using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Fairness;

/// <summary>The rules-2 vectors of docs/fairness.md (client-seed order, hidden-roll secrets) hold for the C# code and verifier.</summary>
public class RulesTwoVectorTests
{
    private static readonly JsonElement Vectors = Load();

    private static JsonElement Load()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "fairness.md"));
        const string Begin = "<!-- rules2-vectors:begin -->";
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- rules2-vectors:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/fairness.md has no rules2-vectors block");
        var block = doc[(start + Begin.Length)..end].Trim();
        return JsonDocument.Parse(block["```json".Length..^3]).RootElement.Clone();
    }

    /// <summary>One of the vectors' logs as the JSON a verifier is given (<c>log</c> or <c>seed_set_before_commitment</c>).</summary>
    public static string VectorJson(string name) => Vectors.GetProperty(name).GetRawText();

    private static byte[] Hex(string name) => Convert.FromHexString(Vectors.GetProperty(name).GetString()!);

    private static VerifiableLog Log(string name) => VerifiableJson.ParseLog(Vectors.GetProperty(name).GetRawText()).Log!;

    [Fact]
    public void The_commitment_is_the_seed_hash_and_the_root_of_the_hidden_secrets()
    {
        var root = HiddenSecrets.Root(Hex("hidden_key"));

        Assert.Equal(Vectors.GetProperty("hidden_root").GetString(), root);
        Assert.Equal(Vectors.GetProperty("commitment").GetString(), RoomSeed.Commitment(Hex("server_seed"), root));
        Assert.Equal(2, RoomSeed.RulesOf(RoomSeed.Commitment(Hex("server_seed"), root)));
        Assert.Equal(1, RoomSeed.RulesOf(RoomSeed.Commitment(Hex("server_seed"))));
    }

    [Fact]
    public void Each_hidden_secret_its_leaf_and_its_path_match_and_verify_against_the_root()
    {
        var root = Vectors.GetProperty("hidden_root").GetString()!;
        foreach (var s in Vectors.GetProperty("secrets").EnumerateArray())
        {
            var index = s.GetProperty("index").GetInt32();
            var (secret, path) = HiddenSecrets.Open(Hex("hidden_key"), index);
            Assert.Equal(s.GetProperty("secret").GetString(), secret);
            Assert.Equal(s.GetProperty("leaf").GetString(), Convert.ToHexStringLower(HiddenSecrets.Leaf(index, Convert.FromHexString(secret))));
            Assert.Equal(s.GetProperty("path").EnumerateArray().Select(p => p.GetString()), path);
            Assert.True(HiddenSecrets.Verify(root, index, secret, path));
            Assert.False(HiddenSecrets.Verify(root, index ^ 1, secret, path));
        }
    }

    [Fact]
    public void A_hidden_roll_mixes_its_secret_into_every_block()
    {
        var h = Vectors.GetProperty("hidden_stream");
        var (secret, _) = HiddenSecrets.Open(Hex("hidden_key"), h.GetProperty("hidden_index").GetInt32());
        var message = $"{h.GetProperty("client_seed").GetString()}:{h.GetProperty("nonce").GetInt64()}:{h.GetProperty("block").GetInt32()}:{secret}";
        var digest = HMACSHA256.HashData(Hex("server_seed"), Encoding.UTF8.GetBytes(message));
        var stream = new SeededRandomSource(Hex("server_seed"), h.GetProperty("client_seed").GetString()!, h.GetProperty("nonce").GetInt64(), secret);

        Assert.Equal(h.GetProperty("message").GetString(), message);
        Assert.Equal(h.GetProperty("hmac").GetString(), Convert.ToHexStringLower(digest));
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(digest), stream.NextValue());
    }

    [Fact]
    public void The_rules_two_log_verifies_with_only_the_unrevealed_hidden_roll_pending()
    {
        var checks = RollVerifier.VerifyLog(Log("log"));

        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Failed);
        Assert.All(checks.Where(c => c.Status == CheckStatus.Pending), c => Assert.Equal(3, c.Sequence));
        Assert.Contains(checks, c => c.Check == RollVerifier.HiddenSecret && c.Status == CheckStatus.Passed && c.Sequence == 2);
        Assert.Equal(4, checks.Count(c => c.Check == RollVerifier.ClientSeedOrder && c.Status == CheckStatus.Passed));
    }

    [Fact]
    public void The_unrevealed_hidden_roll_cannot_be_recomputed_though_the_seed_is_published()
    {
        var hidden = Log("log").Rolls[2];
        var f = hidden.Fairness!;

        Assert.NotNull(f.ServerSeed);
        Assert.Null(hidden.IndividualResults);
        Assert.Null(f.Salt);
        Assert.Null(f.HiddenIndex);
        Assert.Contains(RollVerifier.VerifyLog(Log("log")), c => c.Sequence == 3 && c.Check == RollVerifier.Dice && c.Status == CheckStatus.Pending);
    }

    [Fact]
    public void A_client_seed_set_under_an_earlier_commitment_fails_client_seed_order_and_nothing_else()
    {
        var failed = RollVerifier.VerifyLog(Log("seed_set_before_commitment")).Where(c => c.Status == CheckStatus.Failed).ToList();

        var check = Assert.Single(failed);
        Assert.Equal(RollVerifier.ClientSeedOrder, check.Check);
        Assert.Contains("before this roll's commitment", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revealed_hidden_roll_with_another_secret_fails_hidden_secret()
    {
        var log = Log("log");
        var revealed = log.Rolls[1];
        var other = Vectors.GetProperty("secrets")[1].GetProperty("secret").GetString()!;
        var tampered = log with { Rolls = [revealed with { Fairness = revealed.Fairness! with { Salt = other } }] };

        Assert.Contains(RollVerifier.VerifyLog(tampered), c => c.Check == RollVerifier.HiddenSecret && c.Status == CheckStatus.Failed);
    }

    [Fact]
    public void A_record_moved_back_to_rules_one_fails_client_seed_order()
    {
        var log = Log("log");
        var roll = log.Rolls[0];
        var moved = log with { Rolls = [roll with { Fairness = roll.Fairness! with { Rules = 1 } }] };

        Assert.Contains(RollVerifier.VerifyLog(moved), c => c.Check == RollVerifier.ClientSeedOrder && c.Status == CheckStatus.Failed);
    }
}
