using System.Globalization;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Rolls;

/// <summary>
/// What the roll form sent, before validation: the typed formula (<see cref="Dice"/>) or, when a die button was
/// tapped, that die (<see cref="Die"/>, e.g. <c>20</c>) and how many of it (<see cref="Count"/>, default 1).
/// </summary>
public sealed record RollForm(string? Dice, string? Modifier, string? Advantage, string? Hidden, string? Die = null, string? Count = null)
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
    IRandomSource random,
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
        var accepted = time.GetTimestamp();

        var (dice, advantage, formError) = form.Resolve();
        var (spec, diceError) = formError is null ? DiceNotation.Parse(dice, form.Modifier, advantage) : ((DiceSpec?)null, formError);
        if (diceError is not null)
        {
            return new RoomError(diceError.Code, diceError.Message);
        }

        if (!TryParseFlag(form.Hidden, out var hidden))
        {
            return new RoomError(ErrorCodes.InvalidHidden, "Hidden must be true or false.");
        }

        if (hidden && !room.IsDm(player.PlayerId))
        {
            return new RoomError(ErrorCodes.HiddenNotAllowed, "Only the DM of a DM-led room can roll hidden.");
        }

        var rate = await limiter.TryAcquireAsync($"roll:{room.Room.Code}:{player.PlayerId}", _options.RollLimit, _options.RollWindow, ct);
        if (!rate.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(rate.RetryAfter.TotalSeconds));
            return new RoomError(ErrorCodes.RateLimit,
                $"Slow down: at most {_options.RollLimit} rolls every {_options.RollWindow.TotalSeconds:0} seconds. Try again in {seconds} s.");
        }

        var outcome = DiceEngine.Roll(spec!, random);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var dc = room.Room.Dc is int value ? new DcCheck(value, outcome.Total >= value) : null;
        var roll = new Roll(
            RoomService.NewId(), room.Room.Code, Sequence: 0, player.PlayerId, player.Name, now,
            spec!.Formula, spec.Sides, spec.Count, spec.Modifier, spec.Advantage,
            outcome.Results, outcome.KeptIndex, outcome.Total, hidden, Revealed: false, dc);

        // The permalink is written first: every roll that reaches the room's history (and so every roll
        // anyone is told about) already has its durable public record, even if the app dies right after.
        await DiceRollerMetrics.PermalinkWriteAsync(() => archive.SaveAsync(roll, room.Room.Mode, ct));
        var stored = await store.AppendRollAsync(roll, now, ct);
        if (stored is null)
        {
            await archive.DeleteAsync(roll.RollId, CancellationToken.None);
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForRoll(stored), ct);
        var latency = time.GetElapsedTime(accepted).TotalMilliseconds;
        DiceRollerMetrics.RollPublished(latency);
        logger.LogInformation(LogEvents.RollPublished, "Roll {RollId} #{Sequence} in {RoomCode} by {PlayerId}: {Formula}{Hidden} published in {LatencyMs:0.0} ms",
            stored.RollId, stored.Sequence, stored.RoomCode, stored.PlayerId, stored.DiceFormula, hidden ? " (hidden)" : "", latency);
        return Result<Roll>.Ok(stored);
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
