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
        forms.MapPost("/discord", async ([AsParameters] WebhookForm form, HttpContext context, SharingService sharing, IRoomPage pages) =>
        {
            var member = RoomMember.Of(context);
            return await AnswerAsync(context, sharing, pages, await sharing.SetWebhookAsync(member.Room, member.Me, form.WebhookUrl, context.RequestAborted));
        });
        forms.MapPost("/overlay/renew", async (HttpContext context, SharingService sharing, IRoomPage pages) =>
        {
            var member = RoomMember.Of(context);
            return await AnswerAsync(context, sharing, pages, await sharing.RenewOverlayAsync(member.Room, member.Me, context.RequestAborted));
        });
        return app;
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, SharingService sharing, IRoomPage pages, Result<string> result)
    {
        var member = RoomMember.Of(context);
        var code = member.Room.Room.Code;
        if (!HtmlResults.WantsFragment(context))
        {
            return result.Error is { } refused
                ? await pages.RoomPageAsync(context, member.Room, member.Me, actionError: refused, statusCode: ErrorStatus.For(refused.Code))
                : RoomsEndpoints.SeeOther(context, $"/rooms/{code}");
        }

        var panel = await sharing.PanelAsync(member.Room, member.Me.PlayerId, HtmlResults.FormToken(context), context.RequestAborted);
        if (panel is null)
        {
            // Not (or no longer) the DM, or the room is gone: the error alone.
            return HtmlResults.ErrorFragment(result.Error ?? RoomService.RoomNotFound(code));
        }

        return result.Error is { } error
            ? Results.RazorSlice<_SharingPanel, SharingPanelModel>(panel with { Error = error }, ErrorStatus.For(error.Code))
            : Results.RazorSlice<_SharingPanel, SharingPanelModel>(panel with { Status = result.Value });
    }
}
