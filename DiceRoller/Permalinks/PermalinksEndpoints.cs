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
            return HtmlResults.ErrorPage(new RoomError(ErrorCodes.RollNotFound,
                "This roll's link has expired, was never shared, or is still hidden by the DM."), "Roll not found");
        }

        context.Response.Headers.CacheControl = "public, max-age=60";
        return Results.RazorSlice<PermalinkPage, PermalinkPageModel>(new PermalinkPageModel(permalink, urls.Base) { Check = proofs.Check(permalink) });
    }

    /// <summary>
    /// One page of the room's verifiable log for a member while the room lives: at most <see cref="PermalinkOptions.LogPageSize"/>
    /// rolls' permalink JSON in chain order (the newest page unless <c>?before=N</c> asks for the rolls before the N-th),
    /// hidden values withheld from those who may not see them (as on the page), with the key that signed them, the links to
    /// the older (<c>prev</c>) and newer (<c>next</c>) pages (also in a <c>Link</c> header) and an <c>ETag</c>.
    /// Rate-limited per member (429 JSON with Retry-After).
    /// A permalink is written before its roll is appended; when the append failed (a failover) and the roll was made again, the
    /// first permalink never reached the room's history: where the history still covers its sequence, it is left out, so the
    /// log is the room's chain.
    /// </summary>
    private static async Task<IResult> Log(string code, HttpContext context, RoomService rooms, IPermalinkArchive store, RollProofs proofs,
        IRollSigner signer, IRateLimiter limiter, IRollLog roomStore, Microsoft.Extensions.Options.IOptions<RoomOptions> roomOptions,
        Microsoft.Extensions.Options.IOptions<PermalinkOptions> options, CancellationToken ct)
    {
        var member = await MemberRequest.ResolveJsonAsync(context, code, rooms);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        var room = member.Room!;
        context.Response.Headers.CacheControl = "no-store";
        var (limit, window, pageSize) = (options.Value.LogLimit, options.Value.LogWindow, options.Value.LogPageSize);
        var rate = await limiter.TryAcquireAsync($"log:{room.Room.Code}:{member.Me!.PlayerId}", limit, window, ct);
        if (!rate.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(rate.RetryAfter.TotalSeconds));
            return HtmlResults.JsonError(context, new RoomError(ErrorCodes.RateLimit,
                $"Slow down: at most {limit} pages of the log every {window.TotalSeconds:0} seconds. Try again in {seconds} s.")
            { RetryAfter = TimeSpan.FromSeconds(seconds) });
        }

        // Only the page is read from the archive: the rolls a retried append replaced (their sequence is in the history's
        // range, their id is not) are found from ids alone and left out of the count and the page.
        var (roomCode, since) = (room.Room.Code, room.Room.CreatedAt);
        var history = await roomStore.GetRollsAfterAsync(roomCode, 0, roomOptions.Value.HistoryLimit, ct);
        var inHistory = history.Select(r => r.RollId).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> replaced = history.Count == 0 ? []
            : (await store.RoomLogFromAsync(roomCode, since, history[0].Sequence, ct)).Where(l => !inHistory.Contains(l.RollId)).Select(l => l.RollId).ToList();
        var total = await store.RoomLogCountAsync(roomCode, since, replaced, ct);
        var page = LogPage.Of(total, context.Request.Query["before"], pageSize);
        if (page.Error is { } badCursor)
        {
            return Results.Json(new { error = badCursor, code = ErrorCodes.BadRequest }, statusCode: StatusCodes.Status400BadRequest);
        }

        var seeds = new Dictionary<string, string?>(StringComparer.Ordinal);
        var rolls = new JsonArray();
        foreach (var row in page.Count == 0 ? [] : await store.RoomLogPageAsync(roomCode, since, replaced, page.Start, page.Count, ct))
        {
            var permalink = await proofs.WithSeedAsync(Permalink.From(row), seeds, ct);
            var visible = row.IsPublic || row.PlayerId == member.Me!.PlayerId;
            rolls.Add(LogEntry(permalink, visible, row));
        }

        var path = $"/rooms/{room.Room.Code}/log.json";
        var prev = page.PrevBefore is { } older ? $"{path}?before={older}" : null;
        var next = page.NextBefore is { } newer ? (newer > total ? path : $"{path}?before={newer}") : null;
        var body = System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["room_code"] = room.Room.Code,
            ["key"] = new JsonObject { ["algorithm"] = signer.Key.Algorithm, ["key_id"] = signer.Key.KeyId, ["public_key"] = signer.Key.PublicKey },
            ["rolls"] = rolls,
            ["total_rolls"] = total,
            ["first"] = page.Start + 1,
            ["prev"] = prev,
            ["next"] = next,
        }.ToJsonString());
        var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))[..32]}\"";
        context.Response.Headers.ETag = etag;
        var links = new[] { (prev, "prev"), (next, "next") }.Where(l => l.Item1 is not null).Select(l => $"<{l.Item1}>; rel=\"{l.Item2}\"").ToList();
        if (links.Count > 0)
        {
            context.Response.Headers.Link = string.Join(", ", links);
        }

        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(body, "application/json; charset=utf-8");
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

/// <summary>
/// Which rolls one page of a room's log holds: positions <see cref="Start"/> to <see cref="Start"/> + <see cref="Count"/> of
/// the room's <c>total</c> rolls in chain order, and the cursors (<c>before</c>) of the older and newer pages.
/// </summary>
public sealed record LogPage(int Start, int Count, int? PrevBefore, int? NextBefore, string? Error = null)
{
    /// <summary>The page ending before the <paramref name="before"/>-th roll (the newest page when absent); an error for a cursor that is not a number.</summary>
    public static LogPage Of(int total, string? before, int pageSize)
    {
        var end = total;
        if (!string.IsNullOrEmpty(before))
        {
            if (!int.TryParse(before, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cursor) || cursor < 1)
            {
                return new LogPage(0, 0, null, null, "before must be a roll's position in the log (1 or more), as in the prev and next links.");
            }

            end = Math.Min(cursor - 1, total);
        }

        var start = Math.Max(0, end - pageSize);
        return new LogPage(start, end - start, start > 0 ? start + 1 : null, end < total ? Math.Min(end + pageSize, total) + 1 : null);
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
