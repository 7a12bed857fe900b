using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Initiative;

/// <summary>
/// The DM's initiative forms under <c>/rooms/{code}/initiative</c>. htmx gets the tracker as the DM now sees it (an error goes
/// to the tracker's own error line); a plain post answers 303 to the room page, or the page with the error.
/// </summary>
public static class InitiativeEndpoints
{
    public static IEndpointRouteBuilder MapInitiative(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}/initiative");
        forms.MapPost("", (HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.StartAsync(room, me, context.RequestAborted)));
        forms.MapPost("/next", (HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.NextAsync(room, me, context.RequestAborted)));
        forms.MapPost("/previous", (HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.PreviousAsync(room, me, context.RequestAborted)));
        forms.MapPost("/end", (HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.EndAsync(room, me, context.RequestAborted)));
        forms.MapPost("/monsters", ([AsParameters] MonsterForm form, HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.AddMonstersAsync(room, me, form, context.RequestAborted)));
        forms.MapPost("/entries/{entryId}", (string entryId, [AsParameters] EntryForm form, HttpContext context, InitiativeService initiative,
            IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.EditAsync(room, me, entryId, form.Total, form.Bonus, context.RequestAborted)));
        forms.MapPost("/entries/{entryId}/remove", (string entryId, HttpContext context, InitiativeService initiative, IRoomPage pages) =>
            ChangeAsync(context, pages, (room, me) => initiative.RemoveAsync(room, me, entryId, context.RequestAborted)));
        return app;
    }

    /// <summary>The DM's change to the encounter, answered with the tracker as the DM now sees it (htmx) or 303 to it.</summary>
    private static Task<IResult> ChangeAsync(HttpContext context, IRoomPage pages, Func<RoomSnapshot, Player, Task<Result<Encounter?>>> action) =>
        MemberActions.RunAsync(context, pages, action, (room, me, result) => Task.FromResult(Tracker(context, room, me, result)),
            room => $"/rooms/{room.Room.Code}#initiative");

    private static IResult Tracker(HttpContext context, RoomSnapshot room, Player me, Result<Encounter?> result)
    {
        if (result.Error is { } error)
        {
            // The tracker stays as it is; the message shows in its error line.
            context.Response.Headers["HX-Retarget"] = "#initiative-error";
            context.Response.Headers["HX-Reswap"] = "innerHTML";
            return HtmlResults.ErrorFragment(error);
        }

        // Not cached: the form token below makes antiforgery send no-store (the DM's tracker holds hidden totals).
        var viewer = new Viewer(me.PlayerId, room.IsDm(me.PlayerId), HtmlResults.FormToken(context));
        return Results.RazorSlice<_Initiative, InitiativeModel>(new InitiativeModel(room.Room.Code, result.Value, viewer));
    }
}
