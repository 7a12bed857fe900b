using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>
/// A member's form action in a member group (<see cref="MemberGroups.MapMemberForms"/>), answered the one way every such form
/// answers: the action runs once over the resolved member and returns a <see cref="Result{T}"/>; htmx gets the fragment the
/// feature draws from the result (its own error line or panel included); a plain post answers 303 (post/redirect/get), or the
/// room page with the error and its status. Lives in Rooms, the lowest layer that knows the member and the room page port.
/// </summary>
public static class MemberActions
{
    /// <summary>
    /// Runs <paramref name="action"/> and answers it: with htmx, <paramref name="fragment"/> of the result (error or value); without,
    /// 303 to <paramref name="seeOther"/> (the room page when null) on success, or the room page with the error.
    /// </summary>
    public static async Task<IResult> RunAsync<T>(HttpContext context, IRoomPage pages, Func<RoomSnapshot, Player, Task<Result<T>>> action,
        Func<RoomSnapshot, Player, Result<T>, Task<IResult>> fragment, Func<RoomSnapshot, string>? seeOther = null)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(fragment);
        var wantsFragment = HtmlResults.WantsFragment(context);
        var (room, me) = RoomMember.Of(context);
        var result = await action(room, me);
        if (wantsFragment)
        {
            return await fragment(room, me, result);
        }

        return result.Error is { } error
            ? await pages.RoomPageAsync(context, room, me, actionError: error, statusCode: ErrorStatus.For(error.Code))
            : RoomsEndpoints.SeeOther(context, seeOther?.Invoke(room) ?? $"/rooms/{room.Room.Code}");
    }

    /// <summary>
    /// An action whose answer is a status line: with htmx its message (<c>_ActionStatus</c>) or the error fragment; without, 303 to
    /// <paramref name="afterSuccess"/> (the room page when null) or the room page with the error.
    /// </summary>
    public static Task<IResult> StatusAsync(HttpContext context, IRoomPage pages, Func<RoomSnapshot, Player, Task<Result<string>>> action,
        string? afterSuccess = null) =>
        RunAsync(context, pages, action, (_, _, result) => Task.FromResult(StatusFragment(result)),
            afterSuccess is null ? null : _ => afterSuccess);

    /// <summary>The status line of a result: its message, or its error fragment.</summary>
    public static IResult StatusFragment(Result<string> result) =>
        result.Error is { } error ? HtmlResults.ErrorFragment(error) : Results.RazorSlice<_ActionStatus, string>(result.Value!);

    /// <summary>The result of <paramref name="action"/> as the message <paramref name="message"/> makes of its value, or its error.</summary>
    public static async Task<Result<string>> Describe<T>(Task<Result<T>> action, Func<T, string> message)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(message);
        var result = await action;
        return result.Error is { } error ? error : Result<string>.Ok(message(result.Value!));
    }
}
