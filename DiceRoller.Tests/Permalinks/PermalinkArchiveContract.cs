using System.Net;
using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Permalinks;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Permalinks;

/// <summary>
/// What the permalink archive must do, written once and run on each provider (SQLite, PostgreSQL) through the whole
/// app: the JSON and the page, expiry and the cleanup job, restarts, migrations (also several at once), old rows.
/// </summary>
public abstract partial class PermalinkArchiveContract : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.Zero));
    private AppFactory _app = null!;
    private ArchiveDatabase _database = null!;

    /// <summary>A fresh, empty database of the provider: the app settings that select it, and a way to query it.</summary>
    protected sealed record ArchiveDatabase(IReadOnlyDictionary<string, string?> Settings, Func<string, Task<object?>> Execute)
    {
        public async Task<long> CountAsync(string sql) => Convert.ToInt64(await Execute(sql), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected abstract Task<ArchiveDatabase> NewDatabaseAsync(string dataDirectory);

    /// <summary>The provider's store on <paramref name="database"/>, outside any app (as another instance would have it).</summary>
    protected abstract IPermalinkArchive NewArchive(ArchiveDatabase database, TimeProvider time);

    /// <summary>The schema version the provider's newest migration leaves.</summary>
    protected abstract int NewestSchemaVersion { get; }

    /// <summary>SQL counting the three indexes (idx_created_at, idx_expires_at, idx_room_code) of roll_permalinks.</summary>
    protected abstract string CountIndexesSql { get; }

    /// <summary>Builds the schema as version 2 left it (before the dice language), with its version recorded.</summary>
    protected abstract Task CreateVersion2SchemaAsync(ArchiveDatabase database);

    public async Task InitializeAsync()
    {
        var folder = Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        _database = await NewDatabaseAsync(folder);
        _app = NewApp(_database, folder, _clock);
    }

    /// <summary>The whole app on <paramref name="database"/>; the scheduled cleanup waits 40 days unless told otherwise.</summary>
    private static AppFactory NewApp(ArchiveDatabase database, string? dataDirectory, FakeTimeProvider clock, string cleanupInterval = "40.00:00:00")
    {
        var settings = new Dictionary<string, string?>(database.Settings) { ["Permalinks:CleanupInterval"] = cleanupInterval };
        return new AppFactory(settings: settings, dataDirectory: dataDirectory) { Clock = clock };
    }

    private async Task<AppFactory> NewAppOnNewDatabaseAsync(FakeTimeProvider clock, string cleanupInterval)
    {
        var folder = Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        var database = await NewDatabaseAsync(folder);
        return NewApp(database, folder, clock, cleanupInterval);
    }

    private Task<long> CountRowsAsync() => _database.CountAsync("SELECT COUNT(*) FROM roll_permalinks");

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

        var store = _app.Services.GetRequiredService<IPermalinkArchive>();
        Assert.Null(await store.FindAsync(id));
        Assert.Equal(1, await CountRowsAsync());
        var deleted = await _app.Services.GetRequiredService<PermalinkCleanup>().RunOnceAsync();
        Assert.Equal(1, deleted);
        Assert.Equal(0, await CountRowsAsync());
        Assert.Equal(0, await _app.Services.GetRequiredService<PermalinkCleanup>().RunOnceAsync());
    }

    [Fact]
    public async Task The_daily_cleanup_job_runs_on_its_own_schedule()
    {
        var clock = new FakeTimeProvider(_clock.GetUtcNow());
        var folder = Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        var database = await NewDatabaseAsync(folder);
        await using var app = NewApp(database, folder, clock, cleanupInterval: "1.00:00:00");
        using var alice = app.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);
        await alice.RollAsync(code);
        const string rows = "SELECT COUNT(*) FROM roll_permalinks";
        Assert.Equal(2, await database.CountAsync(rows));

        for (var day = 1; day <= 29; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(2, await database.CountAsync(rows));
        clock.Advance(TimeSpan.FromDays(1));
        clock.Advance(TimeSpan.FromDays(1));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await database.CountAsync(rows) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, await database.CountAsync(rows));
    }

    [Fact]
    public void A_cleanup_interval_a_timer_cannot_hold_stops_the_app_at_start_with_a_clear_message()
    {
        var error = AppFactory.StartFailure<OptionsValidationException>(
            () => new AppFactory(settings: new Dictionary<string, string?>(_database.Settings) { ["Permalinks:CleanupInterval"] = "100.00:00:00" }));
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

        _app = NewApp(_database, dataDirectory, _clock);
        using var response = await _app.CreateClient().GetAsync($"/api/permalink/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(row.GetAttribute("data-total"), json.RootElement.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_permalink_made_through_one_app_instance_is_served_by_another_on_the_same_database()
    {
        var (_, row, alice) = await RollAsync();
        using var _ = alice;
        await using var other = NewApp(_database, dataDirectory: null, _clock);

        using var response = await other.CreateClient().GetAsync($"/api/permalink/{row.GetAttribute("data-roll-id")}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(row.GetAttribute("data-total"), json.RootElement.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_schema_is_migrated_to_the_current_version_and_migrating_again_changes_nothing()
    {
        var store = _app.Services.GetRequiredService<IPermalinkArchive>();
        await store.MigrateAsync();
        await store.MigrateAsync();

        Assert.Equal(NewestSchemaVersion, await store.SchemaVersionAsync());
        Assert.Equal(4, await _database.CountAsync(CountIndexesSql)); // expires_at, created_at, room_code, room_sequence
    }

    [Fact]
    public async Task Several_instances_migrating_a_new_database_at_once_apply_each_version_once()
    {
        var folder = Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        var database = await NewDatabaseAsync(folder);
        var instances = Enumerable.Range(0, 4).Select(_ => NewArchive(database, _clock)).ToList();
        using var start = new ManualResetEventSlim();

        var migrations = instances.Select(archive => Task.Run(async () =>
        {
            start.Wait();
            await archive.MigrateAsync();
        })).ToList();
        start.Set();
        await Task.WhenAll(migrations);

        Assert.All(await Task.WhenAll(instances.Select(a => a.SchemaVersionAsync())), v => Assert.Equal(NewestSchemaVersion, v));
        var roll = new Roll(Guid.NewGuid().ToString(), "ALPHA-1234", 1, "p1", "Alice", _clock.GetUtcNow().ToUnixTimeMilliseconds(), "1d20", 20, 1, 0,
            Advantage.None, [17], null, 17, Hidden: true, Revealed: false, DcCheck: null);
        await instances[0].SaveAsync(roll, RoomMode.Open);
        await instances[1].MarkRevealedAsync(roll.RollId);
        var found = await instances[3].FindAsync(roll.RollId);
        Assert.NotNull(found);
        Assert.True(found!.IsPublic);
        Assert.Equal(17, found.Total);
        foreach (var archive in instances.OfType<IAsyncDisposable>())
        {
            await archive.DisposeAsync();
        }
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
        var database = await NewDatabaseAsync(folder);
        await CreateVersion2SchemaAsync(database);
        await database.Execute("""
            INSERT INTO roll_permalinks (roll_id, room_code, room_mode, player_name, dice_formula, dice_type, dice_count, modifier, advantage,
              individual_results, total, dc_check, timestamp, created_at, expires_at, hidden, revealed, kept_index)
            VALUES ('0b3e9a52-5d8f-4c39-9d0e-1f3c2a4b5c6d', 'ALPHA-1234', 'dm-led', 'Bob', '1d20+5', 20, 1, 5,
              'advantage', '[7,20]', 25, '{"dc":15,"passed":true}', 1795636800000, '2026-11-25 20:00:00', '2026-12-25 20:00:00', 0, 0, 1)
            """);

        await using var app = NewApp(database, folder, _clock);
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
