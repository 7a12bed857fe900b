using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>
/// The room page as the endpoints of Rooms and Rolls ask for it: the page shows rolls too, so it is drawn above both
/// (<c>Pages/RoomPages</c>) and reached through this port, keeping the dependency rule (docs/architecture.md).
/// </summary>
public interface IRoomPage
{
    /// <summary>The id of the own-result panel next to the pad: a plain roll post redirects to it.</summary>
    const string OwnRollAnchor = "your-roll";

    /// <summary>The query flag that keeps a DM's pinned "Keep hidden on" across a plain roll post's redirect.</summary>
    const string KeepHiddenQuery = "keep_hidden";

    /// <summary>The room page for a member; <paramref name="form"/> adjusts the roll form (a refused plain roll post keeps what was typed).</summary>
    Task<IResult> RoomPageAsync(HttpContext context, RoomSnapshot room, Player me, long? before = null,
        Func<RollFormModel, RollFormModel>? form = null, int statusCode = StatusCodes.Status200OK, RoomError? actionError = null);

    /// <summary>The viewer's continue panel: only their own browser (it holds their cookie secret) can make their link.</summary>
    Task<ContinuePanelModel?> ContinuePanelAsync(HttpContext context, RoomSnapshot room, string formToken, bool renewed = false);
}
