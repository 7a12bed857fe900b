using DiceRoller.Shared;

namespace DiceRoller.Permalinks;

public static class PermalinksEndpoints
{
    public static IEndpointRouteBuilder MapPermalinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/permalink/{rollId}", Json);
        app.MapGet("/roll/{rollId}", Page);
        return app;
    }

    private static async Task<IResult> Json(string rollId, IPermalinkArchive store, CancellationToken ct)
    {
        var permalink = await FindPublicAsync(rollId, store, ct);
        return permalink is null
            ? Results.Json(new { error = "Permalink not found or expired", roll_id = rollId }, statusCode: StatusCodes.Status404NotFound)
            : Results.Json(permalink, Rooms.RoomJson.Options);
    }

    private static async Task<IResult> Page(string rollId, HttpContext context, IPermalinkArchive store, PublicUrls urls, CancellationToken ct)
    {
        var permalink = await FindPublicAsync(rollId, store, ct);
        if (permalink is null)
        {
            return HtmlResults.ErrorPage(new Rooms.RoomError(Rooms.ErrorCodes.RollNotFound,
                "This roll's link has expired, was never shared, or is still hidden by the DM."), "Roll not found");
        }

        context.Response.Headers.CacheControl = "public, max-age=60";
        return Results.RazorSlice<PermalinkPage, PermalinkPageModel>(new PermalinkPageModel(permalink, urls.Base));
    }

    /// <summary>The public permalink, or null when unknown, malformed, expired or still hidden.</summary>
    private static async Task<Permalink?> FindPublicAsync(string rollId, IPermalinkArchive store, CancellationToken ct)
    {
        if (!Guid.TryParseExact(rollId, "D", out _))
        {
            return null;
        }

        var row = await store.FindAsync(rollId.ToLowerInvariant(), ct);
        return row is { IsPublic: true } ? Permalink.From(row) : null;
    }
}

public sealed record PermalinkPageModel(Permalink Roll, string Origin)
{
    public string Headline => Roll.Label is null
        ? $"{Roll.PlayerName} rolled {Roll.Total} ({Roll.DiceFormula})"
        : $"{Roll.PlayerName} rolled {Roll.Total} for {Roll.Label} ({Roll.DiceFormula})";
}
