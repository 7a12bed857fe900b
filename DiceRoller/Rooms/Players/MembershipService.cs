using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>A member's continue link as their own page shows it: the URL path holds the secret token.</summary>
public sealed record ContinueLinkInfo(string Path);

/// <summary>
/// A member's identity without an account: leaving a room, and the private link that signs another device in as
/// the same player. Every rule is checked here against the room's current state.
/// </summary>
public sealed class MembershipService(IRooms store, IRoomEventPublisher events, TimeProvider time, SeedKeeper seeds, ILogger<MembershipService> logger)
{
    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Frees the member's seat at once and tells the room why. The DM of a DM-led room must hand the role over first
    /// (a table does not want the screen to pass by accident); a leaving creator's rights pass on (see
    /// <see cref="IRoomStore.LeaveAsync"/>); the last member leaving closes the room.
    /// </summary>
    public async Task<Result<LeaveResult>> LeaveAsync(RoomSnapshot room, Player me, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        var code = room.Room.Code;
        var seed = room.Players.Count == 1 ? await seeds.CurrentAsync(code, ct) : null;
        var result = await store.LeaveAsync(code, me, Now, ct);
        if (result.Outcome == LeaveOutcome.RoomClosed && (seed ?? await seeds.CurrentAsync(code, ct)) is { } closedSeed)
        {
            // The last member left: the room is gone and its seed is published.
            await seeds.PublishAsync(code, closedSeed, CancellationToken.None);
        }

        switch (result.Outcome)
        {
            case LeaveOutcome.RoomNotFound:
                return RoomService.RoomNotFound(code);
            case LeaveOutcome.PlayerNotFound:
                return RoomService.NotInRoom(code);
            case LeaveOutcome.DmMustHandOver:
                return new RoomError(ErrorCodes.DmMustHandOver,
                    "You are the DM. Hand the DM role to another player first (\"Hand over DM\" next to their name), then leave.");
        }

        await events.PublishAsync(RoomEvent.ForPlayerLeft(code, me, RoomEvent.Reasons.Left), ct);
        if (result.NewCreatorPlayerId is { } heirId && room.FindPlayer(heirId) is { } heir)
        {
            await events.PublishAsync(RoomEvent.ForCreatorChanged(code, heir), ct);
        }

        logger.LogInformation("{PlayerId} left {RoomCode} ({Outcome}, creator now {CreatorId})", me.PlayerId, code, result.Outcome, result.NewCreatorPlayerId);
        return Result<LeaveResult>.Ok(result);
    }

    /// <summary>The member's continue link, made the first time it is asked for. Null when the room or the member is gone.</summary>
    public async Task<ContinueLinkInfo?> LinkForAsync(RoomSnapshot room, PlayerCredential credential, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(credential);
        var code = room.Room.Code;
        var token = ContinueLink.TokenFor(room.ContinueSeals.GetValueOrDefault(credential.PlayerId), credential);
        if (token is null)
        {
            // None yet (or sealed with a secret this browser does not hold, which cannot happen for a member): make one.
            var replace = room.ContinueSeals.ContainsKey(credential.PlayerId);
            await store.SetContinueSealAsync(code, credential.PlayerId, ContinueLink.NewSeal(credential), replace, ct);
            var fresh = await store.GetAsync(code, ct);
            token = fresh is null ? null : ContinueLink.TokenFor(fresh.ContinueSeals.GetValueOrDefault(credential.PlayerId), credential);
        }

        return token is null ? null : new ContinueLinkInfo(PathFor(code, token));
    }

    /// <summary>Replaces the member's continue link: every earlier link stops working (devices already signed in stay).</summary>
    public async Task<Result<ContinueLinkInfo>> RenewAsync(RoomSnapshot room, PlayerCredential credential, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(credential);
        var seal = ContinueLink.NewSeal(credential);
        if (!await store.SetContinueSealAsync(room.Room.Code, credential.PlayerId, seal, replace: true, ct))
        {
            return RoomService.NotInRoom(room.Room.Code);
        }

        logger.LogInformation("{PlayerId} renewed their continue link in {RoomCode}", credential.PlayerId, room.Room.Code);
        return Result<ContinueLinkInfo>.Ok(new ContinueLinkInfo(PathFor(room.Room.Code, ContinueLink.TokenFor(seal, credential)!)));
    }

    /// <summary>The member a continue token belongs to, with the credential for the new device's cookie; INVALID_TOKEN otherwise.</summary>
    public static Result<(Player Player, PlayerCredential Credential)> Resolve(RoomSnapshot room, string? token)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (ContinueLink.IsWellFormed(token))
        {
            foreach (var (playerId, seal) in room.ContinueSeals)
            {
                if (room.FindPlayer(playerId) is { } player && ContinueLink.Open(seal, playerId, token) is { } credential && credential.Matches(player))
                {
                    return Result<(Player, PlayerCredential)>.Ok((player, credential));
                }
            }
        }

        return new RoomError(ErrorCodes.InvalidToken,
            $"This link to continue in room {room.Room.Code} does not work (any more). It may have been renewed, or its player left or was removed. Ask for a new one, or join with a new name.");
    }

    public static string PathFor(string code, string token) => $"/rooms/{code}/continue/{token}";
}
