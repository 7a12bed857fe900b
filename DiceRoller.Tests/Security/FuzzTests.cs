using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Security;

/// <summary>
/// Every route the app maps (read from its endpoint data source, so new routes are covered without editing this
/// file) gets hostile values in every form field, query parameter and route parameter, and hostile request shapes
/// (duplicate fields, too many fields, huge keys and values, wrong content types and charsets, broken multipart,
/// bad percent-encoding), from a stranger, a player and the DM. Nothing may answer 5xx or show a stack trace,
/// and a refused request changes nothing (room, players, DC, history, permalinks).
/// </summary>
public abstract partial class FuzzTests(ITestOutputHelper output) : AppTest
{
    private const int Seed = 20261126;

    /// <summary>Fields the app's forms use today; the rendered pages add whatever new forms carry.</summary>
    private static readonly string[] KnownFields =
        ["player_name", "mode", "room_code", "dice", "modifier", "advantage", "hidden", "die", "count", "dc", "player_id", "request_id", "locked"];

    [GeneratedRegex(@"\bat [\w.`<>]+\.[\w<>`]+\(|\.cs:line \d+|Exception:|StackTrace")]
    private static partial Regex StackTrace();

    [Fact]
    public async Task Hostile_input_on_every_route_gets_a_clear_4xx_and_changes_nothing()
    {
        var watch = Stopwatch.StartNew();
        var scene = await Scene.BuildAsync(App);
        var routes = DiscoverRoutes();
        var fields = KnownFields.Union(await scene.FormFieldsAsync()).Where(f => f != "__RequestVerificationToken").Distinct().ToList();
        var values = FuzzCorpus.Values.Concat(FuzzCorpus.Generated(Seed, 40)).ToList();
        var histogram = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var count = 0;

        var perRoute = new List<string>();
        var destructive = new HashSet<string>(StringComparer.Ordinal);
        var (rejoins, rebuilds, rebuilding) = (0, 0, TimeSpan.Zero);
        var (sent, read) = (TimeSpan.Zero, TimeSpan.Zero);
        var currentRoute = "";
        Browser Pick(Browser browser) => browser == scene.Dee && destructive.Contains(currentRoute) ? scene.Bob : browser;
        var (before, _) = await scene.ReadAsync();
        async Task SendAsync(Func<Scene, Browser, HttpRequestMessage> build, Browser chosen)
        {
            var browser = Pick(chosen);
            var sending = Stopwatch.StartNew();
            using var request = build(scene, browser);
            var label = $"{request.Method} {request.RequestUri}";
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await browser.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            count++;
            histogram[status] = histogram.GetValueOrDefault(status) + 1;
            var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
            if (status >= 500)
            {
                failures.Add($"{status} for {Shorten(label)}: {Shorten(body)}");
            }

            if (StackTrace().Match(body) is { Success: true } trace)
            {
                failures.Add($"stack trace ({trace.Value}) in the answer to {Shorten(label)}");
            }

            // One read of the scene after every request: its state (compared after a refusal) and whether it is whole.
            sent += sending.Elapsed;
            var reading = Stopwatch.StartNew();
            var (after, intact) = await scene.ReadAsync();
            read += reading.Elapsed;
            if (status >= 400)
            {
                if (after != before)
                {
                    failures.Add($"{status} for {Shorten(label)} changed state:\n  before {before}\n  after  {after}");
                    before = after;
                }
            }
            else
            {
                if (!intact)
                {
                    // A request that undoes the scene (close, hand over, kick, leave): Dee's requests to its route are Bob's from now
                    // on. When Bob left, he joins again and the scene is whole; otherwise a new scene is built.
                    destructive.Add(currentRoute);
                    if (await scene.RejoinAsync() is (var state, true))
                    {
                        (after, rejoins) = (state, rejoins + 1);
                    }
                    else
                    {
                        var building = Stopwatch.StartNew();
                        scene = await Scene.BuildAsync(App);
                        (after, _) = await scene.ReadAsync();
                        (rebuilds, rebuilding) = (rebuilds + 1, rebuilding + building.Elapsed);
                    }
                }

                before = after;
            }
        }

        foreach (var (route, routeIndex) in routes.Select((r, i) => (r, i)))
        {
            var (routeStart, routeCount) = (watch.Elapsed, count);
            currentRoute = route.Method + route.Pattern;
            for (var i = 0; i < values.Count; i++)
            {
                if (route.Method == "GET" && i % 2 == routeIndex % 2)
                {
                    var query = i % 2 == 0 ? "before" : "after";
                    await SendAsync((s, b) => new HttpRequestMessage(HttpMethod.Get, $"{s.Path(route)}?{query}={Uri.EscapeDataString(Safe(values[i]))}"), scene.Identity(i));
                }
            }

            if (route.Method != "GET")
            {
                // Numbers in disguise (other scripts' digits, NUL, overflow) go into every field; the rest on a stride.
                foreach (var (field, k) in fields.Select((f, k) => (f, k)))
                {
                    for (var j = 0; j < values.Count; j++)
                    {
                        if (!FuzzCorpus.DisguisedNumbers.Contains(values[j]) && (j + k + routeIndex) % 16 != 0)
                        {
                            continue;
                        }

                        var value = values[j];
                        var browser = j % 4 == 0 ? scene.Stranger : j % 2 == 0 ? scene.Bob : scene.Dee;
                        await SendAsync((s, b) => s.FormPost(s.Path(route), b, j % 10 != 9, Baseline(s, field).Append(new(field, value))), browser);
                    }
                }
            }

            foreach (var parameter in route.Parameters)
            {
                foreach (var (bad, j) in FuzzCorpus.RouteValues.Select((v, j) => (v, j)))
                {
                    var browser = scene.Identity(j);
                    await SendAsync((s, b) => route.Method == "GET"
                        ? new HttpRequestMessage(HttpMethod.Get, s.Path(route, parameter, bad))
                        : s.FormPost(s.Path(route, parameter, bad), b, true, Baseline(s, "")), browser);
                }
            }

            if (route.Method != "GET")
            {
                foreach (var (shape, j) in Shapes().Select((v, j) => (v, j)))
                {
                    var browser = scene.Identity(j);
                    await SendAsync((s, b) => s.RawPost(s.Path(route), b, shape.ContentType, shape.Body), browser);
                }
            }

            perRoute.Add($"{route.Method} {route.Pattern} {count - routeCount} in {(watch.Elapsed - routeStart).TotalSeconds:F1} s");
        }

        // One body of over 4 MB: the size limit answers before the handler runs.
        await SendAsync((s, b) => s.RawPost($"/rooms/{s.Code}/rolls", b, "application/x-www-form-urlencoded",
            Encoding.ASCII.GetBytes("dice=" + new string('1', 4_300_000))), scene.Bob);

        output.WriteLine($"{Store}: {count} hostile requests over {routes.Count} routes and {fields.Count} fields in {watch.Elapsed.TotalSeconds:F1} s (seed {Seed}).");
        output.WriteLine($"Time: {sent.TotalSeconds:F1} s in the requests, {read.TotalSeconds:F1} s reading the scene after them.");
        output.WriteLine($"Scene: Bob joined again {rejoins} times after leaving; built again {rebuilds} times in {rebuilding.TotalSeconds:F1} s.");
        output.WriteLine("Status histogram: " + string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value}")));
        output.WriteLine("Routes: " + string.Join(", ", perRoute));
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} requests failed:\n" + string.Join("\n", failures.Distinct().Take(40)));
    }

    protected abstract string Store { get; }

    private List<FuzzRoute> DiscoverRoutes()
    {
        var endpoints = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var routes = new List<FuzzRoute>();
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                routes.Add(new FuzzRoute(method, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'),
                    endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList()));
            }
        }

        Assert.Contains(routes, r => r is { Method: "POST", Pattern: "/rooms/{code}/rolls" });
        return routes.DistinctBy(r => (r.Method, r.Pattern)).OrderBy(r => r.Pattern, StringComparer.Ordinal).ToList();
    }

    /// <summary>Valid values for the fields not under test, so the hostile one is what the handler has to judge.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Baseline(Scene scene, string fuzzed) =>
        new Dictionary<string, string>
        {
            ["dice"] = "1d20", ["modifier"] = "0", ["advantage"] = "none", ["mode"] = "open", ["room_code"] = scene.Code,
        }.Where(f => f.Key != fuzzed);

    /// <summary>Lone surrogates cannot be percent-encoded; the rest goes as it is.</summary>
    private static string Safe(string value) => value.Any(char.IsSurrogate) && !value.EnumerateRunes().Any() ? "" : value;

    private static IEnumerable<(string ContentType, byte[] Body)> Shapes()
    {
        const string Form = "application/x-www-form-urlencoded";
        yield return (Form, Encoding.ASCII.GetBytes("dice=1d20&dice=2d6&modifier=1&modifier=x&player_name=A&player_name=B&dc=5&dc=6"));
        yield return (Form, Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, 1_100).Select(n => $"f{n}=1"))));
        yield return (Form, Encoding.ASCII.GetBytes(new string('k', 2_100) + "=1&dice=1d20"));
        yield return (Form, Encoding.ASCII.GetBytes("dice=1d20%00&player_name=%00&dc=1%00&player_id=%00"));
        yield return (Form, Encoding.ASCII.GetBytes("dice=%zz%&modifier=%&player_name=%E0%A4"));
        yield return (Form, [.. Encoding.ASCII.GetBytes("player_name="), 0xff, 0xfe, 0xc0, 0xaf, .. Encoding.ASCII.GetBytes("&dice=1d20")]);
        yield return (Form + "; charset=utf-7", Encoding.ASCII.GetBytes("player_name=+AGEAYgBj-&dice=1d20"));
        yield return (Form + "; charset=nonsense", Encoding.ASCII.GetBytes("player_name=Abc&dice=1d20"));
        yield return ("multipart/form-data; boundary=xyz", Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"dice\"\r\n\r\n1d20"));
        yield return ("multipart/form-data", Encoding.ASCII.GetBytes("--xyz\r\n\r\n"));
        yield return ("multipart/form-data; boundary=" + new string('b', 200), Encoding.ASCII.GetBytes("--b\r\n"));
        yield return ("multipart/form-data; boundary=q", Encoding.ASCII.GetBytes(
            "--q\r\nContent-Disposition: form-data; name=\"dice\"; filename=\"../../x\"\r\nContent-Type: text/plain\r\n\r\n1d20\r\n--q--\r\n"));
        yield return ("application/json", Encoding.ASCII.GetBytes("{\"dice\":\"1d20\"}"));
        yield return ("text/plain", Encoding.ASCII.GetBytes("dice=1d20"));
        yield return ("", []);
    }

    private sealed record FuzzRoute(string Method, string Pattern, IReadOnlyList<string> Parameters);

    /// <summary>A DM-led room with Dee as DM, Bob as player, a hidden and a visible roll and a DC; plus a stranger.</summary>
    private sealed class Scene
    {
        private readonly AppFactory _app;

        private Scene(AppFactory app, Browser dee, Browser bob, Browser stranger, string code, string hiddenRollId)
        {
            _app = app;
            (Dee, Bob, Stranger, Code, HiddenRollId) = (dee, bob, stranger, code, hiddenRollId);
        }

        public Browser Dee { get; }

        public Browser Bob { get; }

        public Browser Stranger { get; }

        public string Code { get; }

        public string HiddenRollId { get; }

        public static async Task<Scene> BuildAsync(AppFactory app)
        {
            // Not disposed here: the scene's browsers serve until the test ends and go with the app.
            var (code, dee, bob) = await Table.DmLed("Dee").Players("Bob").BuildAsync(app);
            var stranger = app.NewBrowser("Stranger/1.0");
            var hidden = await dee.PostAsync($"/rooms/{code}/rolls", [new("dice", "1d20"), new("hidden", "true")], htmx: true);
            Assert.Equal(HttpStatusCode.OK, hidden.Status);
            await bob.GetAsync($"/rooms/{code}");
            await bob.RollAsync(code);
            await dee.GetAsync($"/rooms/{code}");
            Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "12"))).Status);
            await stranger.GetAsync("/");
            return new Scene(app, dee, bob, stranger, code, hidden.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!);
        }

        public Browser Identity(int i) => (i % 3) switch { 0 => Stranger, 1 => Bob, _ => Dee };

        /// <summary>The names of every form field on the pages each identity sees.</summary>
        public async Task<IEnumerable<string>> FormFieldsAsync()
        {
            var pages = new[]
            {
                await Stranger.GetAsync("/"), await Stranger.GetAsync("/join"), await Stranger.GetAsync($"/rooms/{Code}"),
                await Bob.GetAsync($"/rooms/{Code}"), await Dee.GetAsync($"/rooms/{Code}"),
            };
            return pages.SelectMany(p => p.Document.QuerySelectorAll("form [name]").Select(e => e.GetAttribute("name")!)).ToList();
        }

        public string Path(FuzzRoute route, string? hostileParameter = null, string? hostileValue = null)
        {
            var path = route.Pattern;
            foreach (var parameter in route.Parameters)
            {
                var value = parameter == hostileParameter ? hostileValue! : parameter switch
                {
                    "code" => Code,
                    "rollId" or "id" => HiddenRollId,
                    _ => "x",
                };
                path = Regex.Replace(path, "\\{" + Regex.Escape(parameter) + "[^}]*\\}", value.Replace("$", "$$", StringComparison.Ordinal));
            }

            return path;
        }

        public HttpRequestMessage FormPost(string path, Browser browser, bool withToken, IEnumerable<KeyValuePair<string, string>> fields)
        {
            var all = fields.Select(f => new KeyValuePair<string, string>(f.Key, Safe(f.Value))).ToList();
            if (withToken)
            {
                all.Add(new("__RequestVerificationToken", browser.Token!));
            }

            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
            if (withToken && all.Count % 2 == 0)
            {
                request.Headers.Add("HX-Request", "true");
            }

            return request;
        }

        /// <summary>A raw body; the antiforgery token travels in the header so the request reaches the handler.</summary>
        public HttpRequestMessage RawPost(string path, Browser browser, string contentType, byte[] body)
        {
            var content = new ByteArrayContent(body);
            if (contentType.Length > 0)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            request.Headers.Add("RequestVerificationToken", browser.Token!);
            return request;
        }

        /// <summary>
        /// When Bob is all the scene lacks (he left; Dee is still the DM), Bob joins the room again; the scene as read after it.
        /// A room he cannot simply join (locked, or his device kicked) is left as it is: the caller builds a new scene.
        /// </summary>
        public async Task<(string State, bool Intact)> RejoinAsync()
        {
            var room = await _app.Services.GetRequiredService<IRoomStore>().GetAsync(Code);
            if (room is null || room.Players.Any(p => p.Name == "Bob") || room.FindPlayer(room.Room.DmPlayerId ?? "")?.Name != "Dee")
            {
                return ("", false);
            }

            var joined = await Bob.PostAsync("/join", ("room_code", Code), ("player_name", "Bob"));
            return joined.Status == HttpStatusCode.SeeOther ? await ReadAsync() : ("", false);
        }

        /// <summary>
        /// Everything a refused request must leave alone, as one comparable string, and whether the scene is whole (Dee still
        /// the DM, Bob still in): the room, its history and the permalinks, read at once (one round trip to Valkey, not five).
        /// </summary>
        public async Task<(string State, bool Intact)> ReadAsync()
        {
            var store = _app.Services.GetRequiredService<IRoomStore>();
            var roomRead = store.GetAsync(Code);
            var rollsRead = store.GetRollsBeforeAsync(Code, long.MaxValue, 2_000);
            var permalinksRead = PermalinksAsync();
            var (room, rolls, permalinks) = (await roomRead, await rollsRead, await permalinksRead);
            var intact = room is not null && room.Players.Any(p => p.Name == "Bob") && room.Players.FirstOrDefault(p => p.PlayerId == room.Room.DmPlayerId)?.Name == "Dee";
            return (room is null ? $"no room; permalinks {permalinks}" :
                $"{room.Room with { LastActivity = 0 }} players [{string.Join(",", room.Players.Select(p => p.PlayerId + "=" + p.Name))}] " +
                $"kicked [{string.Join(",", room.Kicked.Order(StringComparer.Ordinal))}] modes {room.ModeChanges.Count} " +
                $"rolls [{string.Join(",", rolls.Select(r => $"{r.Sequence}:{r.Hidden}/{r.Revealed}"))}] permalinks {permalinks}", intact);
        }

        private async Task<object?> PermalinksAsync()
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={System.IO.Path.Combine(_app.DataDirectory, "permalinks.db")}");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) || ':' || coalesce(sum(revealed), 0) FROM roll_permalinks";
            return await command.ExecuteScalarAsync();
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

public sealed class FuzzEmbeddedTests(ITestOutputHelper output) : FuzzTests(output)
{
    protected override string Store => "embedded";
}

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class FuzzValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : FuzzTests(output)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    protected override string Store => "valkey";
}
