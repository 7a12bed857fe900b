using DiceRoller.Rooms.Door;
using DiceRoller.Shared;
using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>
/// The room's door: the waiting page of a knock (<c>GET /rooms/{code}/knocks/{id}</c>), the admin's answers
/// (<c>POST .../admit</c>, <c>POST .../refuse</c>), the lock (<c>POST /rooms/{code}/lock</c>, <c>locked=true|false</c>) and the end of a
/// kick's knock window (<c>POST /rooms/{code}/kick-window/end</c>).
/// </summary>
public static class DoorEndpoints
{
    public static IEndpointRouteBuilder MapDoor(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/knocks/{id}", Waiting);
        var forms = app.MapMemberForms("/rooms/{code}");
        forms.MapPost("/knocks/{id}/admit", (string id, HttpContext context, DoorService door, IRoomPage pages) =>
            Answer(id, admit: true, context, door, pages));
        forms.MapPost("/knocks/{id}/refuse", (string id, HttpContext context, DoorService door, IRoomPage pages) =>
            Answer(id, admit: false, context, door, pages));
        forms.MapPost("/lock", ([AsParameters] LockForm form, HttpContext context, DoorService door, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                door.SetLockedAsync(room, me, form.Locked, context.RequestAborted),
                locked => locked ? "The room is locked: new players knock and wait for you." : "The room is unlocked: anyone with the code can join.")));
        forms.MapPost("/kick-window/end", (HttpContext context, DoorService door, IRoomPage pages) =>
            MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
                door.EndKnockWindowAsync(room, me, context.RequestAborted),
                _ => "Anyone with the code can join again, also from the removed player's network. The removed player stays out.")));
        return app;
    }

    private static Task<IResult> Answer(string id, bool admit, HttpContext context, DoorService door, IRoomPage pages) =>
        MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(
            door.AnswerAsync(room, me, id, admit, context.RequestAborted),
            knock => knock.State == KnockState.Admitted ? $"{knock.Player.Name} is in the room." : $"{knock.Player.Name} was turned away."));

    private static async Task<IResult> Waiting(string code, string id, HttpContext context, RoomService rooms, DoorService door, IOptions<RoomOptions> options)
    {
        context.Response.Headers.CacheControl = "no-store";
        var room = await rooms.FindAsync(code, context.RequestAborted);
        var roomCode = room?.Room.Code ?? code.ToUpperInvariant();
        var credential = PlayerCookie.Read(context, roomCode);
        var status = await door.StatusAsync(room, roomCode, id, credential, DeviceCookie.Read(context), context.RequestAborted);

        // The waiting page's htmx poll: any answer but "still waiting" loads the room (let in) or this answer in full.
        if (HtmlResults.WantsFragment(context) && status.Value is not { Admitted: false })
        {
            context.Response.Htmx(h => h.Redirect(status.Value is { Admitted: true } ? $"/rooms/{roomCode}" : context.Request.Path.Value ?? "/"));
            return Results.NoContent();
        }

        // Only the knock's own browser gets an answer other than an error; for anyone else (not a player) an error
        // would tell an existing room from a missing one, so it counts against the guessing budget.
        var member = room is not null && RoomService.Authenticate(room, credential) is not null;
        if (status.Error is not null && !member && await MemberRequest.CountLookAsync(context, rooms) is { } tooMany)
        {
            return HtmlResults.ErrorPage(tooMany, "Too many tries");
        }

        if (status.Error is { } error)
        {
            return HtmlResults.ErrorPage(error, error.Code == ErrorCodes.RoomLocked ? "Not let in" : "Cannot join the room",
                error.Code == ErrorCodes.KnockNotFound ? $"/rooms/{roomCode}" : "/", error.Code == ErrorCodes.KnockNotFound ? "Ask to join again" : "Back to the start");
        }

        return status.Value!.Admitted
            ? RoomsEndpoints.SeeOther(context, $"/rooms/{roomCode}")
            : WaitingPage(context, status.Value.Knock, options.Value);
    }

    /// <summary>
    /// The page a knocking person waits on: 202 (not in yet), refreshing itself until they are let in or turned away. It names
    /// the room and the knock, so it is for this visitor only (<c>no-store</c>), whether it answers the join or a refresh.
    /// </summary>
    public static IResult WaitingPage(HttpContext context, Knock knock, RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(knock);
        ArgumentNullException.ThrowIfNull(options);
        context.Response.Headers.CacheControl = "no-store";
        return Results.RazorSlice<KnockPage, KnockPageModel>(new KnockPageModel(knock, options.KnockRefreshSeconds), StatusCodes.Status202Accepted);
    }
}

/// <summary>The lock switch: <c>locked=true|false</c>.</summary>
public sealed record LockForm([FromForm(Name = "locked")] string? Locked);
