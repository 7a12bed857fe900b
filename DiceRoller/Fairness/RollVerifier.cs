using System.Globalization;
using System.Text.Json;
using DiceRoller.Dice;

namespace DiceRoller.Fairness;

public enum CheckStatus
{
    Passed,
    Failed,

    /// <summary>Not checkable yet: the seed is not revealed, the values are withheld, or a roll it needs is not given.</summary>
    Pending,
}

/// <summary>
/// One named check of one roll (<see cref="RollId"/> null for a check of the log or key as a whole).
/// <see cref="Check"/> is one of <see cref="RollVerifier"/>'s check names, the same words <c>scripts/verify.py</c> prints.
/// </summary>
public sealed record VerificationCheck(string? RollId, long? Sequence, string Check, CheckStatus Status, string Message)
{
    /// <summary><c>roll #3 (id)</c>, or <c>log</c>.</summary>
    public string Subject => RollId is null ? "log" : Sequence is long s ? $"roll #{s} ({RollId})" : $"roll {RollId}";

    public override string ToString() => $"{Status.ToString().ToUpperInvariant()} {Subject} {Check}: {Message}";
}

/// <summary>
/// Checks published rolls against the scheme of docs/fairness.md. Pure: given the JSON-level data, returns named checks
/// (each passed, failed with a message naming the roll and field, or pending). Recomputes the commitment from a revealed
/// seed, the dice by re-running <see cref="DiceEngine"/> on the stored formula through <see cref="SeededRandomSource"/>,
/// the hash line (<see cref="RollHash"/>), the chain of a log, and the Ed25519 signature.
/// </summary>
public static class RollVerifier
{
    public const string Key = "key";
    public const string Fairness = "fairness";
    public const string Commitment = "commitment";
    public const string Dice = "dice";
    public const string Total = "total";
    public const string ValuesUsed = "block_values_used";
    public const string Hash = "hash";
    public const string Chain = "chain";
    public const string Sequence = "sequence";
    public const string Nonce = "nonce";
    public const string Signature = "signature";
    public const string KeyId = "key_id";

    /// <summary>Rules 2: the client seed was set under the roll's own commitment (after the server committed to its seed).</summary>
    public const string ClientSeedOrder = "client_seed_order";

    /// <summary>Rules 2: a revealed hidden roll's secret is leaf <c>hidden_index</c> of the commitment's hidden-roll root.</summary>
    public const string HiddenSecret = "hidden_secret";

    /// <summary>The roll's <c>successes</c>, <c>cap_reached</c> and <c>crit</c> are what its dice make (checked when given).</summary>
    public const string Successes = "successes";
    public const string CapReached = "cap_reached";
    public const string Crit = "crit";

    /// <summary>Every roll of a room log, plus the links between them (chain, sequence, each member's nonces).</summary>
    public static IReadOnlyList<VerificationCheck> VerifyLog(VerifiableLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var checks = new List<VerificationCheck>();
        checks.AddRange(VerifyKey(log.Key));
        if (log.Rolls.Count == 0)
        {
            checks.Add(new VerificationCheck(null, null, Chain, CheckStatus.Pending, "The log has no rolls yet."));
            return checks;
        }

        VerifiableRoll? previous = null;
        var nonces = new Dictionary<string, (long First, int Count)>(StringComparer.Ordinal);
        foreach (var roll in log.Rolls)
        {
            checks.AddRange(VerifyRollAlone(roll, log.Key));
            if (roll.Fairness is not { } f)
            {
                continue;
            }

            checks.Add(LinkCheck(roll, previous));
            if (previous?.Fairness is { } p)
            {
                var expected = p.Sequence + 1;
                checks.Add(f.Sequence == expected
                    ? Pass(roll, Sequence, $"follows roll #{p.Sequence}")
                    : Fail(roll, Sequence, $"sequence is {f.Sequence} but the previous roll in the log is #{p.Sequence}: expected {expected} (a roll is missing or out of order)"));
            }

            checks.Add(NonceCheck(roll, f, nonces, startsAtGenesis: log.Rolls.FirstOrDefault(r => r.Fairness is not null)?.Fairness?.PrevHash == RollHash.Genesis));
            previous = roll;
        }

        return checks;
    }

    /// <summary>One permalink with the published key (null when not given: the signature stays pending).</summary>
    public static IReadOnlyList<VerificationCheck> VerifyRoll(VerifiableRoll roll, VerifiableKey? key)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var checks = new List<VerificationCheck>();
        if (key is not null)
        {
            checks.AddRange(VerifyKey(key));
        }

        checks.AddRange(VerifyRollAlone(roll, key));
        if (roll.Fairness is { } f)
        {
            checks.Add(f.Sequence == 1 || f.PrevHash == RollHash.Genesis
                ? LinkCheck(roll, null)
                : Pending(roll, Chain, $"prev_hash links to roll #{f.Sequence - 1}, which only the room's log shows"));
        }

        return checks;
    }

    /// <summary>That the published key is an Ed25519 key whose id is the first 16 hex digits of SHA-256 of its bytes.</summary>
    public static IReadOnlyList<VerificationCheck> VerifyKey(VerifiableKey? key)
    {
        if (key is null)
        {
            return [new VerificationCheck(null, null, Key, CheckStatus.Failed, "no key given: the log's \"key\" object (algorithm, key_id, public_key) is missing")];
        }

        var bytes = new byte[64];
        if (!Convert.TryFromBase64String(key.PublicKey, bytes, out var length) || length != 32)
        {
            return [new VerificationCheck(null, null, Key, CheckStatus.Failed, "public_key is not the base64 of a 32-byte Ed25519 key")];
        }

        if (!string.Equals(key.Algorithm, Ed25519RollSigner.AlgorithmName, StringComparison.Ordinal))
        {
            return [new VerificationCheck(null, null, Key, CheckStatus.Failed, $"algorithm is \"{key.Algorithm}\", expected Ed25519")];
        }

        var id = Ed25519RollSigner.KeyIdOf(bytes.AsSpan(0, 32));
        return [id == key.KeyId
            ? new VerificationCheck(null, null, Key, CheckStatus.Passed, $"Ed25519 key {id}")
            : new VerificationCheck(null, null, Key, CheckStatus.Failed, $"key_id is {key.KeyId} but the public key's id is {id}")];
    }

    private static IEnumerable<VerificationCheck> VerifyRollAlone(VerifiableRoll roll, VerifiableKey? key)
    {
        if (roll.Fairness is not { } f)
        {
            yield return Pending(roll, Fairness, "made before provable fairness: it has no commitment, hash or signature to check");
            yield break;
        }

        var seed = f.ServerSeed is null ? null : RoomSeed.FromHex(f.ServerSeed);
        if (f.ServerSeed is null)
        {
            yield return Pending(roll, Commitment, $"server seed of commitment {Short(f.Commitment)} not revealed yet (on rotation or when the room closes)");
        }
        else if (seed is null)
        {
            yield return Fail(roll, Commitment, "server_seed is not 64 hex digits");
        }
        else
        {
            var actual = RoomSeed.Commitment(seed);
            var expected = RoomSeed.SeedHashOf(f.Commitment);
            yield return actual == expected
                ? Pass(roll, Commitment, $"SHA-256(server_seed) = {Short(actual)}")
                : Fail(roll, Commitment, $"SHA-256(server_seed) is {actual} but commitment is {f.Commitment}");
        }

        foreach (var check in RulesChecks(roll, f))
        {
            yield return check;
        }

        foreach (var check in DiceChecks(roll, f, seed))
        {
            yield return check;
        }

        yield return HashCheck(roll, f);
        yield return SignatureCheck(roll, f, key);
        if (key is not null)
        {
            yield return f.KeyId == key.KeyId
                ? Pass(roll, KeyId, $"signed by key {key.KeyId}")
                : Fail(roll, KeyId, $"key_id is {f.KeyId} but the published key is {key.KeyId}");
        }
    }

    private static IEnumerable<VerificationCheck> DiceChecks(VerifiableRoll roll, VerifiableFairness f, byte[]? seed)
    {
        if (seed is null)
        {
            var why = f.ServerSeed is null ? "server seed not revealed yet" : "server_seed is unreadable";
            yield return Pending(roll, Dice, why);
            yield return Pending(roll, Total, why);
            yield return Pending(roll, ValuesUsed, why);
            yield break;
        }

        if (roll.IndividualResults is null || roll.Total is null)
        {
            const string Withheld = "values withheld (a hidden roll the DM has not revealed)";
            yield return Pending(roll, Dice, Withheld);
            yield return Pending(roll, Total, Withheld);
            yield return Pending(roll, ValuesUsed, Withheld);
            yield break;
        }

        var (spec, error) = DiceNotation.ParseStored(roll.DiceFormula ?? "", roll.Advantage);
        string? cannot = error is not null ? $"dice_formula \"{roll.DiceFormula}\" (advantage {roll.Advantage ?? "none"}) does not parse: {error.Message}"
            : !ClientSeed.IsValid(f.ClientSeed) ? $"client_seed \"{f.ClientSeed}\" is not 1-64 characters of [A-Za-z0-9_-]"
            : f.Nonce < 1 ? $"nonce {f.Nonce} is not a positive whole number"
            : null;
        if (cannot is not null)
        {
            yield return Fail(roll, Dice, cannot);
            yield return Fail(roll, Total, cannot);
            yield return Fail(roll, ValuesUsed, cannot);
            yield break;
        }

        var stream = new SeededRandomSource(seed, f.ClientSeed, f.Nonce, HiddenSecretOf(f));
        var outcome = DiceEngine.Roll(spec!, stream);
        yield return CompareDice(roll, outcome);
        yield return outcome.Total == roll.Total
            ? Pass(roll, Total, $"total {roll.Total} follows from the dice")
            : Fail(roll, Total, $"total is {roll.Total} but the seed's dice make {outcome.Total}");
        yield return f.BlockValuesUsed is not int used ? Pending(roll, ValuesUsed, "block_values_used withheld")
            : used == stream.ValuesUsed ? Pass(roll, ValuesUsed, $"{used} stream values used")
            : Fail(roll, ValuesUsed, $"block_values_used is {used} but drawing the dice takes {stream.ValuesUsed} values");
        foreach (var check in DerivedChecks(roll, outcome))
        {
            yield return check;
        }
    }

    /// <summary>
    /// The roll-level fields outside the hash line that follow from the roll (docs/fairness.md, "What the hash binds"): each
    /// checked when the JSON has it. <c>successes</c>: the sum of the terms' success counts, null without a success target;
    /// <c>cap_reached</c>: the 100-dice cap skipped a die; <c>crit</c>: <c>success</c>/<c>failure</c> for a d20 check whose
    /// kept d20 shows 20/1, else null.
    /// </summary>
    private static IEnumerable<VerificationCheck> DerivedChecks(VerifiableRoll roll, DiceOutcome outcome)
    {
        if (roll.Successes.ValueKind != JsonValueKind.Undefined)
        {
            int? given = roll.Successes.ValueKind == JsonValueKind.Number && roll.Successes.TryGetInt32(out var n) ? n : null;
            var valid = given is not null || roll.Successes.ValueKind == JsonValueKind.Null;
            yield return valid && given == outcome.Successes
                ? Pass(roll, Successes, outcome.Successes is int s ? $"{s} successes, as the terms count them" : "no success target: null")
                : Fail(roll, Successes, $"successes is {roll.Successes.GetRawText()} but the dice make {Json(outcome.Successes)}");
        }

        if (roll.CapReached.ValueKind != JsonValueKind.Undefined)
        {
            var given = roll.CapReached.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => (bool?)false, _ => null };
            yield return given == outcome.CapReached
                ? Pass(roll, CapReached, outcome.CapReached ? "true: the 100-dice cap skipped a die" : "false: no die was skipped by the cap")
                : Fail(roll, CapReached, $"cap_reached is {roll.CapReached.GetRawText()} but drawing the dice {(outcome.CapReached ? "reaches" : "does not reach")} the 100-dice cap");
        }

        if (roll.Crit.ValueKind != JsonValueKind.Undefined)
        {
            var expected = DiceOutcome.CritOf(outcome.Natural);
            var given = roll.Crit.ValueKind == JsonValueKind.String ? roll.Crit.GetString() : null;
            var valid = given is not null || roll.Crit.ValueKind == JsonValueKind.Null;
            yield return valid && given == expected
                ? Pass(roll, Crit, expected is null ? "null: no natural 20 or 1 of a d20 check" : $"\"{expected}\": the kept d20 shows {outcome.Natural}")
                : Fail(roll, Crit, $"crit is {roll.Crit.GetRawText()} but the dice make {Json(expected)}"
                    + (outcome.Natural is int natural ? $" (the kept d20 shows {natural})" : " (no natural 20 or 1 of a d20 check)"));
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private static VerificationCheck CompareDice(VerifiableRoll roll, DiceOutcome outcome)
    {
        var recorded = roll.IndividualResults!;
        for (var i = 0; i < Math.Min(recorded.Count, outcome.Results.Count); i++)
        {
            if (recorded[i] != outcome.Results[i])
            {
                return Fail(roll, Dice, $"individual_results[{i}] (die {i + 1} of {recorded.Count}) is {recorded[i]} but the seed gives {outcome.Results[i]}");
            }
        }

        if (recorded.Count != outcome.Results.Count)
        {
            return Fail(roll, Dice, $"individual_results has {recorded.Count} dice but the seed draws {outcome.Results.Count}");
        }

        if (roll.Terms is { } terms)
        {
            if (terms.Count != outcome.Terms.Count)
            {
                return Fail(roll, Dice, $"terms has {terms.Count} terms but {roll.DiceFormula} has {outcome.Terms.Count}");
            }

            for (var t = 0; t < terms.Count; t++)
            {
                var (mine, theirs) = (outcome.Terms[t], terms[t]);
                var where = $"terms[{t}] ({mine.Notation})";
                if (theirs.Notation != mine.Notation)
                {
                    return Fail(roll, Dice, $"{where} is recorded as \"{theirs.Notation}\"");
                }

                if (theirs.Dice.Count != mine.Dice.Count)
                {
                    return Fail(roll, Dice, $"{where} has {theirs.Dice.Count} dice but the seed draws {mine.Dice.Count}");
                }

                for (var d = 0; d < mine.Dice.Count; d++)
                {
                    var fate = FateName(mine.Dice[d].Fate);
                    if (theirs.Dice[d].Value != mine.Dice[d].Value)
                    {
                        return Fail(roll, Dice, $"{where} die {d + 1} is {theirs.Dice[d].Value} ({theirs.Dice[d].Fate}) but the seed gives {mine.Dice[d].Value} ({fate})");
                    }

                    if (theirs.Dice[d].Fate != fate)
                    {
                        return Fail(roll, Dice, $"{where} die {d + 1} (a {mine.Dice[d].Value}) is marked {theirs.Dice[d].Fate} but the formula's rules make it {fate}");
                    }

                    if (theirs.Dice[d].Counted != mine.Dice[d].Counted)
                    {
                        return Fail(roll, Dice, $"{where} die {d + 1} counts {theirs.Dice[d].Counted ?? theirs.Dice[d].Value} but its rule makes it {mine.Dice[d].Worth}");
                    }
                }

                if (theirs.Annotation != mine.Annotation)
                {
                    return Fail(roll, Dice, $"{where} is recorded as [{theirs.Annotation}] but the formula gives it [{mine.Annotation}]");
                }

                if (theirs.Subtotal != mine.Subtotal)
                {
                    return Fail(roll, Dice, $"{where} subtotal is {theirs.Subtotal} but its dice make {mine.Subtotal}");
                }
            }
        }

        return Pass(roll, Dice, $"all {recorded.Count} dice follow from the seed ({string.Join(", ", recorded.Select(r => r.ToString(CultureInfo.InvariantCulture)))})");
    }

    /// <summary>The wire name of a fate (<c>kept</c>, <c>dropped</c>, <c>exploded</c>, <c>rerolled</c>).</summary>
    public static string FateName(DieFate fate) => fate.ToString().ToLowerInvariant();

    private static VerificationCheck HashCheck(VerifiableRoll roll, VerifiableFairness f)
    {
        if (roll.IndividualResults is null || roll.Total is null || f.Salt is null)
        {
            return Pending(roll, Hash, $"values withheld until the DM reveals the roll; its hash {Short(f.Hash)} is committed");
        }

        var actual = RollHash.Compute(InputOf(roll, f));
        return actual == f.Hash
            ? Pass(roll, Hash, $"SHA-256 of the hash line = {Short(actual)}")
            : Fail(roll, Hash, $"hash is {f.Hash} but the roll's fields hash to {actual} (a field in the hash line was changed)");
    }

    /// <summary>The hash line's fields of a published roll whose values are known.</summary>
    public static RollHash.Input InputOf(VerifiableRoll roll, VerifiableFairness f)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(f);
        return new RollHash.Input(f.PrevHash, roll.RollId, f.Sequence, f.PlayerId, roll.DiceFormula ?? "", roll.IndividualResults ?? [], roll.Total ?? 0,
            f.ClientSeed, f.Nonce, f.Commitment, f.Salt ?? "", f.Rules ?? 1, f.ClientSeedCommitment, f.ClientSeedByServer ?? false, f.HiddenIndex);
    }

    /// <summary>The secret a rules-2 hidden roll mixed into its draw (its salt), or null.</summary>
    private static string? HiddenSecretOf(VerifiableFairness f) => f.Rules >= 2 && f.HiddenIndex is not null ? f.Salt : null;

    /// <summary>
    /// Rules 2 (docs/fairness.md): the client seed's order (set under this very commitment) and a revealed hidden roll's secret
    /// (a leaf of the commitment's hidden-roll root). A record with a rules-2 commitment that says rules 1 fails the order check:
    /// the rules are part of the hash line, so they cannot be changed after signing.
    /// </summary>
    private static IEnumerable<VerificationCheck> RulesChecks(VerifiableRoll roll, VerifiableFairness f)
    {
        var rules = f.Rules ?? 1;
        var root = RoomSeed.HiddenRootOf(f.Commitment);
        if (rules < 2)
        {
            if (root is not null)
            {
                yield return Fail(roll, ClientSeedOrder, $"commitment {Short(f.Commitment)} carries a hidden-roll root (rules 2) but the record says rules {rules}");
            }

            yield break;
        }

        if (rules > 2 || root is null || !HiddenSecrets.IsHex32(root))
        {
            yield return Fail(roll, ClientSeedOrder, rules > 2 ? $"rules {rules} is unknown to this verifier (it knows 1 and 2)"
                : $"rules 2 needs a commitment of the form {{seed hash}}.{{hidden root}}, not {f.Commitment}");
            yield break;
        }

        yield return f.ClientSeedCommitment == f.Commitment
            ? Pass(roll, ClientSeedOrder, f.ClientSeedByServer == true
                ? $"the server picked the client seed after committing to {Short(f.Commitment)} (the member had set none under it)"
                : $"the client seed was set after commitment {Short(f.Commitment)} was shown")
            : Fail(roll, ClientSeedOrder, f.ClientSeedCommitment is null
                ? "client_seed_commitment is missing: the record does not say when its client seed was set"
                : $"the client seed was set under commitment {Short(f.ClientSeedCommitment)}, before this roll's commitment {Short(f.Commitment)}: the server knew it before it committed");

        if (f.HiddenIndex is int index)
        {
            yield return HiddenSecrets.Verify(root, index, f.Salt ?? "", f.HiddenPath ?? [])
                ? Pass(roll, HiddenSecret, $"the salt is hidden-roll secret {index} of root {Short(root)}")
                : Fail(roll, HiddenSecret, $"the salt with hidden_path is not leaf {index} of the hidden-roll root {Short(root)}");
        }
        else if (!string.IsNullOrEmpty(f.Salt))
        {
            yield return Fail(roll, HiddenSecret, "a rules-2 roll with a salt must name its hidden_index and hidden_path (a hidden roll's salt is its secret)");
        }
    }

    private static VerificationCheck SignatureCheck(VerifiableRoll roll, VerifiableFairness f, VerifiableKey? key)
    {
        if (key is null)
        {
            return Pending(roll, Signature, "no public key given (it is published at /.well-known/diceroller-key)");
        }

        if (string.IsNullOrEmpty(f.Signature))
        {
            return Fail(roll, Signature, "the roll has no signature");
        }

        return Ed25519RollSigner.Verify(key.PublicKey, f.Hash, f.Signature)
            ? Pass(roll, Signature, $"Ed25519 signature of the hash by key {key.KeyId} is valid")
            : Fail(roll, Signature, $"signature is not a valid Ed25519 signature of hash {Short(f.Hash)} by key {key.KeyId}");
    }

    private static VerificationCheck LinkCheck(VerifiableRoll roll, VerifiableRoll? previous)
    {
        var f = roll.Fairness!;
        if (previous?.Fairness is { } p)
        {
            return f.PrevHash == p.Hash
                ? Pass(roll, Chain, $"prev_hash is the hash of roll #{p.Sequence}")
                : Fail(roll, Chain, $"prev_hash is {f.PrevHash} but the previous roll #{p.Sequence}'s hash is {p.Hash}");
        }

        if (f.PrevHash == RollHash.Genesis)
        {
            return Pass(roll, Chain, "first roll of the room: prev_hash is 64 zeros");
        }

        return f.Sequence <= 1
            ? Fail(roll, Chain, $"the room's first roll must have prev_hash of 64 zeros, not {f.PrevHash}")
            : Pending(roll, Chain, $"the log starts at roll #{f.Sequence}: its previous roll is not in the log");
    }

    private static VerificationCheck NonceCheck(VerifiableRoll roll, VerifiableFairness f, Dictionary<string, (long First, int Count)> nonces, bool startsAtGenesis)
    {
        if (!nonces.TryGetValue(f.PlayerId, out var seen))
        {
            nonces[f.PlayerId] = (startsAtGenesis ? 1 : f.Nonce, 1);
            return !startsAtGenesis ? Pass(roll, Nonce, $"nonce {f.Nonce}: the member's first roll in this part of the log")
                : f.Nonce == 1 ? Pass(roll, Nonce, "nonce 1: the member's first roll")
                : Fail(roll, Nonce, $"nonce is {f.Nonce} but this is the member's first roll in the room: expected 1");
        }

        var expected = seen.First + seen.Count;
        nonces[f.PlayerId] = (seen.First, seen.Count + 1);
        return f.Nonce == expected
            ? Pass(roll, Nonce, $"nonce {f.Nonce}: one more than the member's previous roll")
            : Fail(roll, Nonce, $"nonce is {f.Nonce} but this is the member's roll number {seen.Count + 1} in the log: expected {expected}");
    }

    private static string Short(string hex) => hex.Length > 16 ? hex[..16] + "…" : hex;

    private static VerificationCheck Pass(VerifiableRoll roll, string check, string message) => Of(roll, check, CheckStatus.Passed, message);

    private static VerificationCheck Fail(VerifiableRoll roll, string check, string message) => Of(roll, check, CheckStatus.Failed, message);

    private static VerificationCheck Pending(VerifiableRoll roll, string check, string message) => Of(roll, check, CheckStatus.Pending, message);

    private static VerificationCheck Of(VerifiableRoll roll, string check, CheckStatus status, string message) =>
        new(roll.RollId, roll.Fairness?.Sequence, check, status, message);

    /// <summary>Overall: failed when any check failed, else pending when any is pending, else passed.</summary>
    public static CheckStatus Overall(IEnumerable<VerificationCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var list = checks.ToList();
        return list.Any(c => c.Status == CheckStatus.Failed) ? CheckStatus.Failed
            : list.Any(c => c.Status == CheckStatus.Pending) ? CheckStatus.Pending
            : CheckStatus.Passed;
    }
}
