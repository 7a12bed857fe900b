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
    /// values withheld from those who may not see them (as on the page), with the key that signed them. A permalink is written
    /// before its roll is appended; when the append failed (a failover) and the roll was made again, the first permalink never
    /// reached the room's history: where the history still covers its sequence, it is left out, so the log is the room's chain.
    /// </summary>
    private static async Task<IResult> Log(string code, HttpContext context, RoomService rooms, IPermalinkArchive store, RollProofs proofs,
        IRollSigner signer, IRoomStore roomStore, Microsoft.Extensions.Options.IOptions<RoomOptions> options, CancellationToken ct)
    {
        var member = await MemberRequest.ResolveAsync(context, code, rooms, fragment: false);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        var room = member.Room!;
        var seeds = new Dictionary<string, string?>(StringComparer.Ordinal);
        var rolls = new JsonArray();
        var rows = await store.RoomLogAsync(room.Room.Code, room.Room.CreatedAt, ct);
        var history = await roomStore.GetRollsAfterAsync(room.Room.Code, 0, options.Value.HistoryLimit, ct);
        var inHistory = history.Select(r => r.RollId).ToHashSet(StringComparer.Ordinal);
        var historyFrom = history.Count > 0 ? history[0].Sequence : long.MaxValue;
        foreach (var row in rows.Where(r => r.Sequence is not long s || s < historyFrom || inHistory.Contains(r.RollId)))
        {
            var permalink = await proofs.WithSeedAsync(Permalink.From(row), seeds, ct);
            var visible = row.IsPublic || row.PlayerId == member.Me!.PlayerId;
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

    /// <summary>
    /// What a hidden roll's log entry withholds from everyone but its roller until it is revealed: every field that says anything
    /// about its dice, label or size (the formula and advantage, whether it hit the dice cap, how many stream values it used).
    /// Kept: who rolled and when, and the chain fields (sequence, nonce, commitment, client seed, hashes, signature), which say
    /// nothing about the dice while the salt is withheld.
    /// </summary>
    public static readonly IReadOnlyList<string> WithheldFields =
        ["dice_formula", "advantage", "individual_results", "total", "terms", "label", "successes", "cap_reached", "crit", "dc_check"];

    /// <summary>The fields of a hidden roll's <c>fairness</c> object withheld with <see cref="WithheldFields"/> (the salt already is).</summary>
    public static readonly IReadOnlyList<string> WithheldFairnessFields = ["block_values_used", "salt"];

    /// <summary>A roll of the log: its permalink JSON, or for a hidden roll the viewer may not see, the same with its values withheld.</summary>
    private static JsonNode LogEntry(Permalink permalink, bool visible, PermalinkRow row)
    {
        var salt = row.Salt;
        var node = JsonSerializer.SerializeToNode(permalink, RoomJson.Options)!.AsObject();
        if (!visible)
        {
            foreach (var field in WithheldFields)
            {
                node[field] = null;
            }

            if (node["fairness"] is JsonObject withheld)
            {
                foreach (var field in WithheldFairnessFields)
                {
                    withheld[field] = null;
                }
            }
        }
        else if (node["fairness"] is JsonObject fairness && salt is not null)
        {
            fairness["salt"] = salt; // the roller sees a hidden roll's values: the salt too, to check its hash
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
