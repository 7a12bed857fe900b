using System.Globalization;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>
/// What the DM (or an open room's creator) may do: set the DC, promote, kick, close (the current DM of a DM-led room, the
/// creator of an open one). Every action is
/// checked here against the room's current state, whatever the page showed.
/// </summary>
public sealed class ModerationService(
    IRooms store,
    IRoomEventPublisher events,
    TimeProvider time,
    IOptions<RoomOptions> options,
    SeedKeeper seeds,
    ILogger<ModerationService> logger)
{
    public const int MinDc = 1;
    public const int MaxDc = 30;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<Result<int?>> SetDcAsync(RoomSnapshot room, Player actor, string? dcText, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsDm(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotDm, "Only the DM can set the DC.");
        }

        int? dc = null;
        var text = dcText?.Trim() ?? "";
        if (text.Length > 0)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < MinDc or > MaxDc)
            {
                return new RoomError(ErrorCodes.InvalidDc, $"The DC must be a whole number from {MinDc} to {MaxDc}, or empty to clear it.");
            }

            dc = value;
        }

        if (!await store.SetDcAsync(room.Room.Code, dc, Now, ct))
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForDc(room.Room.Code, dc), ct);
        logger.LogInformation("DC in {RoomCode} set to {Dc} by {PlayerId}", room.Room.Code, dc, actor.PlayerId);
        return Result<int?>.Ok(dc);
    }

    public async Task<Result<ModeChange>> PromoteAsync(RoomSnapshot room, Player actor, string? playerId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (room.Room.CreatorPlayerId != actor.PlayerId)
        {
            return new RoomError(ErrorCodes.NotRoomCreator, "Only the player who created the room can make it DM-led.");
        }

        if (room.Room.Mode == RoomMode.DmLed)
        {
            return new RoomError(ErrorCodes.AlreadyDmLed, "This room is already DM-led.");
        }

        var target = playerId is null ? null : room.FindPlayer(playerId.Trim());
        if (target is null)
        {
            return PlayerNotFound();
        }

        var change = new ModeChange(Now, RoomMode.Open, RoomMode.DmLed, target.PlayerId, actor.PlayerId, AfterSequence: 0);
        var outcome = await store.PromoteAsync(room.Room.Code, change, options.Value.TtlSecondsFor(RoomMode.DmLed), Now, ct);
        switch (outcome)
        {
            case PromoteOutcome.AlreadyDmLed:
                return new RoomError(ErrorCodes.AlreadyDmLed, "This room is already DM-led.");
            case PromoteOutcome.PlayerNotFound:
                return PlayerNotFound();
            case PromoteOutcome.RoomNotFound:
                return RoomService.RoomNotFound(room.Room.Code);
        }

        var stored = (await store.GetAsync(room.Room.Code, ct))?.ModeChanges.LastOrDefault() ?? change;
        await events.PublishAsync(RoomEvent.ForModeChange(room.Room.Code, stored), ct);
        logger.LogInformation("Room {RoomCode} is now DM-led with DM {PlayerId}", room.Room.Code, target.PlayerId);
        return Result<ModeChange>.Ok(stored);
    }

    public async Task<Result<Player>> KickAsync(RoomSnapshot room, Player actor, string? playerId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsAdmin(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotAdmin, room.Room.Mode == RoomMode.DmLed
                ? "Only the DM can remove players."
                : "Only the player who created the room can remove players.");
        }

        if (playerId?.Trim() == actor.PlayerId)
        {
            return new RoomError(ErrorCodes.CannotKickSelf, "You cannot remove yourself. Close the room instead, or just leave.");
        }

        var target = playerId is null ? null : room.FindPlayer(playerId.Trim());
        if (target is null || !await store.KickAsync(room.Room.Code, target, Now, ct))
        {
            return PlayerNotFound();
        }

        await events.PublishAsync(RoomEvent.ForPlayerKicked(room.Room.Code, target), ct);
        await events.PublishAsync(RoomEvent.ForDoor(room.Room.Code), ct); // the admin's door panel shows the knock window
        logger.LogInformation("{PlayerId} was kicked from {RoomCode} by {ActorId}", target.PlayerId, room.Room.Code, actor.PlayerId);
        return Result<Player>.Ok(target);
    }

    /// <summary>
    /// Closes the room for everyone: only its admin, the current DM of a DM-led room (not its creator once someone else is DM),
    /// the creator of an open room. Closing publishes the room's seed.
    /// </summary>
    public async Task<Result<string>> CloseAsync(RoomSnapshot room, Player actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsAdmin(actor.PlayerId))
        {
            return room.Room.Mode == RoomMode.DmLed
                ? new RoomError(ErrorCodes.NotDm, "Only the DM can close this room.")
                : new RoomError(ErrorCodes.NotRoomCreator, "Only the player who created the room can close it.");
        }

        // Tell the pages first: once the keys are gone nobody could be told which room closed.
        await events.PublishAsync(RoomEvent.ForClosed(room.Room.Code, RoomEvent.Reasons.CreatorClosed), ct);
        var seed = await seeds.CurrentAsync(room.Room.Code, ct);
        await store.DeleteAsync(room.Room.Code, ct);
        if (seed is not null)
        {
            // The room is gone: its seed is published, so every roll in it can be checked to the die.
            await seeds.PublishAsync(room.Room.Code, seed, CancellationToken.None);
        }

        logger.LogInformation("Room {RoomCode} closed by {PlayerId}", room.Room.Code, actor.PlayerId);
        return Result<string>.Ok(room.Room.Code);
    }

    /// <summary>
    /// The DM hands the DM role to another member (the room stays DM-led). Recorded in the room's mode history, so the
    /// feed shows where the screen passed, and sent as mode-changed so every page's controls follow.
    /// </summary>
    public async Task<Result<ModeChange>> HandOverDmAsync(RoomSnapshot room, Player actor, string? playerId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsDm(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotDm, room.Room.Mode == RoomMode.DmLed
                ? "Only the DM can hand over the DM role."
                : "This room has no DM yet. Its creator can make someone the DM.");
        }

        var target = playerId is null ? null : room.FindPlayer(playerId.Trim());
        if (target is null)
        {
            return PlayerNotFound();
        }

        if (target.PlayerId == actor.PlayerId)
        {
            return new RoomError(ErrorCodes.AlreadyDm, "You are already the DM. Choose another player to hand the role to.");
        }

        var change = new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, target.PlayerId, actor.PlayerId, AfterSequence: 0);
        switch (await store.HandOverDmAsync(room.Room.Code, change, Now, ct))
        {
            case HandOverOutcome.NotDm:
                return new RoomError(ErrorCodes.NotDm, "You are no longer the DM of this room.");
            case HandOverOutcome.PlayerNotFound:
                return PlayerNotFound();
            case HandOverOutcome.RoomNotFound:
                return RoomService.RoomNotFound(room.Room.Code);
        }

        var stored = (await store.GetAsync(room.Room.Code, ct))?.ModeChanges.LastOrDefault(m => m.IsHandOver) ?? change;
        await events.PublishAsync(RoomEvent.ForModeChange(room.Room.Code, stored), ct);
        logger.LogInformation("DM of {RoomCode} handed from {ActorId} to {PlayerId}", room.Room.Code, actor.PlayerId, target.PlayerId);
        return Result<ModeChange>.Ok(stored);
    }

    private static RoomError PlayerNotFound() => new(ErrorCodes.PlayerNotFound, "That player is not in this room.");
}
