using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Sharing;

/// <summary>The Discord form's one field: the webhook URL (empty removes it).</summary>
public sealed record WebhookForm([FromForm(Name = WebhookForm.Field)] string? WebhookUrl)
{
    public const string Field = "webhook_url";
}

/// <summary>
/// The DM's sharing forms: <c>POST /rooms/{code}/discord</c> (<c>webhook_url</c>; empty removes it) and
/// <c>POST /rooms/{code}/overlay/renew</c>. htmx gets the Share panel again (with the status line or the error); a plain
/// post 303s back to the room, or shows the room page with the error.
/// </summary>
public static class SharingEndpoints
{
    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}");
        forms.MapPost("/discord", ([AsParameters] WebhookForm form, HttpContext context, SharingService sharing, IRoomPage pages) =>
            MemberActions.RunAsync(context, pages, (room, me) => sharing.SetWebhookAsync(room, me, form.WebhookUrl, context.RequestAborted),
                (room, me, result) => PanelAsync(context, sharing, room, me, result)));
        forms.MapPost("/overlay/renew", (HttpContext context, SharingService sharing, IRoomPage pages) =>
            MemberActions.RunAsync(context, pages, (room, me) => sharing.RenewOverlayAsync(room, me, context.RequestAborted),
                (room, me, result) => PanelAsync(context, sharing, room, me, result)));
        return app;
    }

    /// <summary>The Share panel as the DM now sees it, with the change's status line or its error.</summary>
    private static async Task<IResult> PanelAsync(HttpContext context, SharingService sharing, RoomSnapshot room, Player me, Result<string> result)
    {
        var panel = await sharing.PanelAsync(room, me.PlayerId, HtmlResults.FormToken(context), context.RequestAborted);
        if (panel is null)
        {
            // Not (or no longer) the DM, or the room is gone: the error alone.
            return HtmlResults.ErrorFragment(result.Error ?? RoomService.RoomNotFound(room.Room.Code));
        }

        return result.Error is { } error
            ? Results.RazorSlice<_SharingPanel, SharingPanelModel>(panel with { Error = error }, ErrorStatus.For(error.Code))
            : Results.RazorSlice<_SharingPanel, SharingPanelModel>(panel with { Status = result.Value });
    }
}
