using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Rolls;

/// <summary>What the roll form sent, before validation.</summary>
public sealed record RollForm(string? Dice, string? Modifier, string? Advantage, string? Hidden);

/// <summary>Rolls dice for a member: validates the form, draws the dice, appends to history, fans out.</summary>
public sealed class RollService(
    IRoomStore store,
    IRoomEventPublisher events,
    IRollArchive archive,
    IRandomSource random,
    TimeProvider time,
    ILogger<RollService> logger)
{
    public async Task<Result<Roll>> RollAsync(RoomSnapshot room, Player player, RollForm form, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(form);

        var (spec, diceError) = DiceNotation.Parse(form.Dice, form.Modifier, form.Advantage);
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

        var outcome = DiceEngine.Roll(spec!, random);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var dc = room.Room.Dc is int value ? new DcCheck(value, outcome.Total >= value) : null;
        var roll = new Roll(
            RoomService.NewId(), room.Room.Code, Sequence: 0, player.PlayerId, player.Name, now,
            spec!.Formula, spec.Sides, spec.Count, spec.Modifier, spec.Advantage,
            outcome.Results, outcome.KeptIndex, outcome.Total, hidden, Revealed: false, dc);

        // The permalink is written first: every roll that reaches the room's history (and so every roll
        // anyone is told about) already has its durable public record, even if the app dies right after.
        await archive.SaveAsync(roll, room.Room.Mode, ct);
        var stored = await store.AppendRollAsync(roll, now, ct);
        if (stored is null)
        {
            await archive.DeleteAsync(roll.RollId, CancellationToken.None);
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForRoll(stored), ct);
        logger.LogInformation("Roll {RollId} #{Sequence} in {RoomCode} by {PlayerId}: {Formula}{Hidden}",
            stored.RollId, stored.Sequence, stored.RoomCode, stored.PlayerId, stored.DiceFormula, hidden ? " (hidden)" : "");
        return Result<Roll>.Ok(stored);
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
