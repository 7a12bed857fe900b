using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Rooms;

/// <summary>DM and room-admin actions: set the DC, promote, hand over the DM role, kick, close. htmx gets a status fragment; plain posts 303.</summary>
public static class ModerationEndpoints
{
    public static IEndpointRouteBuilder MapModeration(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}");
        forms.MapPost("/dc", ([AsParameters] DcForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me) => Describe(moderation.SetDcAsync(room, me, form.Dc, context.RequestAborted),
                dc => dc is null ? "DC cleared." : $"DC set to {dc}.")));
        forms.MapPost("/promote", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me) => Describe(moderation.PromoteAsync(room, me, form.PlayerId, context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/kick", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me) => Describe(moderation.KickAsync(room, me, form.PlayerId, context.RequestAborted),
                player => $"{player.Name} was removed from the room.")));
        forms.MapPost("/dm", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me) => Describe(moderation.HandOverDmAsync(room, me, form.PlayerId, context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/close", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            RunAsync(context, pages, (room, me) => Describe(moderation.CloseAsync(room, me, context.RequestAborted),
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
        Func<RoomSnapshot, Player, Task<Result<string>>> action, string? afterSuccess = null)
    {
        var fragment = HtmlResults.WantsFragment(context);
        var member = RoomMember.Of(context);
        var result = await action(member.Room, member.Me);
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

/// <summary>The DC form: a number, or empty to clear it.</summary>
public sealed record DcForm([FromForm(Name = "dc")] string? Dc);

/// <summary>A form that names one member of the room (promote, kick, hand the DM role over).</summary>
public sealed record PlayerForm([FromForm(Name = "player_id")] string? PlayerId);
