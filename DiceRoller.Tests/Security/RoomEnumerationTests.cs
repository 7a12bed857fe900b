using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Security;

/// <summary>
/// Room codes cannot be enumerated: every answer to a non-member that could tell an existing room from a missing one
/// counts against the per-address budget joins use (20 a minute), and past it every code gets the same 429. Players of
/// a room are never counted and keep their answers. Every browser of one app comes from the same address.
/// </summary>
public abstract partial class RoomEnumerationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Budget = 20;
    private const string Missing = "NOPE-0000";
    private static readonly HtmlParser Parser = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    /// <summary>The Valkey limiter's windows run on Valkey's own clock (key expiry), not the app's.</summary>
    protected virtual bool WindowOnRealTime => false;

    /// <summary>
    /// The budget's window: a minute on the fake clock; on Valkey's real clock ten, so that the fifty-odd requests of a
    /// test fit in one window on a loaded CI machine (where single requests took over a second).
    /// </summary>
    private TimeSpan Window => WindowOnRealTime ? TimeSpan.FromMinutes(10) : TimeSpan.FromMinutes(1);

    private AppFactory App => _app ??= NewApp(Budget, Window);

    private AppFactory NewApp(int budget, TimeSpan window) => new(ValkeyConnection, new Dictionary<string, string?>
    {
        ["Rooms:JoinLimit"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Rooms:JoinWindow"] = window.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    }) { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Past_the_budget_existing_and_missing_rooms_get_the_same_429_on_every_route()
    {
        using var alice = App.NewBrowser();
        using var eve = App.NewBrowser();
        var code = await CreateRoomUnlikeTheExampleAsync(alice);

        await eve.GetAsync("/"); // the antiforgery token a prober can get from any page

        var seen = new List<(string Code, HttpStatusCode Status)>();
        for (var i = 0; i < Budget + 5; i++)
        {
            var probe = i % 2 == 0 ? code : Missing;
            seen.Add((probe, (await eve.GetAsync($"/rooms/{probe}")).Status));
        }

        Assert.All(seen.Take(Budget), s => Assert.Equal(s.Code == code ? HttpStatusCode.OK : HttpStatusCode.NotFound, s.Status));
        Assert.All(seen.Skip(Budget), s => Assert.Equal(HttpStatusCode.TooManyRequests, s.Status));

        foreach (var (route, send) in Routes(eve))
        {
            var real = await send(code);
            var none = await send(Missing);
            Assert.True(real.Status == HttpStatusCode.TooManyRequests, $"{route} for a live room: {(int)real.Status}");
            Assert.True(real.RetryAfter >= 1 && real.RetryAfter <= Window.TotalSeconds, $"{route}: Retry-After {real.RetryAfter}");
            Assert.Equal(real.Fingerprint(code), none.Fingerprint(Missing));
        }
    }

    [Fact]
    public async Task A_rate_limited_join_page_does_not_greet_a_real_room_by_name()
    {
        using var alice = App.NewBrowser();
        using var eve = App.NewBrowser();
        var code = await CreateRoomUnlikeTheExampleAsync(alice);

        for (var i = 0; i < Budget; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync("/join", ("room_code", $"GUESS-{i:0000}"), ("player_name", "Eve"))).Status);
        }

        var real = await eve.PostAsync("/join", ("room_code", code), ("player_name", "Eve"));
        var none = await eve.PostAsync("/join", ("room_code", Missing), ("player_name", "Eve"));

        Assert.Equal(HttpStatusCode.TooManyRequests, real.Status);
        Assert.Equal("RATE_LIMIT", real.ErrorCode);
        Assert.Equal("Join a room", real.Document.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(none.Document.QuerySelector("h1")!.TextContent, real.Document.QuerySelector("h1")!.TextContent);
        Assert.Equal(Normalise(none.Document.QuerySelector("main")!.TextContent, Missing), Normalise(real.Document.QuerySelector("main")!.TextContent, code));
    }

    [Fact]
    public async Task Joins_and_looks_share_one_budget()
    {
        using var alice = App.NewBrowser();
        using var eve = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < Budget / 2; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await eve.PostAsync("/join", ("room_code", $"GUESS-{i:0000}"), ("player_name", "Eve"))).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await eve.GetAsync($"/rooms/GUESS-{i:0000}")).Status);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await eve.GetAsync($"/rooms/{code}")).Status);
        Assert.Equal("RATE_LIMIT", (await eve.PostAsync("/join", ("room_code", code), ("player_name", "Eve"))).ErrorCode);
    }

    [Fact]
    public async Task Players_are_never_counted_and_keep_their_answers_while_their_network_is_limited()
    {
        using var alice = App.NewBrowser();
        using var eve = App.NewBrowser();
        var code = await alice.CreateRoomAsync("Alice", "dm-led");
        for (var i = 0; i < Budget + 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{code}")).Status);
        }

        var looks = new List<HttpStatusCode>();
        for (var i = 0; i < Budget + 1; i++)
        {
            looks.Add((await eve.GetAsync($"/rooms/{Missing}")).Status);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, Budget).Append(HttpStatusCode.TooManyRequests), looks);

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{code}")).Status);
        var roll = await alice.RollAsync(code);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{code}/rolls?before={roll.GetAttribute("data-sequence")}", htmx: true)).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync("/join", ("room_code", code), ("player_name", "Alice"))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync($"/rooms/{code}/dc", ("dc", "12"))).Status);
        await using (var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0"))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            Assert.Equal("connected", (await stream.NextAsync(TimeSpan.FromSeconds(30))).Type);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await eve.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task The_budget_opens_again_after_its_window()
    {
        // On Valkey the window is its key's expiry on Valkey's clock: a short one (and a small budget to use up in it).
        await using var app = WindowOnRealTime ? NewApp(3, TimeSpan.FromSeconds(2)) : NewApp(Budget, TimeSpan.FromMinutes(1));
        using var alice = app.NewBrowser();
        using var eve = app.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var tries = 0;
        while ((await eve.GetAsync($"/rooms/{Missing}")).Status != HttpStatusCode.TooManyRequests)
        {
            Assert.True(++tries < 200, "the budget never ran out");
        }

        if (!WindowOnRealTime)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await eve.GetAsync($"/rooms/{code}")).Status);
        }

        if (!WindowOnRealTime)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        // On Valkey: wait for the key to expire (2 s), polling within a generous bound.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        while ((status = (await eve.GetAsync($"/rooms/{Missing}")).Status) == HttpStatusCode.TooManyRequests && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.OK, (await eve.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task Past_the_budget_hostile_codes_on_every_route_get_the_429_never_a_5xx()
    {
        using var alice = App.NewBrowser();
        using var eve = App.NewBrowser();
        await alice.CreateRoomAsync();
        await eve.GetAsync("/");
        for (var i = 0; i < Budget; i++)
        {
            await eve.GetAsync($"/rooms/{Missing}");
        }

        var histogram = new SortedDictionary<int, int>();
        foreach (var (route, send) in Routes(eve))
        {
            foreach (var hostile in FuzzCorpus.RouteValues.Where(v => v.Length < 100))
            {
                var answer = await send(hostile);
                histogram[(int)answer.Status] = histogram.GetValueOrDefault((int)answer.Status) + 1;
                // ("/rooms/.." is the home page: a path trick leaves the room routes, still no 5xx.)
                Assert.True((int)answer.Status < 500, $"{route} with {hostile}: {(int)answer.Status}");
                Assert.DoesNotContain("Exception", answer.Body, StringComparison.Ordinal);
            }
        }

        output.WriteLine("Past the budget, hostile codes: " + string.Join(", ", histogram.Select(h => $"{h.Key}: {h.Value}")));
        Assert.True(histogram.GetValueOrDefault(429) > histogram.Values.Sum() / 2, "most hostile codes should get the budget's 429");
    }

    private sealed record Answer(HttpStatusCode Status, int? RetryAfter, string Body)
    {
        /// <summary>What a prober can compare: status, whether Retry-After is sent, and the body with this code, numbers and form tokens blanked.</summary>
        public string Fingerprint(string code)
        {
            var document = Parser.ParseDocument(Body);
            foreach (var token in document.QuerySelectorAll("input[name=__RequestVerificationToken]"))
            {
                token.SetAttribute("value", "TOKEN");
            }

            return $"{(int)Status} retry-after:{RetryAfter is not null}\n{Normalise(document.DocumentElement.OuterHtml, code)}";
        }
    }

    /// <summary>A room whose code is not the join form's example code (ALPHA-1234): page text could not tell that one apart.</summary>
    private static async Task<string> CreateRoomUnlikeTheExampleAsync(Browser creator)
    {
        var code = await creator.CreateRoomAsync();
        while (code == "ALPHA-1234")
        {
            code = await creator.CreateRoomAsync();
        }

        return code;
    }

    private static string Normalise(string text, string code) =>
        Digits().Replace(text.Replace(code, "CODE", StringComparison.Ordinal).Replace(code.ToLowerInvariant(), "code", StringComparison.Ordinal), "#");

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    /// <summary>Every room route a stranger can ask about a code, page and htmx forms alike.</summary>
    private static IEnumerable<(string Route, Func<string, Task<Answer>> Send)> Routes(Browser eve)
    {
        Task<Answer> Get(string url, bool htmx = false) => SendAsync(eve, HttpMethod.Get, url, htmx, null);
        Task<Answer> Post(string url, bool htmx = false, params (string, string)[] fields) => SendAsync(eve, HttpMethod.Post, url, htmx, fields);
        yield return ("room page", c => Get($"/rooms/{c}"));
        yield return ("room page, lower case", c => Get($"/rooms/{c.ToLowerInvariant()}"));
        yield return ("event stream", c => Get($"/rooms/{c}/events"));
        yield return ("earlier rolls", c => Get($"/rooms/{c}/rolls?before=5", htmx: true));
        yield return ("roll (htmx)", c => Post($"/rooms/{c}/rolls", true, ("dice", "1d20")));
        yield return ("roll (form)", c => Post($"/rooms/{c}/rolls", false, ("dice", "1d20")));
        yield return ("reveal", c => Post($"/rooms/{c}/rolls/0190a000-0000-7000-8000-000000000000/reveal", true));
        yield return ("set DC", c => Post($"/rooms/{c}/dc", false, ("dc", "10")));
        yield return ("kick", c => Post($"/rooms/{c}/kick", true, ("player_id", "x")));
        yield return ("lock", c => Post($"/rooms/{c}/lock", true, ("locked", "true")));
        yield return ("leave", c => Post($"/rooms/{c}/leave"));
        yield return ("continue link", c => Get($"/rooms/{c}/continue/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        yield return ("knock page", c => Get($"/rooms/{c}/knocks/0190a000-0000-7000-8000-000000000000"));
        yield return ("join", c => Post("/join", false, ("room_code", c), ("player_name", "Eve")));
    }

    private static async Task<Answer> SendAsync(Browser eve, HttpMethod method, string url, bool htmx, (string Name, string Value)[]? fields)
    {
        using var request = new HttpRequestMessage(method, url);
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }

        if (fields is not null)
        {
            request.Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))
                .Append(new("__RequestVerificationToken", eve.Token!)));
        }

        using var response = await eve.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int)delta.TotalSeconds : (int?)null;
        return new Answer(response.StatusCode, retryAfter, await response.Content.ReadAsStringAsync());
    }
}

public sealed class RoomEnumerationEmbeddedTests(ITestOutputHelper output) : RoomEnumerationTests(output);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RoomEnumerationValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : RoomEnumerationTests(output)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    protected override bool WindowOnRealTime => true;
}
