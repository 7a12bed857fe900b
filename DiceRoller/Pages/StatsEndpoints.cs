using DiceRoller.Fairness;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Pages;

/// <summary><c>GET /rooms/{CODE}/stats</c>: "are my dice cursed?", for the room's members (the same refusals as every member-only page).</summary>
public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapRoomStats(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/stats", ShowAsync);
        return app;
    }

    private static async Task<IResult> ShowAsync(string code, HttpContext context, RoomService rooms, IRollLog store, IOptions<RoomOptions> options)
    {
        var member = await MemberRequest.ResolveAsync(context, code, rooms, fragment: false);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        var (room, me) = (member.Room!, member.Me!);
        var history = await store.GetRollsAfterAsync(room.Room.Code, 0, options.Value.HistoryLimit, context.RequestAborted);
        var stats = DiceStats.Compute(history, me.PlayerId);
        context.Response.Headers.CacheControl = "private, no-store";
        return Results.RazorSlice<StatsPage, StatsPageModel>(new StatsPageModel(room.Room.Code, stats, room.IsDm(me.PlayerId)));
    }
}

public sealed record StatsPageModel(string Code, RoomDiceStats Stats, bool ViewerIsDm)
{
    /// <summary>A p-value in words: below 1% the dice look off, otherwise nothing to worry about.</summary>
    public static string Verdict(DieStats die)
    {
        ArgumentNullException.ThrowIfNull(die);
        if (!die.EnoughForTest)
        {
            return $"Too few rolls to judge: each face is expected {DiceChart.N(die.Expected)} times; the test needs at least 5.";
        }

        return die.PValue < 0.01
            ? "Unusual: fair dice give a spread this uneven less than 1% of the time. Keep rolling; streaks happen, and the next rolls will tell."
            : die.PValue < 0.05
                ? "A little uneven, but fair dice give a spread like this now and then (p below 5%)."
                : "Nothing unusual: fair dice give a spread like this often.";
    }
}
