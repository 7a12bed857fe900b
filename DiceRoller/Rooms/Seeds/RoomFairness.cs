using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Rooms;

/// <summary>
/// A member's part in provable fairness: their client seed (set at any time, used from their next roll; under rules 2 only
/// under the commitment current when it was set), and the admin's "Reveal and rotate" (the old seed is published, a new one
/// committed, every page shows the new commitment at once and renews its client seed).
/// </summary>
public sealed class RoomFairness(IRoomSeeds store, IRoomEventPublisher events, SeedKeeper seeds, TimeProvider time, ILogger<RoomFairness> logger)
{
    public async Task<Result<string>> SetClientSeedAsync(RoomSnapshot room, Player me, string? clientSeed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        var seed = clientSeed?.Trim();
        if (!Fairness.ClientSeed.IsValid(seed))
        {
            return new RoomError(ErrorCodes.InvalidClientSeed,
                $"A client seed is 1 to {Fairness.ClientSeed.MaxLength} letters (A-Z, a-z), digits, - or _. Your seed did not change.");
        }

        if (!await store.SetClientSeedAsync(room.Room.Code, me.PlayerId, seed!, time.GetUtcNow().ToUnixTimeMilliseconds(), ct))
        {
            return RoomService.NotInRoom(room.Room.Code);
        }

        logger.LogInformation("{PlayerId} set a client seed in {RoomCode}", me.PlayerId, room.Room.Code);
        return Result<string>.Ok(seed!);
    }

    /// <summary>Publishes the room's seed and commits a new one. Only the room's admin (the DM, or an open room's creator).</summary>
    public async Task<Result<SeedRotation>> RotateAsync(RoomSnapshot room, Player actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsAdmin(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotAdmin, room.Room.Mode == RoomMode.DmLed
                ? "Only the DM can reveal and rotate the room's seed."
                : "Only the player who created the room can reveal and rotate its seed.");
        }

        var rotation = await seeds.RotateAsync(room.Room.Code, ct);
        if (rotation is null)
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(RoomEvent.ForSeedRotated(room.Room.Code, rotation.New.Commitment), ct);
        logger.LogInformation("Seed of {RoomCode} rotated by {PlayerId}: {OldCommitment} published, {Commitment} committed",
            room.Room.Code, actor.PlayerId, rotation.Old?.Commitment, rotation.New.Commitment);
        return Result<SeedRotation>.Ok(rotation);
    }
}

public static class RoomFairnessEndpoints
{
    public static IEndpointRouteBuilder MapRoomFairness(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}/fairness");
        forms.MapPost("/client-seed", (string code, [AsParameters] ClientSeedForm form, HttpContext context, RoomFairness fairness, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                fairness.SetClientSeedAsync(room, me, form.ClientSeed, context.RequestAborted),
                seed => $"Your client seed is now {seed}. Your next roll uses it."),
                afterSuccess: $"/rooms/{code.ToUpperInvariant()}#fairness"));
        forms.MapPost("/rotate", (string code, HttpContext context, RoomFairness fairness, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                fairness.RotateAsync(room, me, context.RequestAborted),
                rotation => rotation.Old is null
                    ? "A new seed is committed."
                    : $"The old seed is published ({rotation.Old.SeedHex}); the new commitment is {rotation.New.Commitment}."),
                afterSuccess: $"/rooms/{code.ToUpperInvariant()}#fairness"));
        return app;
    }
}

/// <summary>A member's own client seed, for their next rolls.</summary>
public sealed record ClientSeedForm([FromForm(Name = "client_seed")] string? ClientSeed);
