using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Deploy;

/// <summary>What the image runs, run here for real: see <see cref="PublishedApp"/>.</summary>
[Trait(Tiers.Trait, Tiers.Deploy)]
[Trait("Category", "Deploy")]
public sealed partial class PublishedAppTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("diceroller-data-").FullName;

    public async Task InitializeAsync()
    {
        await PublishedApp.EmptyValkeyDatabaseAsync();
        if (PublishedApp.User is { } user)
        {
            // The image's /data volume: owned by the app's user, the only place it may write.
            var (exit, chownOutput) = await ChildProcess.RunAsync("chown", [$"{user}:{user}", _data]);
            Assert.True(exit == 0, chownOutput);
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_published_app_serves_a_game_as_a_non_root_user_writing_only_to_its_data_folder_and_keeps_players_signed_in_across_a_restart()
    {
        var port = ChildProcess.FreePort();
        var publishedBefore = Snapshot(PublishedApp.PublishFolder);
        if (PublishedApp.User is { } user)
        {
            var (idExit, uid) = await PublishedApp.RunAsUserAsync("/usr/bin/id", ["-u"], new Dictionary<string, string?>());
            Assert.True(idExit == 0 && uid.Trim() != "0", $"the app's user is root or unusable: {uid}");
            var (touchExit, _) = await PublishedApp.RunAsUserAsync("/usr/bin/touch", [Path.Combine(PublishedApp.PublishFolder, "written-by-app")], new Dictionary<string, string?>());
            Assert.True(touchExit != 0, $"{user} can write to the app's folder; it must be read-only to it");
        }

        string code;
        string token;
        using var cookies = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        await using (var app = await PublishedApp.StartAsync(port, _data, new Dictionary<string, string?> { ["Metrics__ValkeySampleInterval"] = "00:00:00.200" }))
        {
            using var http = new HttpClient(cookies, disposeHandler: false) { BaseAddress = app.BaseAddress };
            using var live = await http.GetAsync(new Uri("/api/health/live", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var ready = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/health/ready", UriKind.Relative)));
            Assert.Equal("healthy", ready.RootElement.GetProperty("status").GetString());
            Assert.Equal("connected", ready.RootElement.GetProperty("services").GetProperty("valkey").GetString());
            Assert.Equal("connected", ready.RootElement.GetProperty("services").GetProperty("database").GetString());

            // The container's HEALTHCHECK: the same binary with --health-check, as the same user, with the same environment. The
            // Dockerfile marks the container unhealthy after 3 failed probes in a row (--retries=3): so does this check (a probe
            // on a loaded machine may miss its 3 s once).
            var (probeExit, probeOutput) = (-1, "");
            for (var probe = 1; probe <= 3 && probeExit != 0; probe++)
            {
                (probeExit, probeOutput) = await PublishedApp.RunAsUserAsync(PublishedApp.Dotnet,
                    [Path.Combine(PublishedApp.PublishFolder, "DiceRoller.dll"), "--health-check"], PublishedApp.Environment(port, _data));
                output.WriteLine($"health check {probe}: exit {probeExit}: {probeOutput.Trim()}");
            }

            Assert.True(probeExit == 0, $"--health-check failed 3 times in a row, the last: exit {probeExit}: {probeOutput}");

            // A room, a roll and its permalink, as a player's browser does them.
            using var browser = new Browser(http, "PublishedAppTest/1.0");
            code = await browser.CreateRoomAsync("Alma");
            var roll = await browser.RollAsync(code, "2d6", "1");
            var rollId = roll.GetAttribute("data-roll-id")!;
            var permalink = await browser.GetAsync($"/roll/{rollId}");
            Assert.Equal(HttpStatusCode.OK, permalink.Status);
            Assert.Equal(rollId, permalink.Document.QuerySelector("article[data-roll-id]")?.GetAttribute("data-roll-id"));
            token = browser.Token!;
            Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/roll/no-such-roll")).Status);

            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            output.WriteLine(string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("diceroller_", StringComparison.Ordinal))));
            Assert.Matches(RollsTotal(), metrics);
            Assert.Equal("1", RollsTotal().Match(metrics).Groups[1].Value);
            Assert.Contains("diceroller_http_responses{status_class=\"2xx\"}", metrics, StringComparison.Ordinal);
            Assert.Contains("diceroller_roll_fanout_duration_bucket{le=\"+Inf\"} 1", metrics, StringComparison.Ordinal);

            // Valkey command timings are sampled every Metrics:ValkeySampleInterval (shortened for this run).
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!metrics.Contains("diceroller_valkey_command_duration_count{command=", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            }

            Assert.Contains("diceroller_valkey_command_duration_count{command=\"EVAL", metrics, StringComparison.Ordinal);

            Assert.Equal(0, await app.StopAsync());
            var events = app.LogEvents();
            var published = Assert.Single(events, e => EventName(e) == "RollPublished");
            foreach (var property in new[] { "RoomCode", "RollId", "PlayerId", "LatencyMs", "TraceId" })
            {
                Assert.True(published.TryGetProperty(property, out _), $"the RollPublished event has no {property}: {published}");
            }

            Assert.Contains(events, e => e.TryGetProperty("@m", out var m) && m.GetString()!.Contains("error reports: \"off\"", StringComparison.Ordinal));
            // A client error gets its timing line; a roll that succeeded in time logs its own event only (RequestLog:SuccessLevel):
            // its timing line appears only if it took longer than RequestLog:SlowAfter (1 s; a loaded machine can), as a Warning.
            Assert.Contains(events, e => e.TryGetProperty("RequestPath", out var path) && path.GetString() == "/roll/no-such-roll"
                && e.TryGetProperty("Elapsed", out _) && e.GetProperty("StatusCode").GetInt32() == 404);
            var rollLines = events.Where(e => e.TryGetProperty("RequestPath", out var path) && path.GetString() == $"/rooms/{code}/rolls"
                && e.TryGetProperty("Elapsed", out _)).ToList();
            Assert.All(rollLines, e =>
            {
                Assert.True(e.GetProperty("Elapsed").GetDouble() > 1000, $"a roll that succeeded in time has a timing line: {e}");
                Assert.Equal("Warning", e.GetProperty("@l").GetString());
            });
        }

        Assert.True(File.Exists(Path.Combine(_data, "permalinks.db")), "no permalinks.db in the data folder");
        // With Valkey configured (compose), the Data Protection ring lives in Valkey (persisted by its append-only file),
        // not in the folder: every app instance, on any host, reads the same keys.
        await using (var valkey = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(
            System.Environment.GetEnvironmentVariable(DiceRoller.Tests.E2E.Stores.ValkeyVariable) + $",defaultDatabase={PublishedApp.ValkeyDatabase}"))
        {
            Assert.True(await valkey.GetDatabase().ListLengthAsync("diceroller:data-protection-keys") > 0, "no Data Protection key in Valkey");
        }

        Assert.Equal(publishedBefore, Snapshot(PublishedApp.PublishFolder));

        // An upgrade: a new process on the same data, now with a Sentry DSN (a local listener). The player's cookies and
        // the form token from before still work, because the Data Protection keys outlive the process (in Valkey).
        using var sentry = new TcpListener(IPAddress.Loopback, 0);
        sentry.Start();
        var dsn = $"http://0123456789abcdef0123456789abcdef@127.0.0.1:{((IPEndPoint)sentry.LocalEndpoint).Port}/1";
        await using (var app = await PublishedApp.StartAsync(port, _data, new Dictionary<string, string?> { ["Sentry__Dsn"] = dsn }))
        {
            using var http = new HttpClient(cookies, disposeHandler: false) { BaseAddress = app.BaseAddress };
            using var form = new FormUrlEncodedContent([new("dice", "1d20"), new("modifier", "0"), new("advantage", "none"), new("__RequestVerificationToken", token)]);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{code}/rolls") { Content = form };
            request.Headers.Add("HX-Request", "true");
            using var rolled = await http.SendAsync(request);
            Assert.True(rolled.StatusCode == HttpStatusCode.OK, $"after the restart the old cookie and token were refused: {(int)rolled.StatusCode}");
            using var ready = await http.GetAsync(new Uri("/api/health/ready", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

            Assert.Equal(0, await app.StopAsync());
            Assert.Contains(app.LogEvents(), e => e.TryGetProperty("@m", out var m) && m.GetString()!.Contains("error reports: \"Sentry\"", StringComparison.Ordinal));
            Assert.DoesNotContain(dsn, app.Output, StringComparison.Ordinal);
        }
    }

    private static string? EventName(JsonElement e) =>
        e.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Object && id.TryGetProperty("Name", out var name) ? name.GetString() : null;

    private static List<string> Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"(?m)^diceroller_rolls(?:\{[^}]*\})? (\d+)")]
    private static partial Regex RollsTotal();
}
