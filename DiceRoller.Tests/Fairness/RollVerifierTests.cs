using DiceRoller.Fairness;

namespace DiceRoller.Tests.Fairness;

public class RollVerifierTests
{
    /// <summary>Public, hidden-then-revealed, exploding, advantage, reroll, keep, Fudge and subtracted dice by two members.</summary>
    private static FairLog Game() => new FairLog()
        .Roll("ann", "1d20+5")
        .Roll("bob", "1d20", advantage: "advantage")
        .Roll("ann", "4d6kh3")
        .Roll("dee", "1d20-1", hidden: true, revealed: true)
        .Roll("bob", "3d6!")
        .Roll("ann", "2d10r1+1d8-1d4")
        .Roll("dee", "4dF")
        .Roll("bob", "1d100")
        .Roll("ann", "6d10>=8")
        .Roll("bob", "2d20kl1+3");

    private static HashSet<(long?, string)> Failures(IEnumerable<VerificationCheck> checks) =>
        checks.Where(c => c.Status == CheckStatus.Failed).Select(c => (c.Sequence, c.Check)).ToHashSet();

    /// <summary>Exactly these (roll sequence, check) pairs failed, nothing else.</summary>
    private static void AssertFailures(IEnumerable<VerificationCheck> checks, params (long Sequence, string Check)[] expected)
    {
        var failures = Failures(checks);
        Assert.True(failures.SetEquals(expected.Select(e => ((long?)e.Sequence, e.Check))),
            $"Expected failures {string.Join(", ", expected)} but got: {string.Join("; ", checks.Where(c => c.Status == CheckStatus.Failed))}");
    }

    [Fact]
    public void Every_check_of_an_honest_log_with_a_revealed_seed_passes()
    {
        using var game = Game();

        var checks = RollVerifier.VerifyLog(game.Build());

        Assert.All(checks, c => Assert.True(c.Status == CheckStatus.Passed, c.ToString()));
        Assert.Equal(CheckStatus.Passed, RollVerifier.Overall(checks));
        foreach (var name in new[] { RollVerifier.Commitment, RollVerifier.Dice, RollVerifier.Total, RollVerifier.ValuesUsed, RollVerifier.Hash,
                     RollVerifier.Chain, RollVerifier.Nonce, RollVerifier.Signature, RollVerifier.KeyId, RollVerifier.Successes,
                     RollVerifier.CapReached, RollVerifier.Crit })
        {
            Assert.Equal(10, checks.Count(c => c.Check == name));
        }

        Assert.Equal(9, checks.Count(c => c.Check == RollVerifier.Sequence));
        Assert.Single(checks, c => c.Check == RollVerifier.Key && c.RollId is null);
    }

    [Fact]
    public void Before_the_seed_is_revealed_the_dice_are_pending_and_hash_chain_and_signature_pass()
    {
        using var game = Game();

        var checks = RollVerifier.VerifyLog(game.Build(seedRevealed: false));

        AssertFailures(checks);
        Assert.All(checks.Where(c => c.Check is RollVerifier.Commitment or RollVerifier.Dice or RollVerifier.Total or RollVerifier.ValuesUsed),
            c => Assert.Equal(CheckStatus.Pending, c.Status));
        Assert.All(checks.Where(c => c.Check is RollVerifier.Hash or RollVerifier.Chain or RollVerifier.Signature or RollVerifier.Nonce),
            c => Assert.Equal(CheckStatus.Passed, c.Status));
        Assert.Contains("not revealed", checks.First(c => c.Check == RollVerifier.Dice).Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pending, RollVerifier.Overall(checks));
    }

    [Fact]
    public void An_unrevealed_hidden_roll_proves_its_commitment_by_chain_and_signature_while_its_values_stay_pending()
    {
        using var game = new FairLog().Roll("ann", "1d20").Roll("dee", "1d20+2", hidden: true).Roll("ann", "1d6");

        var checks = RollVerifier.VerifyLog(game.Build());

        var hidden = checks.Where(c => c.Sequence == 2).ToDictionary(c => c.Check);
        Assert.Equal(CheckStatus.Pending, hidden[RollVerifier.Dice].Status);
        Assert.Equal(CheckStatus.Pending, hidden[RollVerifier.Hash].Status);
        Assert.Contains("withheld", hidden[RollVerifier.Hash].Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Passed, hidden[RollVerifier.Signature].Status);
        Assert.Equal(CheckStatus.Passed, hidden[RollVerifier.Chain].Status);
        Assert.Equal(CheckStatus.Passed, checks.Single(c => c.Sequence == 3 && c.Check == RollVerifier.Chain).Status);
        AssertFailures(checks);

        // The DM sees the values (not the salt): the dice check, the hash still waits for the reveal.
        var dm = RollVerifier.VerifyLog(game.Build(asDm: true)).Where(c => c.Sequence == 2).ToDictionary(c => c.Check);
        Assert.Equal(CheckStatus.Passed, dm[RollVerifier.Dice].Status);
        Assert.Equal(CheckStatus.Pending, dm[RollVerifier.Hash].Status);
    }

    [Fact]
    public void A_changed_die_fails_exactly_that_rolls_dice_and_hash_and_names_the_die()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[2];
        var dice = roll.IndividualResults!.ToArray();
        dice[1] = dice[1] == 6 ? 5 : dice[1] + 1;

        var checks = RollVerifier.VerifyLog(Replace(log, 2, roll with { IndividualResults = dice }));

        AssertFailures(checks, (3L, RollVerifier.Dice), (3L, RollVerifier.Hash));
        var failure = checks.Single(c => c.Sequence == 3 && c.Check == RollVerifier.Dice);
        Assert.Contains("individual_results[1]", failure.Message, StringComparison.Ordinal);
        Assert.Contains(roll.RollId, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_die_in_the_terms_alone_fails_the_dice_check_naming_the_term()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[2];
        var term = roll.Terms![0];
        var first = term.Dice[0];
        var changed = term with { Dice = [first with { Value = first.Value == 6 ? 1 : first.Value + 1 }, .. term.Dice.Skip(1)] };

        var checks = RollVerifier.VerifyLog(Replace(log, 2, roll with { Terms = [changed] }));

        AssertFailures(checks, (3L, RollVerifier.Dice));
        Assert.Contains("terms[0] (4d6kh3) die 1", checks.Single(c => c.Status == CheckStatus.Failed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_nonce_fails_that_rolls_nonce_hash_and_dice_only()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[4];

        var checks = RollVerifier.VerifyLog(Replace(log, 4, roll with { Fairness = roll.Fairness! with { Nonce = roll.Fairness.Nonce + 1 } }));

        // The dice drawn for another nonce differ, so their total and stream length may differ too; nothing else fails.
        var failures = Failures(checks);
        Assert.Subset(new HashSet<(long?, string)> { (5, RollVerifier.Nonce), (5, RollVerifier.Hash), (5, RollVerifier.Dice), (5, RollVerifier.Total), (5, RollVerifier.ValuesUsed) }, failures);
        Assert.Superset(new HashSet<(long?, string)> { (5, RollVerifier.Nonce), (5, RollVerifier.Hash), (5, RollVerifier.Dice) }, failures);
        Assert.Contains("expected 2", checks.Single(c => c.Sequence == 5 && c.Check == RollVerifier.Nonce).Message, StringComparison.Ordinal);

        // Before the seed is revealed the nonce and the hash give it away.
        var unrevealed = game.Build(seedRevealed: false);
        var early = RollVerifier.VerifyLog(Replace(unrevealed, 4, unrevealed.Rolls[4] with { Fairness = unrevealed.Rolls[4].Fairness! with { Nonce = 9 } }));
        AssertFailures(early, (5L, RollVerifier.Nonce), (5L, RollVerifier.Hash));
    }

    [Fact]
    public void A_changed_prev_hash_fails_that_rolls_chain_and_hash()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[6];

        var checks = RollVerifier.VerifyLog(Replace(log, 6, roll with { Fairness = roll.Fairness! with { PrevHash = new string('a', 64) } }));

        AssertFailures(checks, (7L, RollVerifier.Chain), (7L, RollVerifier.Hash));
        Assert.Contains("previous roll #6", checks.Single(c => c.Sequence == 7 && c.Check == RollVerifier.Chain).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_signature_byte_fails_that_rolls_signature_only()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[8];
        var signature = Convert.FromBase64String(roll.Fairness!.Signature);
        signature[17] ^= 0x04;

        var checks = RollVerifier.VerifyLog(Replace(log, 8, roll with { Fairness = roll.Fairness with { Signature = Convert.ToBase64String(signature) } }));

        AssertFailures(checks, (9L, RollVerifier.Signature));
    }

    [Fact]
    public void A_roll_removed_from_the_log_breaks_the_sequence_and_the_chain_of_the_next_roll()
    {
        using var game = Game();
        var log = game.Build();

        var checks = RollVerifier.VerifyLog(log with { Rolls = [.. log.Rolls.Take(3), .. log.Rolls.Skip(4)] });

        // Roll 4 was Dee's only roll before her 4dF: her nonce sequence shows the gap too.
        AssertFailures(checks, (5L, RollVerifier.Chain), (5L, RollVerifier.Sequence), (7L, RollVerifier.Nonce));
    }

    [Fact]
    public void A_changed_total_a_wrong_seed_or_another_key_each_fail_their_own_check()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[0];

        var total = RollVerifier.VerifyLog(Replace(log, 0, roll with { Total = roll.Total + 1 }));
        AssertFailures(total, (1L, RollVerifier.Total), (1L, RollVerifier.Hash));

        var seed = RollVerifier.VerifyLog(Replace(log, 0, roll with { Fairness = roll.Fairness! with { ServerSeed = new string('1', 64) } }));
        Assert.Contains(((long?)1, RollVerifier.Commitment), Failures(seed));
        Assert.All(Failures(seed), f => Assert.Equal(1L, f.Item1));

        using var other = new Ed25519RollSigner(Ed25519RollSigner.NewPrivateKey());
        var otherKey = new VerifiableKey { Algorithm = "Ed25519", KeyId = other.Key.KeyId, PublicKey = other.Key.PublicKey };
        var keyed = RollVerifier.VerifyLog(log with { Key = otherKey });
        Assert.Equal(20, Failures(keyed).Count);
        Assert.All(Failures(keyed), f => Assert.True(f.Item2 is RollVerifier.Signature or RollVerifier.KeyId));

        var lying = RollVerifier.VerifyLog(log with { Key = game.Key with { KeyId = "0123456789abcdef" } });
        Assert.Equal(CheckStatus.Failed, lying.Single(c => c.Check == RollVerifier.Key).Status);
    }

    [Fact]
    public void Successes_cap_reached_and_crit_are_checked_against_the_dice_though_the_hash_does_not_cover_them()
    {
        using var game = new FairLog()
            .Roll("ann", "1d20+5", clientSeed: "crit-27") // a natural 20 on the test seed
            .Roll("ann", "6d10>=8")
            .Roll("bob", "95d6!+5d6", clientSeed: "cap"); // the spec vector that reaches the cap
        var log = game.Build();
        static System.Text.Json.JsonElement Json(object? value) => System.Text.Json.JsonSerializer.SerializeToElement(value);

        var honest = RollVerifier.VerifyLog(log);

        AssertFailures(honest);
        Assert.Equal(("\"success\"", "0", "true"), (log.Rolls[0].Crit.GetRawText(), log.Rolls[1].Successes.GetRawText(), log.Rolls[2].CapReached.GetRawText()));
        Assert.Equal(9, honest.Count(c => c.Check is RollVerifier.Successes or RollVerifier.CapReached or RollVerifier.Crit && c.Status == CheckStatus.Passed));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 0, log.Rolls[0] with { Crit = Json(null) })), (1L, RollVerifier.Crit));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 1, log.Rolls[1] with { Crit = Json("failure") })), (2L, RollVerifier.Crit));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 1, log.Rolls[1] with { Successes = Json(1) })), (2L, RollVerifier.Successes));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 0, log.Rolls[0] with { Successes = Json(0) })), (1L, RollVerifier.Successes));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 2, log.Rolls[2] with { CapReached = Json(false) })), (3L, RollVerifier.CapReached));
        AssertFailures(RollVerifier.VerifyLog(Replace(log, 1, log.Rolls[1] with { CapReached = Json(true) })), (2L, RollVerifier.CapReached));
        var failed = RollVerifier.VerifyLog(Replace(log, 2, log.Rolls[2] with { CapReached = Json(false) })).Single(c => c.Status == CheckStatus.Failed);
        Assert.Contains("reaches the 100-dice cap", failed.Message, StringComparison.Ordinal);

        // A log without the fields (written before them, or by hand) is not checked on them.
        var bare = Replace(log, 0, log.Rolls[0] with { Crit = default, Successes = default, CapReached = default });
        Assert.DoesNotContain(RollVerifier.VerifyLog(bare), c => c.Sequence == 1 && c.Check is RollVerifier.Successes or RollVerifier.CapReached or RollVerifier.Crit);
        Assert.DoesNotContain("\"crit\"", VerifiableJson.Serialize(bare.Rolls[0]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_fate_changed_on_a_die_of_the_right_face_is_named_as_a_fate()
    {
        using var game = Game();
        var log = game.Build();
        var roll = log.Rolls[2]; // 4d6kh3
        var terms = roll.Terms!.ToList();
        var dice = terms[0].Dice.Select(d => d with { Fate = d.Fate == "dropped" ? "kept" : d.Fate == "kept" ? "dropped" : d.Fate }).ToList();
        terms[0] = terms[0] with { Dice = dice };

        var check = RollVerifier.VerifyLog(Replace(log, 2, roll with { Terms = terms })).Single(c => c.Status == CheckStatus.Failed);

        Assert.Equal(RollVerifier.Dice, check.Check);
        Assert.Matches(@"die 1 \(a \d\) is marked dropped but the formula's rules make it kept", check.Message);
    }

    [Fact]
    public void An_honest_roll_whose_stored_formula_is_longer_than_a_typed_one_may_be_verifies()
    {
        // 497 characters typed; stored in its printed form, 746 (d% spelled 1d100, k1 kh1).
        using var game = new FairLog().Roll("ann", string.Join("+", Enumerable.Repeat("1d%k1", 83)));
        var log = game.Build();
        Assert.True(log.Rolls[0].DiceFormula!.Length > DiceRoller.Dice.DiceSpec.MaxFormulaLength);

        var checks = RollVerifier.VerifyLog(log);

        Assert.All(checks, c => Assert.True(c.Status == CheckStatus.Passed, c.ToString()));
    }

    [Fact]
    public void One_permalink_is_checked_alone_and_its_chain_waits_for_the_log_unless_it_is_the_first_roll()
    {
        using var game = Game();
        var log = game.Build();

        var first = RollVerifier.VerifyRoll(log.Rolls[0], game.Key);
        var later = RollVerifier.VerifyRoll(log.Rolls[5], game.Key);
        var keyless = RollVerifier.VerifyRoll(log.Rolls[5], null);

        Assert.Equal(CheckStatus.Passed, RollVerifier.Overall(first));
        Assert.Equal(CheckStatus.Pending, later.Single(c => c.Check == RollVerifier.Chain).Status);
        AssertFailures(later);
        Assert.Equal(CheckStatus.Pending, keyless.Single(c => c.Check == RollVerifier.Signature).Status);
        Assert.Equal(CheckStatus.Pending, RollVerifier.VerifyRoll(log.Rolls[0] with { Fairness = null }, game.Key).Single(c => c.RollId is not null).Status);
    }

    [Fact]
    public void The_json_round_trips_in_snake_case_and_ignores_unknown_fields()
    {
        using var game = Game();
        var json = VerifiableJson.Serialize(game.Build());

        Assert.Contains("\"individual_results\":", json, StringComparison.Ordinal);
        Assert.Contains("\"block_values_used\":", json, StringComparison.Ordinal);
        Assert.True(VerifiableJson.LooksLikeLog(json));
        var withExtras = json.Replace("\"room_code\":", "\"extra\":{\"a\":[1,2]},\"room_code\":", StringComparison.Ordinal)
            .Replace("\"dice_formula\":", "\"timestamp\":1700000000000,\"dice_formula\":", StringComparison.Ordinal);
        var (log, error) = VerifiableJson.ParseLog(withExtras);

        Assert.Null(error);
        Assert.Equal(CheckStatus.Passed, RollVerifier.Overall(RollVerifier.VerifyLog(log!)));
        var (roll, rollError) = VerifiableJson.ParseRoll(VerifiableJson.Serialize(log!.Rolls[1]));
        Assert.Null(rollError);
        Assert.False(VerifiableJson.LooksLikeLog(VerifiableJson.Serialize(roll)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"rolls\": [null]}")]
    [InlineData("{\"rolls\": 5}")]
    [InlineData("{\"rolls\": [{\"fairness\": {\"nonce\": \"x\"}}]}")]
    [InlineData("[1, 2")]
    public void Malformed_json_is_an_error_message_not_an_exception(string json)
    {
        var (log, error) = VerifiableJson.ParseLog(json);

        Assert.Null(log);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    private static VerifiableLog Replace(VerifiableLog log, int index, VerifiableRoll roll) =>
        log with { Rolls = log.Rolls.Select((r, i) => i == index ? roll : r).ToList() };
}
