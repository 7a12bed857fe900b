using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Fairness;

/// <summary>
/// The vectors of docs/fairness.md's "Rules a verifier needs beyond the scheme" (its <c>spec-vectors</c> block) are what the
/// dice engine does: each formula, rolled on the test seed with its client seed and nonce, gives exactly its terms (every die's
/// value and fate, each subtotal and success count), total, cap flag and stream values used.
/// </summary>
public class SpecVectorTests
{
    private static readonly byte[] Seed = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    private static string Doc => File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "fairness.md"));

    private static JsonElement Block(string name)
    {
        var doc = Doc;
        var begin = $"<!-- {name}:begin -->";
        var start = doc.IndexOf(begin, StringComparison.Ordinal);
        var end = doc.IndexOf($"<!-- {name}:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/fairness.md has no {name} block");
        var block = doc[(start + begin.Length)..end].Trim();
        Assert.StartsWith("```json", block, StringComparison.Ordinal);
        return JsonDocument.Parse(block["```json".Length..^3]).RootElement.Clone();
    }

    public static TheoryData<string> Formulas()
    {
        var data = new TheoryData<string>();
        foreach (var vector in Block("spec-vectors").EnumerateArray())
        {
            data.Add(vector.GetProperty("formula").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Formulas))]
    public void Each_spec_vector_is_what_the_engine_rolls(string formula)
    {
        var vector = Block("spec-vectors").EnumerateArray().Single(v => v.GetProperty("formula").GetString() == formula);
        var (spec, error) = DiceNotation.Parse(formula);
        Assert.Null(error);
        var stream = new SeededRandomSource(Seed, vector.GetProperty("client_seed").GetString()!, vector.GetProperty("nonce").GetInt64());

        var outcome = DiceEngine.Roll(spec!, stream);

        Assert.Equal(vector.GetProperty("individual_results").EnumerateArray().Select(d => d.GetInt32()), outcome.Results);
        Assert.Equal(vector.GetProperty("total").GetInt32(), outcome.Total);
        Assert.Equal(vector.GetProperty("cap_reached").GetBoolean(), outcome.CapReached);
        Assert.Equal(vector.GetProperty("block_values_used").GetInt32(), stream.ValuesUsed);
        var successes = vector.GetProperty("successes");
        Assert.Equal(successes.ValueKind == JsonValueKind.Null ? null : successes.GetInt32(), outcome.Successes);
        var terms = vector.GetProperty("terms").EnumerateArray().ToList();
        Assert.Equal(terms.Count, outcome.Terms.Count);
        foreach (var (expected, actual) in terms.Zip(outcome.Terms))
        {
            Assert.Equal(expected.GetProperty("notation").GetString(), actual.Notation);
            Assert.Equal(
                expected.GetProperty("dice").EnumerateArray().Select(d => (d.GetProperty("value").GetInt32(), d.GetProperty("fate").GetString()!)),
                actual.Dice.Select(d => (d.Value, RollVerifier.FateName(d.Fate))));
            Assert.Equal(expected.GetProperty("subtotal").GetInt32(), actual.Subtotal);
            Assert.Equal(expected.TryGetProperty("successes", out var s) ? s.GetInt32() : null, actual.Successes);
        }
    }

    [Fact]
    public void The_vectors_show_what_the_doc_says_they_show()
    {
        var vectors = Block("spec-vectors").EnumerateArray().ToDictionary(v => v.GetProperty("formula").GetString()!);
        string[] Fates(string formula, int term) =>
            [.. vectors[formula].GetProperty("terms")[term].GetProperty("dice").EnumerateArray().Select(d => $"{d.GetProperty("value").GetInt32()}{d.GetProperty("fate").GetString()![0]}")];

        // Ties: the earlier of two equal dice is kept.
        Assert.Equal(["6k", "6k", "1k", "1d"], Fates("4d6kh3", 0));
        Assert.Equal(["6k", "6k", "1k", "1d"], Fates("4d6dl1", 0));
        Assert.Equal(["9k", "9d"], Fates("2d20kl1", 0));

        // The cap counts the later term's base dice: no explosion with 100 base dice, one with 99; skipped ones stay kept 6s.
        Assert.DoesNotContain(Fates("95d6!+5d6", 0), f => f.EndsWith('e'));
        Assert.Contains("6k", Fates("95d6!+5d6", 0));
        Assert.Single(Fates("95d6!+4d6", 0), f => f.EndsWith('e'));
        Assert.Equal((100, true), (Fates("95d6!+5d6", 0).Length + Fates("95d6!+5d6", 1).Length, vectors["95d6!+5d6"].GetProperty("cap_reached").GetBoolean()));
        Assert.Equal((100, true), (Fates("95d6!+4d6", 0).Length + Fates("95d6!+4d6", 1).Length, vectors["95d6!+4d6"].GetProperty("cap_reached").GetBoolean()));

        // A success term adds its count of successes, not its faces.
        Assert.Equal((4, 5), (vectors["6d10>=8+1"].GetProperty("terms")[0].GetProperty("subtotal").GetInt32(), vectors["6d10>=8+1"].GetProperty("total").GetInt32()));

        // Selectors of one kind written together are one step: kh2kh1 keeps two dice; dl1dh1 drops two and is stored pl1ph1.
        Assert.Equal(["1d", "4d", "5k", "5k", "5d", "3d"], Fates("6d6kh2kh1", 0));
        Assert.Equal(["1d", "4k", "5k", "5k", "5d", "3k"], Fates("6d6dl1dh1", 0));
        Assert.Equal("6d6pl1ph1", vectors["6d6dl1dh1"].GetProperty("terms")[0].GetProperty("notation").GetString());

        // ra picks among equal dice the later one.
        Assert.Equal(["1k", "1e", "4k", "6k", "5k"], Fates("4d6ral1", 0));

        // After mi/ma, keep/drop face tests and success targets compare the worth, not the face.
        Assert.All(Fates("6d6mi4k>3", 0), f => Assert.EndsWith("k", f, StringComparison.Ordinal));
        Assert.Contains("1k", Fates("6d6mi4k>3", 0));
        Assert.Equal(6, vectors["6d6mi3>=3"].GetProperty("successes").GetInt32());
        Assert.Contains("1k", Fates("6d6mi3>=3", 0));

        // An explosion on the top face with a success target is written with its face; the exploded die counts.
        Assert.Equal(["6e", "2k", "1k", "4k"], Fates("3d6!6>=5", 0));
        Assert.Equal(1, vectors["3d6!6>=5"].GetProperty("successes").GetInt32());
    }

    [Theory]
    [InlineData("4d6kh3", 2, 3)]
    [InlineData("4d6dl1", 2, 3)]
    [InlineData("2d20kl1", 0, 1)]
    public void The_verifier_checks_keep_and_drop_marks_by_position_so_marks_on_the_other_of_two_equal_dice_fail(string formula, int first, int second)
    {
        var vector = Block("spec-vectors").EnumerateArray().Single(v => v.GetProperty("formula").GetString() == formula);
        var dice = vector.GetProperty("terms")[0].GetProperty("dice").EnumerateArray()
            .Select(d => new VerifiableDie { Value = d.GetProperty("value").GetInt32(), Fate = d.GetProperty("fate").GetString()! }).ToList();
        Assert.Equal(dice[first].Value, dice[second].Value);
        Assert.NotEqual(dice[first].Fate, dice[second].Fate);
        var swapped = dice.ToList();
        (swapped[first], swapped[second]) = (dice[first] with { Fate = dice[second].Fate }, dice[second] with { Fate = dice[first].Fate });

        CheckStatus DiceCheck(IReadOnlyList<VerifiableDie> marks)
        {
            var roll = new VerifiableRoll
            {
                RollId = "tie", DiceFormula = formula, IndividualResults = [.. vector.GetProperty("individual_results").EnumerateArray().Select(d => d.GetInt32())],
                Total = vector.GetProperty("total").GetInt32(),
                Terms = [new VerifiableTerm { Notation = formula, Dice = marks, Subtotal = vector.GetProperty("terms")[0].GetProperty("subtotal").GetInt32() }],
                Fairness = new VerifiableFairness
                {
                    Sequence = 1, Commitment = RoomSeed.Commitment(Seed), ServerSeed = Convert.ToHexStringLower(Seed),
                    ClientSeed = vector.GetProperty("client_seed").GetString()!, Nonce = vector.GetProperty("nonce").GetInt64(),
                    BlockValuesUsed = vector.GetProperty("block_values_used").GetInt32(), Salt = "",
                },
            };
            return RollVerifier.VerifyRoll(roll, null).Single(c => c.Check == RollVerifier.Dice).Status;
        }

        Assert.Equal(CheckStatus.Passed, DiceCheck(dice));
        Assert.Equal(CheckStatus.Failed, DiceCheck(swapped));
    }

    [Fact]
    public void A_log_that_starts_after_roll_one_verifies_from_its_first_roll_with_its_first_link_pending()
    {
        var full = Block("test-vectors").GetProperty("log");
        var rolls = full.GetProperty("rolls").EnumerateArray().Skip(2).Select(r => JsonSerializer.Deserialize<JsonElement>(r.GetRawText())).ToList();
        var json = JsonSerializer.Serialize(new Dictionary<string, object?> { ["room_code"] = full.GetProperty("room_code"), ["key"] = full.GetProperty("key"), ["rolls"] = rolls });
        var (log, error) = VerifiableJson.ParseLog(json);
        Assert.Null(error);

        var checks = RollVerifier.VerifyLog(log!);

        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Failed);
        var firstSequence = log!.Rolls[0].Fairness!.Sequence;
        Assert.Equal(3, firstSequence);
        var pendingLinks = checks.Where(c => c.Check == RollVerifier.Chain && c.Status == CheckStatus.Pending).ToList();
        Assert.Equal([firstSequence], pendingLinks.Select(c => c.Sequence));
        Assert.All(checks.Where(c => c.Status == CheckStatus.Pending && c.Check != RollVerifier.Chain), c => Assert.Equal(6, c.Sequence));
    }
}
