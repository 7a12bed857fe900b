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
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                moderation.SetDcAsync(room, me, form.Dc, context.RequestAborted),
                dc => dc is null ? "DC cleared." : $"DC set to {dc}.")));
        forms.MapPost("/promote", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                moderation.PromoteAsync(room, me, form.PlayerId, context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/kick", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                moderation.KickAsync(room, me, form.PlayerId, context.RequestAborted),
                player => $"{player.Name} was removed from the room.")));
        forms.MapPost("/dm", ([AsParameters] PlayerForm form, HttpContext context, ModerationService moderation, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                moderation.HandOverDmAsync(room, me, form.PlayerId, context.RequestAborted),
                change => $"{room.FindPlayer(change.DmPlayerId)?.Name} is now the DM.")));
        forms.MapPost("/close", (HttpContext context, ModerationService moderation, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                moderation.CloseAsync(room, me, context.RequestAborted),
                _ => "The room is closed."), afterSuccess: "/"));
        return app;
    }
}

/// <summary>The DC form: a number, or empty to clear it.</summary>
public sealed record DcForm([FromForm(Name = "dc")] string? Dc);

/// <summary>A form that names one member of the room (promote, kick, hand the DM role over).</summary>
public sealed record PlayerForm([FromForm(Name = "player_id")] string? PlayerId);
