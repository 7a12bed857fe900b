using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>What a waiting page shows: still waiting (with the knock), or let in.</summary>
public sealed record KnockStatus(Knock Knock, bool Admitted);

/// <summary>
/// The room's door: knocks (people who must be let in after a kick from their network, or while the room is locked), the
/// admin's answers to them, and the lock. Every answer is checked here against the room's current state.
/// </summary>
public sealed class DoorService(
    IRoomDoor store,
    IRoomEventPublisher events,
    TimeProvider time,
    IOptions<RoomOptions> options,
    ILogger<DoorService> logger)
{
    private readonly RoomOptions _options = options.Value;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The knocks an admin should answer (none for other viewers).</summary>
    public async Task<IReadOnlyList<Knock>> WaitingAsync(RoomSnapshot room, string viewerPlayerId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        return room.IsAdmin(viewerPlayerId) ? await store.GetWaitingKnocksAsync(room.Room.Code, Now, ct) : [];
    }

    public async Task<Result<Knock>> AnswerAsync(RoomSnapshot room, Player actor, string? knockId, bool admit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        var code = room.Room.Code;
        if (!room.IsAdmin(actor.PlayerId))
        {
            return NotAdmin(room, "let people in or turn them away");
        }

        var knock = string.IsNullOrWhiteSpace(knockId) ? null : await store.GetKnockAsync(code, knockId.Trim(), ct);
        if (knock is null || !knock.IsWaiting(Now))
        {
            return KnockNotFound();
        }

        var outcome = await store.ResolveKnockAsync(code, knock.KnockId, admit, _options.MaxPlayers, Now, ct);
        switch (outcome)
        {
            case KnockOutcome.Admitted:
                await events.PublishAsync(RoomEvent.ForPlayerJoined(code, knock.Player), ct);
                await events.PublishAsync(RoomEvent.ForDoor(code), ct);
                logger.LogInformation("{PlayerId} was let into {RoomCode} by {ActorId}", knock.Player.PlayerId, code, actor.PlayerId);
                return Result<Knock>.Ok(knock with { State = KnockState.Admitted });
            case KnockOutcome.Refused:
                await events.PublishAsync(RoomEvent.ForDoor(code), ct);
                logger.LogInformation("A knock on {RoomCode} was refused by {ActorId}", code, actor.PlayerId);
                return Result<Knock>.Ok(knock with { State = KnockState.Refused });
            case KnockOutcome.RoomFull:
                return new RoomError(ErrorCodes.RoomFull, $"The room is full: it already has {_options.MaxPlayers} players. Turn {knock.Player.Name} away, or make room first.");
            case KnockOutcome.NameTaken:
                return new RoomError(ErrorCodes.NameTaken, $"Someone in the room is already called {knock.Player.Name}. Turn this request away; they can knock again with another name.");
            case KnockOutcome.Kicked:
                return new RoomError(ErrorCodes.Kicked, $"{knock.Player.Name} is on a device that was removed from this room and cannot be let in.");
            case KnockOutcome.RoomNotFound:
                return RoomService.RoomNotFound(code);
            default:
                return KnockNotFound();
        }
    }

    public async Task<Result<bool>> SetLockedAsync(RoomSnapshot room, Player actor, string? lockedText, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsAdmin(actor.PlayerId))
        {
            return NotAdmin(room, "lock or unlock the room");
        }

        bool locked;
        switch (lockedText?.Trim().ToUpperInvariant())
        {
            case "TRUE":
                locked = true;
                break;
            case "FALSE":
                locked = false;
                break;
            default:
                return new RoomError(ErrorCodes.InvalidLock, "Say whether the room should be locked: locked=true or locked=false.");
        }

        if (!await store.SetLockedAsync(room.Room.Code, locked, Now, ct))
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForDoor(room.Room.Code), ct);
        logger.LogInformation("Room {RoomCode} {Lock} by {PlayerId}", room.Room.Code, locked ? "locked" : "unlocked", actor.PlayerId);
        return Result<bool>.Ok(locked);
    }

    /// <summary>
    /// Until when (Unix ms) joins from a kicked player's address knock instead of coming straight in, for the room's admin
    /// (the only one the door panel tells); null when no such window is open or the viewer is not the admin.
    /// </summary>
    public async Task<long?> KnockUntilAsync(RoomSnapshot room, string viewerPlayerId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        return room.IsAdmin(viewerPlayerId) ? KnockUntil(await store.GetLastAddressKickAsync(room.Room.Code, ct), _options.KickKnockWindow, Now) : null;
    }

    /// <summary>The end of the knock window a kick at <paramref name="lastKick"/> opened, while it is still open at <paramref name="now"/>.</summary>
    public static long? KnockUntil(long? lastKick, TimeSpan window, long now) =>
        lastKick is { } at && at + (long)window.TotalMilliseconds > now ? at + (long)window.TotalMilliseconds : null;

    /// <summary>
    /// "Let them in freely": the admin ends the knock window of the room's kicks at once. Joins from the kicked players'
    /// networks come straight in again; the kicked players themselves (their ids, devices, cookies) stay barred.
    /// </summary>
    public async Task<Result<bool>> EndKnockWindowAsync(RoomSnapshot room, Player actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsAdmin(actor.PlayerId))
        {
            return NotAdmin(room, "let people from a removed player's network in freely");
        }

        if (!await store.ForgetKickedAddressesAsync(room.Room.Code, Now, ct))
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForDoor(room.Room.Code), ct);
        logger.LogInformation("The knock window of {RoomCode} was ended by {PlayerId}", room.Room.Code, actor.PlayerId);
        return Result<bool>.Ok(true);
    }

    /// <summary>Where a waiting person stands: still waiting, let in, or an error (turned away, lapsed, removed, not theirs).</summary>
    public async Task<Result<KnockStatus>> StatusAsync(RoomSnapshot? room, string code, string knockId, PlayerCredential? credential, string? deviceId, CancellationToken ct = default)
    {
        if (room is null)
        {
            return RoomService.RoomNotFound(code);
        }

        if (room.Bars(credential?.PlayerId, deviceId))
        {
            return new RoomError(ErrorCodes.Kicked, $"You were removed from room {room.Room.Code} and cannot rejoin it.");
        }

        var knock = await store.GetKnockAsync(room.Room.Code, knockId, ct);
        if (knock is null || credential is null || knock.Player.PlayerId != credential.PlayerId)
        {
            return KnockNotFound();
        }

        if (RoomService.Authenticate(room, credential) is not null)
        {
            return Result<KnockStatus>.Ok(new KnockStatus(knock, Admitted: true));
        }

        return knock.State switch
        {
            KnockState.Refused => new RoomError(ErrorCodes.RoomLocked, $"The room's DM did not let you in to room {room.Room.Code}."),
            KnockState.Waiting when knock.IsWaiting(Now) => Result<KnockStatus>.Ok(new KnockStatus(knock, Admitted: false)),
            KnockState.Waiting => new RoomError(ErrorCodes.KnockNotFound,
                $"Nobody answered your request to join room {room.Room.Code} in time. You can ask again."),
            _ => RoomService.NotInRoom(room.Room.Code),
        };
    }

    private static RoomError NotAdmin(RoomSnapshot room, string what) => new(ErrorCodes.NotAdmin, room.Room.Mode == RoomMode.DmLed
        ? $"Only the DM can {what}."
        : $"Only the player who created the room can {what}.");

    private static RoomError KnockNotFound() =>
        new(ErrorCodes.KnockNotFound, "That request to join is no longer waiting: it was answered, or it lapsed.");
}
