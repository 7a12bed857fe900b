using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using DiceRoller.Permalinks;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Permalinks;

public sealed class PermalinkTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.Zero));
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        // The scheduled cleanup is tested on its own below; here it must not fire while the clock jumps.
        _app = new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:CleanupInterval"] = "40.00:00:00" }) { Clock = _clock };
        return Task.CompletedTask;
    }

    private static async Task<long> CountRowsAsync(AppFactory app)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "permalinks.db")}");
        await connection.OpenAsync();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM roll_permalinks";
        return (long)(await count.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(string Code, AngleSharp.Dom.IElement Row, Browser Alice)> RollAsync(string dice = "1d20", string modifier = "5", string advantage = "none")
    {
        var alice = _app.NewBrowser();
        var code = await alice.CreateRoomAsync("Alice");
        var row = await alice.RollAsync(code, dice, modifier, advantage);
        return (code, row, alice);
    }

    [Fact]
    public async Task A_rolls_json_matches_what_the_room_showed_with_the_room_code_anonymised()
    {
        var (code, row, alice) = await RollAsync("1d20", "5", "advantage");
        using var _ = alice;
        var id = row.GetAttribute("data-roll-id")!;

        using var response = await _app.CreateClient().GetAsync($"/api/permalink/{id}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(id, root.GetProperty("roll_id").GetString());
        Assert.Equal(code[..4] + "****", root.GetProperty("room_code").GetString());
        Assert.Equal("open", root.GetProperty("room_mode").GetString());
        Assert.Equal("Alice", root.GetProperty("player_name").GetString());
        Assert.Equal("1d20+5", root.GetProperty("dice_formula").GetString());
        Assert.Equal("advantage", root.GetProperty("advantage").GetString());
        Assert.Equal(row.QuerySelectorAll(".die").Select(d => d.GetAttribute("data-die")), root.GetProperty("individual_results").EnumerateArray().Select(e => e.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(row.GetAttribute("data-total"), root.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("dc_check").ValueKind);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds(), root.GetProperty("timestamp").GetInt64());
        Assert.Equal("2026-11-25T20:00:00Z", root.GetProperty("created_at").GetString());
        Assert.Equal("2026-12-25T20:00:00Z", root.GetProperty("expires_at").GetString());
        Assert.DoesNotContain(code, json.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_permalink_page_is_plain_readable_html_with_unfurl_meta_tags()
    {
        var (_, row, alice) = await RollAsync("2d6", "3");
        using var _ = alice;
        var id = row.GetAttribute("data-roll-id")!;
        var total = row.GetAttribute("data-total")!;
        using var stranger = _app.NewBrowser();

        var page = await stranger.GetAsync(row.QuerySelector("a[data-permalink]")!.GetAttribute("href")!);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var doc = page.Document;
        Assert.Equal($"Alice rolled {total} (2d6+3)", doc.QuerySelector("meta[property='og:title']")!.GetAttribute("content"));
        Assert.Equal($"Alice rolled {total} (2d6+3)", doc.QuerySelector("meta[name='twitter:title']")!.GetAttribute("content"));
        Assert.NotNull(doc.QuerySelector("meta[property='og:description']"));
        Assert.EndsWith($"/roll/{id}", doc.QuerySelector("meta[property='og:url']")!.GetAttribute("content"), StringComparison.Ordinal);
        Assert.Equal("summary", doc.QuerySelector("meta[name='twitter:card']")!.GetAttribute("content"));
        Assert.Equal($"Alice rolled {total} (2d6+3)", doc.QuerySelector("h1")!.TextContent.Trim());
        Assert.Empty(doc.QuerySelectorAll("script"));
        var facts = doc.QuerySelectorAll("dt").Zip(doc.QuerySelectorAll("dd")).ToDictionary(p => p.First.TextContent.Trim(), p => p.Second.TextContent.Trim());
        Assert.Equal("Alice", facts["Player"]);
        Assert.Equal("2d6+3", facts["Dice"]);
        Assert.Equal("+3", facts["Modifier"]);
        Assert.Equal(total, facts["Total"]);
        Assert.Contains("25 November 2026", facts["Rolled"], StringComparison.Ordinal);
        Assert.Contains("2026-12-25", doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(row.QuerySelectorAll(".die").Select(d => d.TextContent), doc.QuerySelectorAll(".die").Select(d => d.TextContent));
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    [InlineData("'; DROP TABLE roll_permalinks;--")]
    [InlineData("%00")]
    public async Task Unknown_or_malformed_ids_are_404_never_5xx(string id)
    {
        using var client = _app.CreateClient();
        using var json = await client.GetAsync($"/api/permalink/{Uri.EscapeDataString(id)}");
        using var page = await client.GetAsync($"/roll/{Uri.EscapeDataString(id)}");

        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        using var body = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal("Permalink not found or expired", body.RootElement.GetProperty("error").GetString());
        Assert.Equal(id, body.RootElement.GetProperty("roll_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("data-error-code=\"ROLL_NOT_FOUND\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_permalink_expires_after_30_days_and_the_cleanup_job_deletes_it()
    {
        var (_, row, alice) = await RollAsync();
        using var _ = alice;
        var id = row.GetAttribute("data-roll-id")!;
        using var client = _app.CreateClient();

        _clock.Advance(TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/permalink/{id}")).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/permalink/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/roll/{id}")).StatusCode);

        var store = _app.Services.GetRequiredService<PermalinkStore>();
        Assert.Null(await store.FindAsync(id));
        Assert.Equal(1, await CountRowsAsync(_app));
        var deleted = await _app.Services.GetRequiredService<PermalinkCleanup>().RunOnceAsync();
        Assert.Equal(1, deleted);
        Assert.Equal(0, await CountRowsAsync(_app));
        Assert.Equal(0, await _app.Services.GetRequiredService<PermalinkCleanup>().RunOnceAsync());
    }

    [Fact]
    public async Task The_daily_cleanup_job_runs_on_its_own_schedule()
    {
        var clock = new FakeTimeProvider(_clock.GetUtcNow());
        await using var app = new AppFactory() { Clock = clock };
        using var alice = app.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);
        await alice.RollAsync(code);
        Assert.Equal(2, await CountRowsAsync(app));

        for (var day = 1; day <= 29; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(2, await CountRowsAsync(app));
        clock.Advance(TimeSpan.FromDays(1));
        clock.Advance(TimeSpan.FromDays(1));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (await CountRowsAsync(app) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await CountRowsAsync(app));
    }

    [Fact]
    public async Task A_cleanup_interval_a_timer_cannot_hold_stops_the_app_at_start_with_a_clear_message()
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:CleanupInterval"] = "100.00:00:00" });

        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => app.CreateClient());
        Assert.Contains("Permalinks:CleanupInterval must be between 1 second and 49 days", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rolls_permalink_is_written_before_the_roll_is_acknowledged_and_survives_an_app_restart()
    {
        var (_, row, alice) = await RollAsync();
        alice.Dispose();
        var id = row.GetAttribute("data-roll-id")!;
        var dataDirectory = _app.DataDirectory;
        await _app.DisposeAsync();

        _app = new AppFactory(dataDirectory: dataDirectory) { Clock = _clock };
        using var response = await _app.CreateClient().GetAsync($"/api/permalink/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(row.GetAttribute("data-total"), json.RootElement.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_schema_is_migrated_to_the_current_version_and_migrating_again_changes_nothing()
    {
        var store = _app.Services.GetRequiredService<PermalinkStore>();
        await store.MigrateAsync();
        await store.MigrateAsync();

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_app.DataDirectory, "permalinks.db")}");
        await connection.OpenAsync();
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        Assert.Equal((long)PermalinkStore.SchemaVersion, (long)(await version.ExecuteScalarAsync())!);
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)(await mode.ExecuteScalarAsync())!);
        using var indexes = connection.CreateCommand();
        indexes.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'roll_permalinks' AND name LIKE 'idx_%' ORDER BY name";
        var names = new List<string>();
        await using (var reader = await indexes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["idx_created_at", "idx_expires_at", "idx_room_code", "idx_room_sequence"], names);
    }

    [Fact]
    public async Task Every_roll_in_the_feed_links_to_its_permalink()
    {
        var (code, row, alice) = await RollAsync();
        using var _ = alice;
        var page = await alice.GetAsync($"/rooms/{code}");

        var link = page.FeedRolls.Single().QuerySelector("a[data-permalink]")!;
        Assert.Equal($"/roll/{row.GetAttribute("data-roll-id")}", link.GetAttribute("href"));
    }

    [Fact]
    public async Task A_multi_term_labelled_rolls_json_carries_its_terms_dice_fates_subtotals_and_label()
    {
        var (_, row, alice) = await RollAsync("4d6kh3+2 # Strength", "0");
        using var __ = alice;
        var id = row.GetAttribute("data-roll-id")!;

        using var response = await _app.CreateClient().GetAsync($"/api/permalink/{id}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal("Strength", root.GetProperty("label").GetString());
        Assert.Equal("4d6kh3+2", root.GetProperty("dice_formula").GetString());
        var terms = root.GetProperty("terms").EnumerateArray().ToList();
        Assert.Equal(["4d6kh3", "2"], terms.Select(t => t.GetProperty("notation").GetString()));
        var dice = terms[0].GetProperty("dice").EnumerateArray().Select(d => (d.GetProperty("value").GetInt32(), d.GetProperty("fate").GetString())).ToList();
        Assert.Equal(row.QuerySelectorAll("[data-die]").Select(d => (int.Parse(d.GetAttribute("data-die")!, System.Globalization.CultureInfo.InvariantCulture), d.GetAttribute("data-fate"))), dice);
        Assert.Equal(3, dice.Count(d => d.Item2 == "kept"));
        Assert.Equal(1, dice.Count(d => d.Item2 == "dropped"));
        Assert.Equal(dice.Where(d => d.Item2 == "kept").Sum(d => d.Item1), terms[0].GetProperty("subtotal").GetInt32());
        Assert.Equal(2, terms[1].GetProperty("subtotal").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("successes").ValueKind);
        Assert.False(root.GetProperty("cap_reached").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("crit").ValueKind);

        var page = await _app.NewBrowser().GetAsync($"/roll/{id}");
        Assert.Equal("Strength", page.Document.QuerySelector("article [data-label]")!.TextContent);
        Assert.Equal($"Alice rolled {row.GetAttribute("data-total")} for Strength (4d6kh3+2)", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Single(page.Document.QuerySelectorAll("article .die-dropped s"));
    }

    [Fact]
    public async Task A_permalink_row_written_before_the_dice_language_migrates_and_still_renders()
    {
        // A database at schema version 2 (before terms, label, successes), with one natural-20 advantage roll in it.
        var folder = Directory.CreateTempSubdirectory("diceroller-old-").FullName;
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "permalinks.db")}"))
        {
            await connection.OpenAsync();
            using var setup = connection.CreateCommand();
            setup.CommandText = """
                CREATE TABLE roll_permalinks (roll_id TEXT PRIMARY KEY, room_code TEXT NOT NULL, room_mode TEXT NOT NULL, player_name TEXT NOT NULL,
                  dice_formula TEXT NOT NULL, dice_type INTEGER NOT NULL, dice_count INTEGER NOT NULL, modifier INTEGER NOT NULL, advantage TEXT NOT NULL,
                  individual_results TEXT NOT NULL, total INTEGER NOT NULL, dc_check TEXT, timestamp INTEGER NOT NULL,
                  created_at TEXT DEFAULT (datetime('now')), expires_at TEXT NOT NULL);
                CREATE INDEX idx_expires_at ON roll_permalinks(expires_at);
                CREATE INDEX idx_created_at ON roll_permalinks(created_at);
                CREATE INDEX idx_room_code ON roll_permalinks(room_code);
                ALTER TABLE roll_permalinks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE roll_permalinks ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE roll_permalinks ADD COLUMN kept_index INTEGER;
                INSERT INTO roll_permalinks VALUES ('0b3e9a52-5d8f-4c39-9d0e-1f3c2a4b5c6d', 'ALPHA-1234', 'dm-led', 'Bob', '1d20+5', 20, 1, 5,
                  'advantage', '[7,20]', 25, '{"dc":15,"passed":true}', 1795636800000, '2026-11-25 20:00:00', '2026-12-25 20:00:00', 0, 0, 1);
                PRAGMA user_version = 2;
                """;
            await setup.ExecuteNonQueryAsync();
        }

        await using var app = new AppFactory(dataDirectory: folder) { Clock = _clock };
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/permalink/0b3e9a52-5d8f-4c39-9d0e-1f3c2a4b5c6d");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var page = await app.NewBrowser().GetAsync("/roll/0b3e9a52-5d8f-4c39-9d0e-1f3c2a4b5c6d");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = json.RootElement;
        Assert.Equal(["2d20kh1", "5"], root.GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("notation").GetString()));
        Assert.Equal(["dropped", "kept"], root.GetProperty("terms")[0].GetProperty("dice").EnumerateArray().Select(d => d.GetProperty("fate").GetString()));
        Assert.Equal("success", root.GetProperty("crit").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("label").ValueKind);
        Assert.True(root.GetProperty("dc_check").GetProperty("passed").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var article = page.Document.QuerySelector("article[data-roll-id]")!;
        Assert.Equal("success", article.GetAttribute("data-crit"));
        Assert.Equal("true", article.GetAttribute("data-dc-passed"));
        Assert.Equal(["7", "20"], article.QuerySelectorAll("[data-die]").Select(d => d.GetAttribute("data-die")));
        Assert.Equal("7", article.QuerySelector(".die-dropped s")!.TextContent);
        Assert.Equal("Bob rolled 25 (1d20+5)", page.Document.QuerySelector("h1")!.TextContent);
        Assert.Contains("Natural 20!", article.QuerySelector("[data-crit-mark]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("fairness").ValueKind); // made before fairness: no proof, and none claimed
        Assert.Null(page.Document.QuerySelector("#proof"));
    }
}
