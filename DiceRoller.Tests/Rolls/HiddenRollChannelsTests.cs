using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using DiceRoller.Fairness;
using DiceRoller.Permalinks;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// An unrevealed hidden roll tells nobody but its roller anything about its dice, label or size, through every channel a
/// member or a stranger can read. Dee (the DM) rolls a public <c>1d8</c>, then <c>1d2!</c>, <c>1d20r1</c> and <c>4d6 # Sneak attack</c> hidden, then
/// hands the DM role to Ann. Pat (a player) and Ann (the new DM) must get the same thing for all three rolls on each channel,
/// once the roll id, sequence, nonce, hash and time are set aside: anything that differs would tell the rolls apart.
/// </summary>
public abstract partial class HiddenRollChannelsTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static readonly string[] Formulas = ["1d2!", "1d20r1", "4d6"];
    private const string Label = "Sneak attack";

    /// <summary>Dee's three hidden rolls, and streams Pat and Ann opened before them.</summary>
    public sealed record Scene(Table<Browser> Table, string Code, IReadOnlyList<string> RollIds, IReadOnlyList<SseEvent> PatLive, IReadOnlyList<SseEvent> AnnLive)
        : IAsyncDisposable
    {
        public Browser Dee => Table["Dee"];

        public Browser Viewer(string name) => Table[name];

        public ValueTask DisposeAsync() => Table.DisposeAsync();
    }

    private async Task<Scene> HiddenRollsHandedOverAsync()
    {
        var table = await Table.DmLed("Dee").Players("Pat", "Ann").BuildAsync(App);
        var code = table.Code;
        await using var patStream = await SseReader.OpenAsync(table["Pat"].Client, $"/rooms/{code}/events?after=0");
        await using var annStream = await SseReader.OpenAsync(table["Ann"].Client, $"/rooms/{code}/events?after=0");
        await patStream.NextAsync();
        await annStream.NextAsync();
        await table["Dee"].RollAsync(code, "1d8");
        var ids = new List<string>();
        foreach (var dice in new[] { Formulas[0], Formulas[1], $"{Formulas[2]} # {Label}" })
        {
            var rolled = await table["Dee"].HtmxPostAsync($"/rooms/{code}/rolls", ("dice", dice), ("modifier", "0"), ("advantage", "none"), ("hidden", "true"));
            Assert.True(rolled.Status == HttpStatusCode.OK, $"{dice}: {(int)rolled.Status} {rolled.ErrorText}");
            ids.Add(rolled.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!);
        }

        var patLive = await patStream.NextOfTypeAsync("roll", 4);
        var annLive = await annStream.NextOfTypeAsync("roll", 4);
        var room = await table["Dee"].GetAsync($"/rooms/{code}");
        var handed = await table["Dee"].HtmxPostAsync($"/rooms/{code}/dm", ("player_id", room.PlayerIdOf("Ann")));
        Assert.Equal(HttpStatusCode.OK, handed.Status);
        return new Scene(table, code, ids, patLive, annLive);
    }

    /// <summary>One channel: what <c>viewer</c> gets about each of Dee's hidden rolls (in roll order), with what may differ set aside.</summary>
    public sealed record Channel(string Name, Func<Scene, Browser, Task<IReadOnlyList<string>>> Read)
    {
        public override string ToString() => Name;
    }

    private static readonly Channel[] All =
    [
        new("room page (GET /rooms/{CODE})", async (s, viewer) => Rows((await viewer.GetAsync($"/rooms/{s.Code}")).FeedRolls, s)),
        new("earlier-rolls fragment (GET /rooms/{CODE}/rolls?before=N)", async (s, viewer) =>
            Rows((await viewer.GetAsync($"/rooms/{s.Code}/rolls?before=5", htmx: true)).Document.QuerySelectorAll("[data-roll-id]"), s)),
        new("live stream (roll events as they happen)", (s, viewer) =>
            Task.FromResult<IReadOnlyList<string>>(Rows((viewer == s.Viewer("Pat") ? s.PatLive : s.AnnLive).Select(e => e.Element()), s))),
        new("stream replay (GET /rooms/{CODE}/events?after=0)", async (s, viewer) =>
        {
            await using var stream = await SseReader.OpenAsync(viewer.Client, $"/rooms/{s.Code}/events?after=0");
            return Rows((await stream.NextOfTypeAsync("roll", 4)).Select(e => e.Element()), s);
        }),
        new("room log (GET /rooms/{CODE}/log.json)", async (s, viewer) =>
        {
            var log = JsonNode.Parse(await viewer.Client.GetStringAsync($"/rooms/{s.Code}/log.json"))!;
            return log["rolls"]!.AsArray().Skip(1).Select(r => LogShape(r!.AsObject())).ToList();
        }),
        new("permalink JSON (GET /api/permalink/{ID})", async (s, viewer) => await PerRollAsync(s, async id =>
        {
            using var response = await viewer.Client.GetAsync($"/api/permalink/{id}");
            return $"{(int)response.StatusCode} {(await response.Content.ReadAsStringAsync()).Replace(id, "ID", StringComparison.Ordinal)}";
        })),
        new("permalink page (GET /roll/{ID})", async (s, viewer) => await PerRollAsync(s, async id =>
        {
            var page = await viewer.GetAsync($"/roll/{id}");
            return $"{(int)page.Status} {page.ErrorCode} {Squash(page.Document.Body!.TextContent.Replace(id, "ID", StringComparison.Ordinal))}";
        })),
        new("verify a roll's link (GET /verify?url=)", async (s, viewer) => await PerRollAsync(s, async id =>
        {
            var page = await viewer.GetAsync($"/verify?url={Uri.EscapeDataString($"http://localhost/roll/{id}")}");
            return Squash(page.Document.Body!.TextContent.Replace(id, "ID", StringComparison.Ordinal));
        })),
        new("verify the viewer's log (POST /verify)", async (s, viewer) =>
        {
            var log = await viewer.Client.GetStringAsync($"/rooms/{s.Code}/log.json");
            var page = await viewer.PostAsync("/verify", ("log", log));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            return PerRollOf(s, page.Document.QuerySelectorAll("[data-subject]").Select(e => e.OuterHtml).ToList());
        }),
        new("stats (GET /rooms/{CODE}/stats)", async (s, viewer) =>
        {
            var page = await viewer.GetAsync($"/rooms/{s.Code}/stats");
            Assert.Equal("3", page.Document.QuerySelector("[data-hidden-not-counted]")?.GetAttribute("data-hidden-not-counted"));
            Assert.Equal(["d8"], page.Document.QuerySelectorAll("[data-die-size]").Select(e => e.GetAttribute("data-die-size")).Distinct());
            return [.. s.RollIds.Select(_ => Squash(page.Document.Body!.TextContent))];
        }),
    ];

    public static TheoryData<Channel> Channels()
    {
        var data = new TheoryData<Channel>();
        foreach (var channel in All)
        {
            data.Add(channel);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task An_unrevealed_hidden_roll_tells_a_player_and_a_later_dm_nothing_of_its_dice_label_or_size(Channel channel)
    {
        await using var scene = await HiddenRollsHandedOverAsync();

        foreach (var name in new[] { "Pat", "Ann" })
        {
            var seen = await channel.Read(scene, scene.Viewer(name));

            Assert.Equal(3, seen.Count);
            Assert.All(seen, shape => Assert.Equal(seen[0], shape));
            // Long hex strings (hashes, commitments, key ids) are set aside first: "4d6" is also three hex digits, and a random
            // hash that happens to hold them says nothing of the roll.
            var text = Hex().Replace(seen[0], "HEX");
            foreach (var secret in Formulas.Append(Label).Append("Sneak"))
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Equal(
            await channel.Read(scene, scene.Viewer("Pat")),
            await channel.Read(scene, scene.Viewer("Ann")));
    }

    [Fact]
    public async Task The_log_withholds_every_field_that_tells_a_hidden_roll_apart_and_its_roller_gets_them_all()
    {
        await using var scene = await HiddenRollsHandedOverAsync();

        var pat = JsonNode.Parse(await scene.Viewer("Pat").Client.GetStringAsync($"/rooms/{scene.Code}/log.json"))!["rolls"]!.AsArray();
        var dee = JsonNode.Parse(await scene.Dee.Client.GetStringAsync($"/rooms/{scene.Code}/log.json"))!["rolls"]!.AsArray();

        foreach (var roll in pat.Skip(1).Select(r => r!.AsObject()))
        {
            foreach (var field in PermalinksEndpoints.WithheldFields)
            {
                Assert.True(roll.ContainsKey(field), field);
                Assert.Null(roll[field]);
            }

            foreach (var field in PermalinksEndpoints.WithheldFairnessFields)
            {
                Assert.Null(roll["fairness"]![field]);
            }

            Assert.Equal("Dee", (string?)roll["player_name"]);
            Assert.NotNull((string?)roll["fairness"]!["hash"]);
        }

        Assert.Equal(Formulas[0], (string?)dee[1]!["dice_formula"]);
        Assert.Equal(Label, (string?)dee[3]!["label"]);
        Assert.All(dee, r => Assert.NotNull(r!["fairness"]!["block_values_used"]));
        Assert.All(dee, r => Assert.NotNull(r!["fairness"]!["salt"]));
        Assert.All(dee, r => Assert.NotNull(r!["terms"]));
    }

    [Fact]
    public async Task After_its_roller_reveals_it_every_member_gets_the_whole_roll_and_it_verifies()
    {
        await using var scene = await HiddenRollsHandedOverAsync();
        foreach (var id in scene.RollIds)
        {
            var revealed = await scene.Dee.HtmxPostAsync($"/rooms/{scene.Code}/rolls/{id}/reveal");
            Assert.True(revealed.Status == HttpStatusCode.OK, $"{(int)revealed.Status} {revealed.ErrorText}");
        }

        // Ann, DM now, publishes the seed: the dice can then be replayed too.
        Assert.Equal(HttpStatusCode.OK, (await scene.Viewer("Ann").HtmxPostAsync($"/rooms/{scene.Code}/fairness/rotate")).Status);

        var json = await scene.Viewer("Pat").Client.GetStringAsync($"/rooms/{scene.Code}/log.json");
        var rolls = JsonNode.Parse(json)!["rolls"]!.AsArray();
        Assert.Equal(Formulas.Prepend("1d8"), rolls.Select(r => (string?)r!["dice_formula"]));
        Assert.Equal(Label, (string?)rolls[3]!["label"]);
        Assert.All(rolls, r =>
        {
            foreach (var field in new[] { "individual_results", "total", "terms", "advantage", "cap_reached" })
            {
                Assert.NotNull(r![field]);
            }

            Assert.NotNull(r!["fairness"]!["block_values_used"]);
            Assert.NotNull(r["fairness"]!["salt"]);
            Assert.NotNull(r["fairness"]!["server_seed"]);
        });
        var (log, error) = VerifiableJson.ParseLog(json);
        Assert.Null(error);
        var checks = RollVerifier.VerifyLog(log!);
        Assert.All(checks, c => Assert.True(c.Status == CheckStatus.Passed, c.ToString()));
        foreach (var id in scene.RollIds)
        {
            using var permalink = await scene.Viewer("Pat").Client.GetAsync($"/api/permalink/{id}");
            Assert.Equal(HttpStatusCode.OK, permalink.StatusCode);
        }
    }

    /// <summary>The rows of the three hidden rolls, each with its id, sequence, nonce, hash and time set aside.</summary>
    private static List<string> Rows(IEnumerable<IElement> rows, Scene scene)
    {
        var byId = rows.ToDictionary(r => r.GetAttribute("data-roll-id")!);
        return [.. scene.RollIds.Select(id => RowShape(byId[id]))];
    }

    private static string RowShape(IElement row)
    {
        var html = row.OuterHtml.Replace(row.GetAttribute("data-roll-id")!, "ID", StringComparison.Ordinal);
        var sequence = row.GetAttribute("data-sequence")!;
        html = html.Replace($"data-sequence=\"{sequence}\"", "data-sequence=\"S\"", StringComparison.Ordinal)
            .Replace($"roll {sequence},", "roll S,", StringComparison.Ordinal);
        if (row.QuerySelector("[data-hash]") is { } proof)
        {
            var (hash, nonce) = (proof.GetAttribute("data-hash")!, proof.GetAttribute("data-nonce")!);
            html = html.Replace(hash, "HASH", StringComparison.Ordinal).Replace(hash[..16], "HASH", StringComparison.Ordinal)
                .Replace(hash[..12], "HASH", StringComparison.Ordinal)
                .Replace($"data-nonce=\"{nonce}\"", "data-nonce=\"N\"", StringComparison.Ordinal)
                .Replace($"nonce {nonce}", "nonce N", StringComparison.Ordinal);
        }

        return Time().Replace(IsoTime().Replace(html, "T"), "T");
    }

    /// <summary>A log entry with the fields that differ from roll to roll whatever the dice (id, times, chain position, hashes) set aside.</summary>
    private static string LogShape(JsonObject roll)
    {
        var copy = roll.DeepClone().AsObject();
        foreach (var field in new[] { "roll_id", "timestamp", "created_at", "expires_at" })
        {
            copy[field] = "x";
        }

        var fairness = copy["fairness"]!.AsObject();
        // The client seed too: under rules 2 a member with no seed set under the current commitment gets one the server picks
        // for that one roll (random, after it committed), so it differs from roll to roll and says nothing of the dice.
        foreach (var field in new[] { "sequence", "nonce", "prev_hash", "hash", "signature", "client_seed" })
        {
            fairness[field] = "x";
        }

        return copy.ToJsonString();
    }

    private static async Task<IReadOnlyList<string>> PerRollAsync(Scene scene, Func<string, Task<string>> read)
    {
        var shapes = new List<string>();
        foreach (var id in scene.RollIds)
        {
            shapes.Add(await read(id));
        }

        return shapes;
    }

    /// <summary>The verify page's section per roll (in sequence order), with its id, hashes and sequence set aside.</summary>
    private static List<string> PerRollOf(Scene scene, IReadOnlyList<string> sections)
    {
        var rolls = sections.Where(s => scene.RollIds.Any(id => s.Contains(id, StringComparison.Ordinal))).ToList();
        return [.. rolls.Select(s => Hex().Replace(Sequence().Replace(scene.RollIds.Aggregate(s, (t, id) => t.Replace(id, "ID", StringComparison.Ordinal)), "#S"), "HEX"))];
    }

    private static string Squash(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\d\d:\d\d:\d\d UTC")]
    private static partial Regex Time();

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")]
    private static partial Regex IsoTime();

    [GeneratedRegex(@"#\d+|checks-\d+|nonce \d+")]
    private static partial Regex Sequence();

    [GeneratedRegex(@"[0-9a-f]{12,}")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

public sealed class HiddenRollChannelsEmbeddedTests(SharedApp shared) : HiddenRollChannelsTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class HiddenRollChannelsValkeyTests(ValkeyServer valkey, SharedApp shared) : HiddenRollChannelsTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
