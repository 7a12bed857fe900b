using System.Globalization;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rolls;

public static class RollsEndpoints
{
    public static IEndpointRouteBuilder MapRolls(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/rolls", Earlier);
        var forms = app.MapMemberForms("/rooms/{code}");
        forms.MapPost("/rolls", Roll).WithMetadata(RecentRoomRead.Instance);
        forms.MapPost("/rolls/{rollId}/reveal", Reveal);
        app.MapSavedRolls();
        return app;
    }

    private static async Task<IResult> Roll([AsParameters] RollForm input, [FromForm(Name = "initiative")] string? initiativeFlag,
        HttpContext context, RollService rolls, RoomService rooms, IRoomPage pages, IInitiativeRolls initiativeRolls)
    {
        var fragment = HtmlResults.WantsFragment(context);
        var (room, me) = RoomMember.Of(context);
        // initiative=1: a d20 with the pad's modifier and advantage that also takes its place in the encounter's order.
        var forInitiative = IsSet(initiativeFlag);
        async Task<Result<Roll>> RollAsync(RoomSnapshot room, Player me)
        {
            if (!forInitiative)
            {
                return await rolls.RollAsync(room, me, input, context.RequestAborted);
            }

            // The player's place is held before the dice (a second initiative roll of theirs is refused, not rolled), and taken
            // or given back once the roll is made or refused, even if the page went away meanwhile.
            var prepared = await initiativeRolls.PrepareAsync(room, me, input, context.RequestAborted);
            if (prepared.Error is { } refused)
            {
                return refused;
            }

            var made = await rolls.RollAsync(room, me, prepared.Value!, context.RequestAborted);
            await initiativeRolls.FinishAsync(room, me, prepared.Value!, made, CancellationToken.None);
            return made;
        }

        var result = await RollAsync(room, me);
        if (result.Error is { Code: ErrorCodes.NotInRoom })
        {
            // The member was resolved over a kept room read (RecentRoomRead) and the roll's atomic start no longer found them as
            // read (kicked, left, no longer DM for a hidden roll): nothing was taken. Read the room afresh and answer from that.
            rooms.ForgetRecent(room.Room.Code);
            var fresh = await MemberRequest.ResolveAsync(context, room.Room.Code, rooms, fragment);
            if (fresh.Refusal is not null)
            {
                return fresh.Refusal;
            }

            (room, me) = (fresh.Room!, fresh.Me!);
            result = await RollAsync(room, me);
        }

        if (result.Error is { } error)
        {
            if (fragment)
            {
                return HtmlResults.ErrorFragment(error);
            }

            // The full page shows the room as it is now, not as a kept read had it.
            room = await rooms.FindAsync(room.Room.Code, context.RequestAborted) ?? room;
            return await pages.RoomPageAsync(context, room, me, form: f => f with
            {
                Dice = input.Dice ?? "",
                Modifier = input.Modifier ?? "",
                Count = input.Count ?? "1",
                Advantage = input.Advantage ?? "none",
                Error = error,
                Hidden = IsSet(input.Hidden),
                KeepHidden = IsSet(input.KeepHidden),
            }, statusCode: ErrorStatus.For(error.Code));
        }

        if (!fragment)
        {
            // The reloaded page shows the reset pad with this roll in view next to it; a DM's pinned "Keep hidden on" stays.
            var pinned = room.IsDm(me.PlayerId) && IsSet(input.KeepHidden) ? $"?{IRoomPage.KeepHiddenQuery}=true" : "";
            return RoomsEndpoints.SeeOther(context, $"/rooms/{room.Room.Code}{pinned}#{IRoomPage.OwnRollAnchor}");
        }

        // Only a hidden roll's row for its roller carries a form (Reveal): a form token costs a Data Protection encryption, so the
        // row of any other roll goes without one, and is kept out of caches as a token's answer is.
        var token = result.Value!.IsRevealableBy(me.PlayerId) ? HtmlResults.FormToken(context) : HtmlResults.NoStore(context);
        var viewer = new Viewer(me.PlayerId, room.IsDm(me.PlayerId), token);
        return Results.RazorSlice<_RollEntry, RollEntryModel>(new RollEntryModel(result.Value!, viewer));
    }

    private static bool IsSet(string? flag) => flag?.Trim().ToLowerInvariant() is "true" or "on" or "1";

    /// <summary>The DM reveals a hidden roll: every page replaces it in place (roll-revealed), its permalink opens.</summary>
    private static Task<IResult> Reveal(string rollId, HttpContext context, RollService rolls, IRoomPage pages, IInitiativeRolls initiativeRolls)
    {
        async Task<Result<Roll>> RevealAsync(RoomSnapshot room, Player me)
        {
            var result = await rolls.RevealAsync(room, me, rollId, context.RequestAborted);
            if (result.Value is { } revealed)
            {
                await initiativeRolls.RevealedAsync(room, revealed, context.RequestAborted);
            }

            return result;
        }

        return MemberActions.StatusAsync(context, pages, (room, me) => MemberActions.Describe(RevealAsync(room, me),
            roll => $"Revealed {Possessive.Of(roll.PlayerName)} {roll.DiceFormula}: {roll.Total}."));
    }

    /// <summary>The rolls before a sequence number, for "Load earlier rolls" (an htmx fragment).</summary>
    private static async Task<IResult> Earlier(string code, HttpContext context, RoomService rooms, IRollLog store, IOptions<RoomOptions> options)
    {
        var member = await MemberRequest.ResolveAsync(context, code, rooms, fragment: true);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        var (room, me) = (member.Room!, member.Me!);
        if (!long.TryParse(context.Request.Query["before"], NumberStyles.None, CultureInfo.InvariantCulture, out var before))
        {
            return HtmlResults.ErrorFragment(new RoomError(ErrorCodes.BadRequest, "Say which rolls to load: before must be a roll number."));
        }

        var pageSize = options.Value.FeedPageSize;
        var page = await store.GetRollsBeforeAsync(room.Room.Code, before, pageSize + 1, context.RequestAborted);
        var viewer = new Viewer(me.PlayerId, room.IsDm(me.PlayerId), null);
        var rows = page.Take(pageSize).Select(r => new RollEntryModel(r, viewer)).ToList();
        var next = page.Count > pageSize ? new EarlierLinkModel(room.Room.Code, rows[^1].Roll.Sequence) : null;
        HtmlResults.WantsFragment(context);
        context.Response.Headers.CacheControl = "no-store"; // the DM's rows hold hidden totals and reveal forms
        return Results.RazorSlice<_EarlierRolls, EarlierRollsModel>(new EarlierRollsModel(rows, next));
    }
}
