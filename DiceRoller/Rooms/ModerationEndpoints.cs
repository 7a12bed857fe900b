using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>DM and room-admin actions: set the DC, promote, hand over the DM role, kick, close. htmx gets a status fragment; plain posts 303.</summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModeration(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}");
        forms.MapPost("/dc", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me, form) => Describe(moderation.SetDcAsync(room, me, form["dc"], context.RequestAborted),
                dc => dc is null ? "DC cleared." : $"DC set to {dc}.")));
        forms.MapPost("/promote", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me, form) => Describe(moderation.PromoteAsync(room, me, form["player_id"], context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/kick", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me, form) => Describe(moderation.KickAsync(room, me, form["player_id"], context.RequestAborted),
                player => $"{player.Name} was removed from the room.")));
        forms.MapPost("/dm", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me, form) => Describe(moderation.HandOverDmAsync(room, me, form["player_id"], context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/close", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me, _) => Describe(moderation.CloseAsync(room, me, context.RequestAborted),
                _ => "The room is closed."), afterSuccess: "/"));
        return app;
    }

    internal static async Task<Result<string>> Describe<T>(Task<Result<T>> action, Func<T, string> message)
    {
        var result = await action;
        return result.Error is { } error ? error : Result<string>.Ok(message(result.Value!));
    }

    /// <summary>A member's action in a member group (<see cref="MemberGroups.MapMemberForms"/>): its status fragment, or 303.</summary>
    internal static async Task<IResult> RunAsync(HttpContext context, IRoomPage pages,
        Func<RoomSnapshot, Player, IFormCollection, Task<Result<string>>> action, string? afterSuccess = null)
    {
        var fragment = HtmlResults.WantsFragment(context);
        var member = RoomMember.Of(context);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var result = await action(member.Room, member.Me, form);
        if (result.Error is { } error)
        {
            return fragment
                ? HtmlResults.ErrorFragment(error)
                : await pages.RoomPageAsync(context, member.Room, member.Me, actionError: error, statusCode: ErrorStatus.For(error.Code));
        }

        var next = afterSuccess ?? $"/rooms/{member.Room.Room.Code}";
        return fragment
            ? Results.RazorSlice<_ActionStatus, string>(result.Value!)
            : RoomsEndpoints.SeeOther(context, next);
    }
}
