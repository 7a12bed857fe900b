using DiceRoller.Initiative;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Pages;

/// <summary>Builds the room page for a member (used by the room route and by failed plain form posts).</summary>
public sealed class RoomPages(IRollLog store, DoorService door, IOptions<RoomOptions> options, PublicUrls urls, MembershipService membership,
    InitiativeService initiative, Sharing.SharingService sharing, ISavedRolls savedRolls)
    : IRoomPage
{
    private readonly int _pageSize = options.Value.FeedPageSize;
    private readonly int _maxPlayers = options.Value.MaxPlayers;

    public async Task<IResult> RoomPageAsync(HttpContext context, RoomSnapshot room, Player me, long? before = null,
        Func<RollFormModel, RollFormModel>? form = null, int statusCode = StatusCodes.Status200OK, RoomError? actionError = null)
    {
        ArgumentNullException.ThrowIfNull(room);
        var code = room.Room.Code;
        // Read beside the rolls (Valkey pipelines the two: no round trip more for the page).
        var saved = savedRolls.GetSavedRollsAsync(code, me.PlayerId, context.RequestAborted);
        var latest = await store.GetRollsBeforeAsync(code, long.MaxValue, 1, context.RequestAborted);
        var lastSequence = latest.Count > 0 ? latest[0].Sequence : 0;
        var page = await store.GetRollsBeforeAsync(code, before ?? long.MaxValue, _pageSize + 1, context.RequestAborted);
        var token = HtmlResults.FormToken(context);
        var isDm = room.IsDm(me.PlayerId);
        var rolls = page.Take(_pageSize).ToList();
        var ownLatest = before is null ? rolls.Find(r => r.PlayerId == me.PlayerId) : null;
        var formModel = new RollFormModel(code, token, isDm)
        {
            RequestId = RollRequestId.New(),
            KeepHidden = isDm && string.Equals(context.Request.Query[IRoomPage.KeepHiddenQuery], "true", StringComparison.Ordinal),
            OwnLatest = ownLatest is null ? null : new RollEntryModel(ownLatest, new Viewer(me.PlayerId, isDm, token)),
        };
        formModel = formModel with
        {
            SavedRolls = new SavedRollsModel(code, token, isDm, await saved, formModel.RequestId),
        };
        var model = new RoomPageModel(room, me, rolls, page.Count > _pageSize, lastSequence, token,
            form is null ? formModel : form(formModel))
        {
            ActionError = actionError,
            TableRolls = before is null ? [.. rolls.Where(r => r.PlayerId != me.PlayerId).Take(RoomPageModel.TableRollCount)] : [],
            MaxPlayers = _maxPlayers,
            Invite = new InvitePanelModel(code, urls.Absolute($"/rooms/{code}")),
            Continue = await ContinuePanelAsync(context, room, token),
            Knocks = await door.WaitingAsync(room, me.PlayerId, context.RequestAborted),
            KnockUntil = await door.KnockUntilAsync(room, me.PlayerId, context.RequestAborted),
            Encounter = await initiative.ReadAsync(room, context.RequestAborted),
            Sharing = await sharing.PanelAsync(room, me.PlayerId, token, context.RequestAborted),
        };
        context.Response.Headers.CacheControl = "no-store";
        return Results.RazorSlice<RoomPage, RoomPageModel>(model, statusCode);
    }

    /// <summary>The viewer's continue panel: only their own browser (it holds their cookie secret) can make their link.</summary>
    public async Task<ContinuePanelModel?> ContinuePanelAsync(HttpContext context, RoomSnapshot room, string formToken, bool renewed = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(room);
        var credential = PlayerCookie.Read(context, room.Room.Code);
        var link = credential is null ? null : await membership.LinkForAsync(room, credential, context.RequestAborted);
        return link is null ? null : new ContinuePanelModel(room.Room.Code, urls.Absolute(link.Path), formToken, renewed);
    }
}
