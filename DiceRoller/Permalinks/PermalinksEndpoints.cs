using System.Text.Json;
using System.Text.Json.Nodes;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Permalinks;

public static class PermalinksEndpoints
{
    public static IEndpointRouteBuilder MapPermalinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/permalink/{rollId}", Json);
        app.MapGet("/roll/{rollId}", Page);
        app.MapGet("/rooms/{code}/log.json", Log);
        return app;
    }

    private static async Task<IResult> Json(string rollId, IPermalinkArchive store, RollProofs proofs, CancellationToken ct)
    {
        var permalink = await FindPublicAsync(rollId, store, proofs, ct);
        return permalink is null
            ? Results.Json(new { error = "Permalink not found or expired", roll_id = rollId }, statusCode: StatusCodes.Status404NotFound)
            : Results.Json(permalink, Rooms.RoomJson.Options);
    }

    private static async Task<IResult> Page(string rollId, HttpContext context, IPermalinkArchive store, RollProofs proofs, PublicUrls urls, CancellationToken ct)
    {
        var permalink = await FindPublicAsync(rollId, store, proofs, ct);
        if (permalink is null)
        {
            return HtmlResults.ErrorPage(new Rooms.RoomError(Rooms.ErrorCodes.RollNotFound,
                "This roll's link has expired, was never shared, or is still hidden by the DM."), "Roll not found");
        }

        context.Response.Headers.CacheControl = "public, max-age=60";
        return Results.RazorSlice<PermalinkPage, PermalinkPageModel>(new PermalinkPageModel(permalink, urls.Base) { Check = proofs.Check(permalink) });
    }

    /// <summary>
    /// The room's whole verifiable log for a member while the room lives: every roll's permalink JSON in chain order, hidden
    /// values withheld from those who may not see them (as on the page), with the key that signed them.
    /// </summary>
    private static async Task<IResult> Log(string code, HttpContext context, RoomService rooms, IPermalinkArchive store, RollProofs proofs,
        IRollSigner signer, CancellationToken ct)
    {
        var member = await MemberRequest.ResolveAsync(context, code, rooms, fragment: false);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        var room = member.Room!;
        var isDm = room.IsDm(member.Me!.PlayerId);
        var seeds = new Dictionary<string, string?>(StringComparer.Ordinal);
        var rolls = new JsonArray();
        foreach (var row in await store.RoomLogAsync(room.Room.Code, room.Room.CreatedAt, ct))
        {
            var permalink = await proofs.WithSeedAsync(Permalink.From(row), seeds, ct);
            var visible = row.IsPublic || isDm || row.PlayerId == member.Me.PlayerId;
            rolls.Add(LogEntry(permalink, visible, row));
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new JsonObject
        {
            ["room_code"] = room.Room.Code,
            ["key"] = new JsonObject { ["algorithm"] = signer.Key.Algorithm, ["key_id"] = signer.Key.KeyId, ["public_key"] = signer.Key.PublicKey },
            ["rolls"] = rolls,
        });
    }

    /// <summary>A roll of the log: its permalink JSON, or for a hidden roll the viewer may not see, the same with its values withheld.</summary>
    private static JsonNode LogEntry(Permalink permalink, bool visible, PermalinkRow row)
    {
        var salt = row.Salt;
        var node = JsonSerializer.SerializeToNode(permalink, RoomJson.Options)!.AsObject();
        if (!visible)
        {
            foreach (var field in new[] { "individual_results", "total", "terms", "label", "successes", "crit", "dc_check" })
            {
                node[field] = null;
            }
        }
        else if (node["fairness"] is JsonObject fairness && salt is not null)
        {
            fairness["salt"] = salt; // the DM sees a hidden roll's values: the salt too, to check its hash
            if (Permalink.RulesOf(row) is { HiddenIndex: int index } rules)
            {
                fairness["hidden_index"] = index;
                fairness["hidden_path"] = JsonSerializer.SerializeToNode(rules.HiddenPath, RoomJson.Options);
            }
        }

        return node;
    }

    /// <summary>The public permalink, or null when unknown, malformed, expired or still hidden.</summary>
    private static async Task<Permalink?> FindPublicAsync(string rollId, IPermalinkArchive store, RollProofs proofs, CancellationToken ct)
    {
        if (!Guid.TryParseExact(rollId, "D", out _))
        {
            return null;
        }

        var row = await store.FindAsync(rollId.ToLowerInvariant(), ct);
        return row is { IsPublic: true } ? await proofs.WithSeedAsync(Permalink.From(row), ct: ct) : null;
    }
}

public sealed record PermalinkPageModel(Permalink Roll, string Origin)
{
    /// <summary>The server's own check of the roll's proof; null for rolls made before fairness.</summary>
    public ProofCheck? Check { get; init; }

    public string Headline => Roll.Label is null
        ? $"{Roll.PlayerName} rolled {Roll.Total} ({Roll.DiceFormula})"
        : $"{Roll.PlayerName} rolled {Roll.Total} for {Roll.Label} ({Roll.DiceFormula})";
}
