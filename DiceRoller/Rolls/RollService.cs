using System.Diagnostics;
using System.Globalization;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Rolls;

/// <summary>
/// What the roll form sent, before validation: the typed formula (<see cref="Dice"/>) or, when a die button was
/// tapped, that die (<see cref="Die"/>, e.g. <c>20</c>) and how many of it (<see cref="Count"/>, default 1);
/// <see cref="RequestId"/> is the form's one-time id (see <see cref="RollRequestId"/>); <see cref="Crit"/> the pad's
/// "Critical hit" box (doubles the dice, as typing <c>crit</c> after the formula does). Bound from the form by its field
/// names (<c>[AsParameters]</c>): every field is optional text, checked here, never refused by the binder.
/// </summary>
public sealed record RollForm(
    [FromForm(Name = "dice")] string? Dice, [FromForm(Name = "modifier")] string? Modifier, [FromForm(Name = "advantage")] string? Advantage,
    [FromForm(Name = "hidden")] string? Hidden, [FromForm(Name = "die")] string? Die = null, [FromForm(Name = "count")] string? Count = null,
    [FromForm(Name = "request_id")] string? RequestId = null, [FromForm(Name = "keep_hidden")] string? KeepHidden = null,
    [FromForm(Name = "crit")] string? Crit = null)
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
    IRollLog store,
    IRoomEventPublisher events,
    IRollArchive archive,
    IRollDraws draws,
    IRollSigner signer,
    SeedKeeper seeds,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<RoomOptions> options,
    ILogger<RollService> logger,
    IRollOutbox? outbox = null)
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

        if (!TryParseFlag(form.Crit, out var crit))
        {
            return new RoomError(DiceNotation.InvalidDiceFormat, "Critical hit must be true or false.");
        }

        if (crit && !spec!.Critical)
        {
            // The pad's "Critical hit" box: 5e doubles the damage dice (2d6+3 rolls 4d6+3); a typed "crit" already did.
            if (spec.Crit() is not { } doubled)
            {
                return new RoomError(DiceNotation.InvalidDiceFormat,
                    $"A critical hit doubles the dice: {spec.BaseDice * 2} would pass the {DiceSpec.MaxDice}-dice limit.");
            }

            spec = doubled;
        }

        // "Keep hidden on" is the DM's pin: it hides this roll and the pad's next ones.
        hidden |= keepHidden;
        if (hidden && !room.IsDm(player.PlayerId))
        {
            return new RoomError(ErrorCodes.HiddenNotAllowed, "Only the DM of a DM-led room can roll hidden.");
        }

        // A repeat of a request id (a retry, a double tap, another app instance) answers the roll the first one made.
        var code = room.Room.Code;
        var request = requestId is null ? null : new RollRequest($"{player.PlayerId}:{requestId}", AbandonAfterMs, KeepForMs);
        var gate = GateOf(code);
        var (start, accepted, refusal) = await StartAsync(room, player, request, hidden, gate, ct);
        if (start is null)
        {
            return refusal;
        }

        var completed = false;
        try
        {
            var result = await DrawAsync(room, player, spec!, hidden, start, request, accepted, ct);
            completed = result.Value is not null;
            return result;
        }
        finally
        {
            gate.Release();
            // Failed before its roll was recorded (room gone, archive down): the same id may be sent again.
            if (!completed && request is not null)
            {
                await store.ReleaseRollRequestAsync(code, request.Key, CancellationToken.None);
            }
        }
    }

    private long KeepForMs => (long)_options.RollRequestRetention.TotalMilliseconds;

    /// <summary>
    /// A room's rolls on this app instance go from their start to their append one at a time (a gate per room, striped over
    /// <see cref="RoomGates"/>; rooms sharing a stripe wait for each other, never for long). Without it, rolls started together
    /// in one room were all drawn over the same chain head and all but one had to be hashed, signed, written to their permalink
    /// and appended again, each time another got there first: under load, the more rolls waited the more work each made (the
    /// Valkey store's scripts per roll went from 2.7 to 8.3 at a load where rolls took seconds). Rolls of other instances can
    /// still get there first; the append's retry over the new head (<see cref="AppendAsync"/>) stays for them.
    /// </summary>
    private static SemaphoreSlim GateOf(string code) => RoomGates[(int)((uint)StringComparer.Ordinal.GetHashCode(code) % (uint)RoomGates.Length)];

    private static readonly SemaphoreSlim[] RoomGates = [.. Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>A claim that never completed for three waits belongs to a request whose app instance died: it is taken over.</summary>
    private long AbandonAfterMs => (long)(_options.RollRequestWait.TotalMilliseconds * 3);

    /// <summary>
    /// Starts the roll in the store's one atomic step (see <see cref="IRoomStore.StartRollAsync"/>): claims the request id,
    /// counts the roll against the player's limit and takes the member's nonce. While another request with the id is rolling,
    /// waits (up to <see cref="RoomOptions.RollRequestWait"/>) for its roll. Returns the ticket to draw with and when the roll
    /// was accepted, or the answer to give instead: the earlier roll or an error.
    /// </summary>
    private async Task<(RollTicket? Ticket, long Accepted, Result<Roll> Refusal)> StartAsync(RoomSnapshot room, Player player, RollRequest? request,
        bool hidden, SemaphoreSlim gate, CancellationToken ct)
    {
        var code = room.Room.Code;
        var wait = _options.RollRequestWait;
        var poll = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds / 50, 10, 200));
        // Measured on the real clock, not counted in polls: on a busy machine each poll takes longer than planned, and a wait
        // stretched past AbandonAfterMs would take over a claim that is still rolling.
        var waiting = Stopwatch.StartNew();

        // The member's client seed; a member from before client seeds gets one for good with this roll (the page shows it).
        // Under rules 2 a seed the server makes is for this roll only (DrawAsync): the member's own is set on the room page.
        var known = room.ClientSeedOf(player.PlayerId);
        var keepFallback = known is null && RoomSeed.RulesOf(room.Commitment) < 2;
        // A room from before fairness gets a seed with its first roll; any other one has its seed already (never taken away).
        var candidate = room.Commitment is null ? RoomSeedSecret.New() : RoomSeedSecret.NewWithoutHiddenKey();
        var limit = new RollLimit($"roll:{code}:{player.PlayerId}", _options.RollLimit, _options.RollWindow);
        while (true)
        {
            var accepted = time.GetTimestamp();
            // A fresh seed even when the member has one: under rules 2 it is the one the server picks when theirs is stale, and the
            // store keeps it with the claim (a retry of the nonce draws with the same one).
            // The member's secret: the store checks in the same step that they are still the member this request authenticated as.
            // The room's gate (GateOf) is held from here to the append when the roll is claimed, and given back at once otherwise.
            await gate.WaitAsync(ct);
            RollStart start;
            try
            {
                start = await store.StartRollAsync(code, new RollAttempt(player.PlayerId, request, limit, ClientSeed.Generate(),
                    keepFallback, candidate, time.GetUtcNow().ToUnixTimeMilliseconds(), hidden, player.SecretHash), ct);
            }
            catch
            {
                gate.Release();
                throw;
            }

            if (start.State != RollRequestState.Claimed)
            {
                gate.Release();
            }

            switch (start.State)
            {
                case RollRequestState.Claimed:
                    return (start.Ticket, accepted, default);
                case RollRequestState.RateLimited:
                    DiceRollerMetrics.RateLimitRejected(limit.Key);
                    var seconds = Math.Max(1, (int)Math.Ceiling(start.RetryAfter.TotalSeconds));
                    return (null, 0, new RoomError(ErrorCodes.RateLimit,
                        $"Slow down: at most {_options.RollLimit} rolls every {_options.RollWindow.TotalSeconds:0} seconds. Try again in {seconds} s."));
                case RollRequestState.HiddenSecretsUsedUp:
                    return (null, 0, new RoomError(ErrorCodes.HiddenSecretsUsedUp,
                        $"All {HiddenSecrets.Count} hidden rolls of this seed are used. Reveal and rotate the seed (it publishes no hidden roll), then roll hidden again."));
                case RollRequestState.Done:
                    var roll = await store.GetRollAsync(code, start.RollId!, ct);
                    return (null, 0, roll is not null ? Result<Roll>.Ok(roll)
                        : new RoomError(ErrorCodes.RollNotFound, "This roll was made already, but it is no longer in the room's history."));
                case RollRequestState.InFlight when waiting.Elapsed < wait:
                    // Polling on the real clock: this waits for another request, not for game time.
                    await Task.Delay(poll, ct);
                    break;
                case RollRequestState.NotMember:
                    return (null, 0, RoomService.NotInRoom(code));
                case RollRequestState.InFlight:
                    return (null, 0, new RoomError(ErrorCodes.RollInProgress,
                        "This roll is still being made. It will appear in the feed in a moment; there is no need to roll again."));
                default:
                    return (null, 0, RoomService.RoomNotFound(code));
            }
        }
    }

    /// <summary>
    /// Draws the dice with the <paramref name="ticket"/>, records the roll (and, with a <paramref name="request"/>, that its
    /// request made it, in the same step, before anyone is told) and announces it.
    /// </summary>
    private async Task<Result<Roll>> DrawAsync(RoomSnapshot room, Player player, DiceSpec spec, bool hidden, RollTicket ticket, RollRequest? request,
        long accepted, CancellationToken ct)
    {
        var code = room.Room.Code;
        var (clientSeed, clientSeedByServer, secret, path) = ticket.Seed.Rules < 2 ? (ticket.ClientSeed, false, null, null) : RulesTwo(ticket, hidden);
        var source = draws.Open(ticket.Seed.Seed, clientSeed, ticket.Nonce, secret);
        var outcome = DiceEngine.Roll(spec, source);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // A DC grades checks, saves and attacks (a single kept d20), never damage or other rolls.
        var dc = room.Room.Dc is int value && spec!.IsD20Check ? new DcCheck(value, outcome.Total >= value) : null;
        var proof = new RollProof(ticket.Seed.Commitment, clientSeed, ticket.Nonce, (source as SeededRandomSource)?.ValuesUsed ?? 0,
            secret ?? (hidden ? RollHash.NewSalt() : ""), PrevHash: "", Hash: "", Signature: "", signer.Key.KeyId)
        {
            Rules = ticket.Seed.Rules,
            ClientSeedCommitment = ticket.Seed.Rules < 2 ? null : ticket.Seed.Commitment,
            ClientSeedByServer = clientSeedByServer,
            HiddenIndex = secret is null ? null : ticket.HiddenIndex,
            HiddenPath = path,
        };
        var roll = Chain(new Roll(
            RoomService.NewId(), code, Sequence: 0, player.PlayerId, player.Name, now,
            spec.Formula, spec.DiceTerms.FirstOrDefault()?.Sides ?? 0, spec.Advantage == Advantage.None ? spec.BaseDice : 1, spec.Modifier, spec.Advantage,
            outcome.Results, outcome.KeptIndex, outcome.Total, hidden, Revealed: false, dc,
            outcome.Terms, spec.Label, outcome.Successes, outcome.CapReached, proof), ticket.Head);

        // The seed and then the permalink are written first: every roll that reaches the room's history (and so every roll
        // anyone is told about) already has its durable public record, even if the app dies right after.
        await seeds.KeepAsync(code, ticket.Seed, now, ct);
        await DiceRollerMetrics.PermalinkWriteAsync(() => archive.SaveAsync(roll, room.Room.Mode, ct));
        var (stored, announced) = await AppendAsync(roll, now, request, ct);
        if (stored is null)
        {
            await archive.DeleteAsync(roll.RollId, CancellationToken.None);
            return RoomService.RoomNotFound(code);
        }

        if (!announced)
        {
            await events.PublishAsync(RoomEvent.ForRoll(stored), ct);
        }

        var latency = time.GetElapsedTime(accepted).TotalMilliseconds;
        outbox?.Announced(room, stored);
        DiceRollerMetrics.RollPublished(latency);
        logger.LogInformation(LogEvents.RollPublished, "Roll {RollId} #{Sequence} in {RoomCode} by {PlayerId}: {Formula}{Hidden} published in {LatencyMs:0.0} ms",
            stored.RollId, stored.Sequence, stored.RoomCode, stored.PlayerId, stored.DiceFormula, hidden ? " (hidden)" : "", latency);
        return Result<Roll>.Ok(stored);
    }

    /// <summary>
    /// Rules 2 (docs/fairness.md): the member's client seed only when it was set under this very commitment, else one the server
    /// picks now, after committing (for this roll only); a hidden roll's secret and Merkle path from the index the store gave it.
    /// </summary>
    private static (string ClientSeed, bool ByServer, string? Secret, IReadOnlyList<string>? Path) RulesTwo(RollTicket ticket, bool hidden)
    {
        var own = ticket.ClientSeedCommitment == ticket.Seed.Commitment;
        var (secret, path) = hidden && ticket.HiddenIndex is int index
            ? HiddenSecrets.Open(TreeOf(ticket.Seed), ticket.Seed.HiddenKey, index)
            : (null, null);
        return (own ? ticket.ClientSeed : ticket.ServerClientSeed ?? ClientSeed.Generate(), !own, secret, path);
    }

    /// <summary>Hidden-roll trees by commitment, built once per seed on this app instance (a few hundred at most; cleared when full).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, HiddenSecrets.Tree> Trees = new(StringComparer.Ordinal);

    private const int TreesKept = 256;

    private static HiddenSecrets.Tree TreeOf(RoomSeedSecret seed)
    {
        if (Trees.TryGetValue(seed.Commitment, out var tree))
        {
            return tree;
        }

        if (Trees.Count >= TreesKept)
        {
            Trees.Clear();
        }

        tree = HiddenSecrets.Build(seed.HiddenKey);
        // The commitment names the tree: a tree whose root is not the commitment's is never cached (nor used).
        if (tree.Root != RoomSeed.HiddenRootOf(seed.Commitment))
        {
            throw new InvalidOperationException($"The hidden key of seed {seed.Commitment} does not match its commitment.");
        }

        return Trees.GetOrAdd(seed.Commitment, tree);
    }

    /// <summary>How often a roll is chained again over a newer head before giving up (rolls racing in one room).</summary>
    private const int ChainAttempts = 100;

    /// <summary>
    /// Appends the roll over the chain head it was hashed over; when other rolls got there first, hashes and signs it again
    /// over the new head (the dice and nonce stay), updates its permalink row first (so it is never stale), and retries.
    /// Null when the room is gone; <c>Announced</c> when the store told the room's pages in the same step.
    /// </summary>
    private async Task<(Roll? Stored, bool Announced)> AppendAsync(Roll roll, long now, RollRequest? request, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await store.AppendChainedRollAsync(roll, now, request, ct);
            switch (result.Status)
            {
                case ChainedAppendStatus.Appended:
                    return (result.Stored, result.Announced);
                case ChainedAppendStatus.RoomNotFound:
                    return (null, false);
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
            roll.Total, proof.ClientSeed, proof.Nonce, proof.Commitment, proof.Salt, proof.Rules, proof.ClientSeedCommitment, proof.ClientSeedByServer,
            proof.HiddenIndex));
        return roll with { Sequence = sequence, Proof = proof with { PrevHash = head.Hash, Hash = hash, Signature = signer.Sign(hash) } };
    }

    /// <summary>
    /// The roller of a hidden roll (the DM who rolled it, still DM or not) shows it to everyone: it is replaced in place on every
    /// page, and its permalink opens. Nobody else reveals it, a later DM included.
    /// </summary>
    public async Task<Result<Roll>> RevealAsync(RoomSnapshot room, Player actor, string rollId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        var roll = await store.GetRollAsync(room.Room.Code, rollId, ct);
        if (roll is null)
        {
            return new RoomError(ErrorCodes.RollNotFound, "There is no such roll in this room.");
        }

        if (!roll.Hidden || roll.Revealed)
        {
            return new RoomError(ErrorCodes.RollNotHidden, roll.Hidden ? "That roll has already been revealed." : "That roll was never hidden.");
        }

        if (roll.PlayerId != actor.PlayerId)
        {
            return new RoomError(ErrorCodes.NotDm, "Only the DM who rolled a hidden roll can reveal it.");
        }

        var revealed = roll with { Revealed = true };
        if (!await store.ReplaceRollAsync(roll, revealed, time.GetUtcNow().ToUnixTimeMilliseconds(), ct))
        {
            return new RoomError(ErrorCodes.RollNotHidden, "That roll has already been revealed.");
        }

        await archive.MarkRevealedAsync(roll.RollId, ct);
        await events.PublishAsync(RoomEvent.ForReveal(revealed), ct);
        outbox?.Announced(room, revealed);
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
