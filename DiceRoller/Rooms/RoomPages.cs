using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>Builds the room page for a member (used by the room route and by failed plain form posts).</summary>
public sealed class RoomPages(IRoomStore store, DoorService door, IOptions<RoomOptions> options)
{
    private readonly int _pageSize = options.Value.FeedPageSize;
    private readonly int _maxPlayers = options.Value.MaxPlayers;

    public async Task<IResult> RoomPageAsync(HttpContext context, RoomSnapshot room, Player me, long? before = null,
        Func<RollFormModel, RollFormModel>? form = null, int statusCode = StatusCodes.Status200OK, RoomError? actionError = null)
    {
        ArgumentNullException.ThrowIfNull(room);
        var code = room.Room.Code;
        var latest = await store.GetRollsBeforeAsync(code, long.MaxValue, 1, context.RequestAborted);
        var lastSequence = latest.Count > 0 ? latest[0].Sequence : 0;
        var page = await store.GetRollsBeforeAsync(code, before ?? long.MaxValue, _pageSize + 1, context.RequestAborted);
        var token = HtmlResults.FormToken(context);
        var formModel = new RollFormModel(code, token, room.IsDm(me.PlayerId));
        var model = new RoomPageModel(room, me, page.Take(_pageSize).ToList(), page.Count > _pageSize, lastSequence, token,
            form is null ? formModel : form(formModel))
        {
            ActionError = actionError,
            MaxPlayers = _maxPlayers,
            Knocks = await door.WaitingAsync(room, me.PlayerId, context.RequestAborted),
        };
        context.Response.Headers.CacheControl = "no-store";
        return Results.RazorSlice<RoomPage, RoomPageModel>(model, statusCode);
    }
}
