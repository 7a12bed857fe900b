using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Rolls;

/// <summary>
/// A member's saved rolls, kept with their seat: save one (<c>POST /rooms/{code}/saved</c>: name, formula, advantage, hidden)
/// or remove one (<c>POST /rooms/{code}/saved/remove</c>: name). htmx gets the Saved rolls section (with the error, if any,
/// and its status); a plain post 303s back to the room, or gets the whole page with the error.
/// </summary>
public static class SavedRollsEndpoints
{
    public static IEndpointRouteBuilder MapSavedRolls(this IEndpointRouteBuilder app)
    {
        var forms = app.MapMemberForms("/rooms/{code}/saved");
        forms.MapPost("", ([AsParameters] SaveRollForm form, HttpContext context, ISavedRolls store, TimeProvider time, IRoomPage pages) =>
            AnswerAsync(context, store, pages, (room, me) => SavedRolls.SaveAsync(store, room, me, form, Now(time), context.RequestAborted),
                section => section with { Name = form.Name ?? "", Formula = form.Formula ?? "", Advantage = form.Advantage ?? "none",
                    Hidden = form.Hidden?.Trim().ToLowerInvariant() is "true" or "on" or "1" }));
        forms.MapPost("/remove", ([AsParameters] RemoveSavedRollForm form, HttpContext context, ISavedRolls store, TimeProvider time, IRoomPage pages) =>
            AnswerAsync(context, store, pages, (room, me) => SavedRolls.RemoveAsync(store, room, me, form.Name, Now(time), context.RequestAborted),
                section => section));
        return app;
    }

    private static long Now(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs the change and answers: the section (fragment) as it is now, with the change's status or its error and what was
    /// typed (<paramref name="typed"/>, only on an error); without htmx 303 to the section, or the whole page with the error.
    /// </summary>
    private static async Task<IResult> AnswerAsync(HttpContext context, ISavedRolls store, IRoomPage pages,
        Func<RoomSnapshot, Player, Task<Result<string>>> change, Func<SavedRollsModel, SavedRollsModel> typed)
    {
        var fragment = HtmlResults.WantsFragment(context);
        var (room, me) = RoomMember.Of(context);
        var result = await change(room, me);
        if (!fragment)
        {
            return result.Error is { } pageError
                ? await pages.RoomPageAsync(context, room, me, form: f => f with { SavedRolls = typed(f.SavedRolls!) with { Error = pageError } },
                    statusCode: ErrorStatus.For(pageError.Code))
                : RoomsEndpoints.SeeOther(context, $"/rooms/{room.Room.Code}#presets");
        }

        var code = room.Room.Code;
        var section = new SavedRollsModel(code, HtmlResults.FormToken(context), room.IsDm(me.PlayerId),
            await store.GetSavedRollsAsync(code, me.PlayerId, context.RequestAborted), RollRequestId.New());
        section = result.Error is { } error ? typed(section) with { Error = error } : section with { Status = result.Value };
        return Results.RazorSlice<_SavedRolls, SavedRollsModel>(section, result.Error is { } e ? ErrorStatus.For(e.Code) : StatusCodes.Status200OK);
    }
}
