using System.Globalization;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Rolls;

/// <summary>
/// What the roll form sent, before validation: the typed formula (<see cref="Dice"/>) or, when a die button was
/// tapped, that die (<see cref="Die"/>, e.g. <c>20</c>) and how many of it (<see cref="Count"/>, default 1);
/// <see cref="RequestId"/> is the form's one-time id (see <see cref="RollRequestId"/>).
/// </summary>
public sealed record RollForm(string? Dice, string? Modifier, string? Advantage, string? Hidden, string? Die = null, string? Count = null,
    string? RequestId = null, string? KeepHidden = null)
{
    /// <summary>
    /// The formula and advantage to roll. A die button rolls <c>{Count}d{Die}</c>; advantage is a d20 toggle,
    /// so the other die buttons roll plain dice while it is on. The formula itself is checked by the parser.
    /// </summary>
    public (string? Dice, string? Advantage, DiceError? Error) Resolve()
    {
        var die = Die?.Trim() ?? "";
        if (die.Length == 0)
        {
            return (Dice, Advantage, null);
        }

        if (!int.TryParse(die, NumberStyles.None, CultureInfo.InvariantCulture, out var sides) || !DiceSpec.AllowedSides.Contains(sides))
        {
            return (null, null, new DiceError(DiceNotation.InvalidDiceFormat,
                $"There is no d{die} button. Tap a d4, d6, d8, d10, d12, d20 or d100, or type any die in the formula."));
        }

        var countText = Count?.Trim() ?? "";
        var count = 1;
        if (countText.Length > 0 &&
            (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < DiceSpec.MinCount or > DiceSpec.MaxCount))
        {
            return (null, null, new DiceError(DiceNotation.InvalidDiceFormat,
                $"Roll between {DiceSpec.MinCount} and {DiceSpec.MaxCount} dice at once."));
        }

        var advantage = die != "20" && AdvantageNames.TryParse(Advantage, out _) ? "none" : Advantage;
        return ($"{count.ToString(CultureInfo.InvariantCulture)}d{die}", advantage, null);
    }
}

/// <summary>Rolls dice for a member: validates the form, draws the dice, appends to history, fans out.</summary>
public sealed class RollService(
    IRoomStore store,
    IRoomEventPublisher events,
    IRollArchive archive,
    IRollDraws draws,
    IRollSigner signer,
    SeedKeeper seeds,
    IRateLimiter limiter,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<RoomOptions> options,
    ILogger<RollService> logger)
{
    private readonly RoomOptions _options = options.Value;

    public async Task<Result<Roll>> RollAsync(RoomSnapshot room, Player player, RollForm form, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(form);

        if (!RollRequestId.TryRead(form.RequestId, out var requestId))
        {
            return new RoomError(ErrorCodes.InvalidRequestId,
                $"This roll's request id is not valid: it must be 1 to {RollRequestId.MaxLength} letters, digits, - or _. Reload the page and roll again.");
        }

        var (dice, advantage, formError) = form.Resolve();
        var (spec, diceError) = formError is null ? DiceNotation.Parse(dice, form.Modifier, advantage) : ((DiceSpec?)null, formError);
        if (diceError is not null)
        {
            return new RoomError(diceError.Code, diceError.Message);
        }

        if (!TryParseFlag(form.Hidden, out var hidden) || !TryParseFlag(form.KeepHidden, out var keepHidden))
        {
            return new RoomError(ErrorCodes.InvalidHidden, "Hidden must be true or false.");
        }

        // "Keep hidden on" is the DM's pin: it hides this roll and the pad's next ones.
        hidden |= keepHidden;
        if (hidden && !room.IsDm(player.PlayerId))
        {
            return new RoomError(ErrorCodes.HiddenNotAllowed, "Only the DM of a DM-led room can roll hidden.");
        }

        if (requestId is null)
        {
            return await DrawAsync(room, player, spec!, hidden, requestKey: null, ct);
        }

        // A repeat of a request id (a retry, a double tap, another app instance) answers the roll the first one made.
        var code = room.Room.Code;
        var key = $"{player.PlayerId}:{requestId}";
        var (claimed, earlier) = await ClaimAsync(code, key, ct);
        if (!claimed)
        {
            return earlier;
        }

        var completed = false;
        try
        {
            var result = await DrawAsync(room, player, spec!, hidden, key, ct);
            completed = result.Value is not null;
            return result;
        }
        finally
        {
            // Refused (rate limit, room gone) or failed before its roll was recorded: the same id may be sent again.
            if (!completed)
            {
                await store.ReleaseRollRequestAsync(code, key, CancellationToken.None);
            }
        }
    }

    private long KeepForMs => (long)_options.RollRequestRetention.TotalMilliseconds;

    /// <summary>
    /// Claims the request id; while another request with it is rolling, waits (up to <see cref="RoomOptions.RollRequestWait"/>)
    /// for its roll. Returns claimed, or the answer to give instead: the earlier roll or an error.
    /// </summary>
    private async Task<(bool Claimed, Result<Roll> Earlier)> ClaimAsync(string code, string key, CancellationToken ct)
    {
        var wait = _options.RollRequestWait;
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds / 50, 10, 200));
        var attempts = (int)Math.Ceiling(wait / poll);

        // A claim that never completed for three waits belongs to a request whose app instance died: take it over.
        var abandonAfterMs = (long)(wait.TotalMilliseconds * 3);
        for (var attempt = 0; ; attempt++)
        {
            var claim = await store.ClaimRollRequestAsync(code, key, time.GetUtcNow().ToUnixTimeMilliseconds(), abandonAfterMs, KeepForMs, ct);
            switch (claim.State)
            {
                case RollRequestState.Claimed:
                    return (true, default);
                case RollRequestState.Done:
                    var roll = await store.GetRollAsync(code, claim.RollId!, ct);
                    return (false, roll is not null ? Result<Roll>.Ok(roll)
                        : new RoomError(ErrorCodes.RollNotFound, "This roll was made already, but it is no longer in the room's history."));
                case RollRequestState.InFlight when attempt < attempts:
                    // Polling on the real clock: this waits for another request, not for game time.
                    await Task.Delay(poll, ct);
                    break;
                case RollRequestState.InFlight:
                    return (false, new RoomError(ErrorCodes.RollInProgress,
                        "This roll is still being made. It will appear in the feed in a moment; there is no need to roll again."));
                default:
                    return (false, RoomService.RoomNotFound(code));
            }
        }
    }

    /// <summary>
    /// Counts the roll against the player's rate limit, draws the dice, records the roll (and, with a
    /// <paramref name="requestKey"/>, that its request made it, before anyone is told) and announces it.
    /// </summary>
    private async Task<Result<Roll>> DrawAsync(RoomSnapshot room, Player player, DiceSpec spec, bool hidden, string? requestKey, CancellationToken ct)
    {
        var accepted = time.GetTimestamp();
        var rate = await limiter.TryAcquireAsync($"roll:{room.Room.Code}:{player.PlayerId}", _options.RollLimit, _options.RollWindow, ct);
        if (!rate.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(rate.RetryAfter.TotalSeconds));
            return new RoomError(ErrorCodes.RateLimit,
                $"Slow down: at most {_options.RollLimit} rolls every {_options.RollWindow.TotalSeconds:0} seconds. Try again in {seconds} s.");
        }

        // The member's nonce, client seed and the room seed come from the store in one atomic step: two tabs never share a nonce.
        var code = room.Room.Code;
        var known = room.ClientSeedOf(player.PlayerId);
        var fallbackSeed = known?.Seed ?? ClientSeed.Generate();
        if (known is null)
        {
            // A member from before client seeds: give them one for good (the page shows it).
            await store.SetClientSeedAsync(code, player.PlayerId, fallbackSeed, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        }

        var ticket = await store.TakeRollTicketAsync(code, player.PlayerId, fallbackSeed, RoomSeedSecret.New(), ct);
        if (ticket is null)
        {
            return RoomService.RoomNotFound(code);
        }

        var source = draws.Open(ticket.Seed.Seed, ticket.ClientSeed, ticket.Nonce);
        var outcome = DiceEngine.Roll(spec, source);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // A DC grades checks, saves and attacks (a single kept d20), never damage or other rolls.
        var dc = room.Room.Dc is int value && spec!.IsD20Check ? new DcCheck(value, outcome.Total >= value) : null;
        var firstDice = spec!.DiceTerms.First();
        var proof = new RollProof(ticket.Seed.Commitment, ticket.ClientSeed, ticket.Nonce, (source as SeededRandomSource)?.ValuesUsed ?? 0,
            hidden ? RollHash.NewSalt() : "", PrevHash: "", Hash: "", Signature: "", signer.Key.KeyId);
        var roll = Chain(new Roll(
            RoomService.NewId(), code, Sequence: 0, player.PlayerId, player.Name, now,
            spec.Formula, firstDice.Sides, spec.Advantage == Advantage.None ? spec.BaseDice : 1, spec.Modifier, spec.Advantage,
            outcome.Results, outcome.KeptIndex, outcome.Total, hidden, Revealed: false, dc,
            outcome.Terms, spec.Label, outcome.Successes, outcome.CapReached, proof), ticket.Head);

        // The seed and then the permalink are written first: every roll that reaches the room's history (and so every roll
        // anyone is told about) already has its durable public record, even if the app dies right after.
        await seeds.KeepAsync(code, ticket.Seed, now, ct);
        await DiceRollerMetrics.PermalinkWriteAsync(() => archive.SaveAsync(roll, room.Room.Mode, ct));
        var stored = await AppendAsync(roll, now, ct);
        if (stored is null)
        {
            await archive.DeleteAsync(roll.RollId, CancellationToken.None);
            return RoomService.RoomNotFound(code);
        }

        if (requestKey is not null)
        {
            await store.CompleteRollRequestAsync(room.Room.Code, requestKey, stored.RollId, KeepForMs, CancellationToken.None);
        }

        await events.PublishAsync(RoomEvent.ForRoll(stored), ct);
        var latency = time.GetElapsedTime(accepted).TotalMilliseconds;
        DiceRollerMetrics.RollPublished(latency);
        logger.LogInformation(LogEvents.RollPublished, "Roll {RollId} #{Sequence} in {RoomCode} by {PlayerId}: {Formula}{Hidden} published in {LatencyMs:0.0} ms",
            stored.RollId, stored.Sequence, stored.RoomCode, stored.PlayerId, stored.DiceFormula, hidden ? " (hidden)" : "", latency);
        return Result<Roll>.Ok(stored);
    }

    /// <summary>How often a roll is chained again over a newer head before giving up (rolls racing in one room).</summary>
    private const int ChainAttempts = 100;

    /// <summary>
    /// Appends the roll over the chain head it was hashed over; when other rolls got there first, hashes and signs it again
    /// over the new head (the dice and nonce stay), updates its permalink row first (so it is never stale), and retries.
    /// Null when the room is gone.
    /// </summary>
    private async Task<Roll?> AppendAsync(Roll roll, long now, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await store.AppendChainedRollAsync(roll, now, ct);
            switch (result.Status)
            {
                case ChainedAppendStatus.Appended:
                    return result.Stored;
                case ChainedAppendStatus.RoomNotFound:
                    return null;
            }

            if (attempt >= ChainAttempts)
            {
                throw new InvalidOperationException($"Roll {roll.RollId} could not be chained in {roll.RoomCode} after {ChainAttempts} attempts.");
            }

            roll = Chain(roll, result.Head);
            await archive.UpdateChainAsync(roll, ct);
        }
    }

    /// <summary>The roll placed after <paramref name="head"/>: its sequence, previous hash, hash and signature.</summary>
    private Roll Chain(Roll roll, ChainHead head)
    {
        var proof = roll.Proof!;
        var sequence = head.Sequence + 1;
        var hash = RollHash.Compute(new RollHash.Input(head.Hash, roll.RollId, sequence, roll.PlayerId, roll.DiceFormula, roll.IndividualResults,
            roll.Total, proof.ClientSeed, proof.Nonce, proof.Commitment, proof.Salt));
        return roll with { Sequence = sequence, Proof = proof with { PrevHash = head.Hash, Hash = hash, Signature = signer.Sign(hash) } };
    }

    /// <summary>The DM shows a hidden roll to everyone: it is replaced in place on every page, and its permalink opens.</summary>
    public async Task<Result<Roll>> RevealAsync(RoomSnapshot room, Player actor, string rollId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsDm(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotDm, "Only the DM can reveal hidden rolls.");
        }

        var roll = await store.GetRollAsync(room.Room.Code, rollId, ct);
        if (roll is null)
        {
            return new RoomError(ErrorCodes.RollNotFound, "There is no such roll in this room.");
        }

        if (!roll.Hidden || roll.Revealed)
        {
            return new RoomError(ErrorCodes.RollNotHidden, roll.Hidden ? "That roll has already been revealed." : "That roll was never hidden.");
        }

        var revealed = roll with { Revealed = true };
        if (!await store.ReplaceRollAsync(roll, revealed, time.GetUtcNow().ToUnixTimeMilliseconds(), ct))
        {
            return new RoomError(ErrorCodes.RollNotHidden, "That roll has already been revealed.");
        }

        await archive.MarkRevealedAsync(roll.RollId, ct);
        await events.PublishAsync(RoomEvent.ForReveal(revealed), ct);
        logger.LogInformation("Roll {RollId} in {RoomCode} revealed", roll.RollId, room.Room.Code);
        return Result<Roll>.Ok(revealed);
    }

    private static bool TryParseFlag(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "off" or "0":
                value = false;
                return true;
            case "true" or "on" or "1":
                value = true;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
