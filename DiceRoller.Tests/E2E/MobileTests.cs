using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The room on a low-end phone: weight and speed on emulated 3G (Chromium DevTools throttling, cold cache),
/// no sideways scrolling at 320 px, one column on phones and two on a desktop, and installable as an app.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class MobileTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    /// <summary>Everything the room page's first load may transfer, compressed: HTML, CSS, scripts, icon and manifest.</summary>
    private const long BudgetBytes = 60 * 1024;

    /// <summary>
    /// Run in the page before its own scripts: on every animation frame (frames run from the first paint on) it looks for the
    /// d20 button, and notes the page's time (ms since the navigation started) of the first frame where it is rendered
    /// (has a box) and not disabled (by its own attribute or a disabled fieldset).
    /// </summary>
    private const string UsableProbe = """
        (() => {
          if (window.__d20Probe) return;
          window.__d20Probe = true;
          const look = () => {
            const b = document.querySelector("#roll-form button[name=die][value='20']");
            if (b && b.getClientRects().length > 0 && !b.matches(':disabled') && getComputedStyle(b).visibility !== 'hidden') {
              window.__d20UsableAt = performance.now();
              return;
            }
            requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        })();
        """;

    public static TheoryData<string, double, double, double, double> Networks => new()
    {
        // Chrome DevTools' presets: latency ms, download and upload bytes/s, and the time the dice must be usable by.
        { "Fast 3G", 562.5, 180_000, 84_375, 2_000 },
        { "3G", 2_000, 50_000, 50_000, 5_000 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public async Task The_dice_are_usable_in_time_and_the_first_load_stays_under_60_KB_on_a_slow_network(
        string network, double latencyMs, double downBytesPerSecond, double upBytesPerSecond, double limitMs)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        var code = await alice.CreateRoomAsync("dm-led");
        await RollManyAsync(alice, server, code, 50);
        var page = alice.Page;
        await page.GotoAsync("about:blank");
        await page.SetViewportSizeAsync(360, 640);

        var cdp = await page.Context.NewCDPSessionAsync(page);
        var traffic = new Traffic(cdp);
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.clearBrowserCache");
        await cdp.SendAsync("Network.setCacheDisabled", new() { ["cacheDisabled"] = true });
        await cdp.SendAsync("Network.emulateNetworkConditions", new()
        {
            ["offline"] = false,
            ["latency"] = latencyMs,
            ["downloadThroughput"] = downBytesPerSecond,
            ["uploadThroughput"] = upBytesPerSecond,
        });

        // The page itself notes when the d20 is first shown and enabled (checked on every frame from the start of the document,
        // on the page's own clock from the start of the navigation): Playwright's assertions poll at growing intervals (up to
        // a second apart), so the time they return can be a second after the button was there.
        await page.AddInitScriptAsync(UsableProbe);
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(server.Url($"/rooms/{code}"), new() { WaitUntil = WaitUntilState.Commit, Timeout = 30_000 });
        var d20 = alice.DieButton(20);
        await Expect(d20).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(d20).ToBeEnabledAsync(new() { Timeout = 30_000 });
        var polledMs = clock.Elapsed.TotalMilliseconds;
        var usable = await page.WaitForFunctionAsync("() => window.__d20UsableAt ?? null", null, new() { Timeout = 30_000 });
        var usableMs = await usable.JsonValueAsync<double>();
        await Expect(alice.ConnectionStatus).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        var liveMs = clock.Elapsed.TotalMilliseconds;
        await page.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = 30_000 });
        await traffic.SettledAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var paint = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
        var box = await d20.BoundingBoxAsync();
        var (loaded, requests, stream) = traffic.Totals();
        var extra = await UnfetchedExtrasAsync(server, traffic.Urls());
        var total = loaded + stream + extra.Sum(e => e.Bytes);
        output.WriteLine($"{network} ({latencyMs} ms, {downBytesPerSecond * 8 / 1000:F0} kbit/s down, {upBytesPerSecond * 8 / 1000:F0} kbit/s up), " +
            "cold cache, 360x640, a room with 50 rolls:");
        output.WriteLine($"  dice pad visible and enabled after {usableMs:F0} ms (first contentful paint {paint:F0} ms, limit {limitMs:F0} ms; " +
            $"the test's polling saw it at {polledMs:F0} ms); live after {liveMs:F0} ms");
        output.WriteLine($"  transferred {loaded} bytes in {requests} finished requests (CDP encodedDataLength):");
        foreach (var (url, bytes) in traffic.PerRequest())
        {
            output.WriteLine($"    {bytes,7}  {url}");
        }

        output.WriteLine($"  + {stream} bytes of the open event stream so far (its first events: roster and DC; never compressed)");
        foreach (var (url, bytes) in extra)
        {
            output.WriteLine($"  + {bytes} bytes for {url} (linked, not fetched by this load; counted at its compressed size)");
        }

        output.WriteLine($"  = {total} bytes ({total / 1024.0:F1} KB) of a {BudgetBytes / 1024} KB budget");
        Assert.True(usableMs <= limitMs, $"The dice were usable after {usableMs:F0} ms on {network}; the limit is {limitMs:F0} ms.");
        Assert.True(total <= BudgetBytes, $"The first load transferred {total} bytes; the budget is {BudgetBytes}.");
        Assert.NotNull(box);
        Assert.True(box.Y + box.Height <= 640, $"The d20 button should be on the first screen of a 360x640 phone, its bottom is at {box.Y + box.Height:F0} px.");
    }

    [Fact]
    public async Task Nothing_scrolls_sideways_at_320px_and_the_room_is_one_column_on_a_phone_and_two_on_a_desktop()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dm = await Person.OpenAsync(chromium, server.BaseAddress, "WWWWWWWWWWWWWWWWWWWW");
        await using var player = await Person.OpenAsync(chromium, server.BaseAddress, "MMMMMMMMMM MMMMMMMMM");
        await using var stranger = await Person.OpenAsync(chromium, server.BaseAddress, "Sam");
        foreach (var person in new[] { dm, player, stranger })
        {
            await person.Page.SetViewportSizeAsync(320, 640);
        }

        await stranger.Page.GotoAsync(server.Url("/"));
        await AssertNoSidewaysScrollAsync(stranger.Page, "home");

        var code = await dm.CreateRoomAsync("dm-led");
        await stranger.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await AssertNoSidewaysScrollAsync(stranger.Page, "join by link");
        await player.JoinAsync(code);
        await dm.WaitUntilLiveAsync();
        await dm.SetDcAsync(15);
        var big = await dm.RollAsync("100d100");
        await dm.RollDieAsync(20, hidden: true);
        await player.RollAsync("100d4+20");
        await player.Page.Locator("#roll-count").FillAsync("100");
        await player.RollDieAsync(12);
        await Expect(dm.Feed).ToHaveCountAsync(4);
        await Expect(player.Feed).ToHaveCountAsync(4);
        await AssertNoSidewaysScrollAsync(dm.Page, "room, DM view");
        await AssertNoSidewaysScrollAsync(player.Page, "room, player view");

        var roll = await dm.Page.Locator("#roll-form").BoundingBoxAsync();
        var feed = await dm.Page.Locator("#feed").BoundingBoxAsync();
        Assert.True(feed!.Y > roll!.Y + roll.Height, "On a phone the feed comes below the roll form (one column).");
        await dm.Page.SetViewportSizeAsync(1280, 800);
        roll = await dm.Page.Locator("#roll-form").BoundingBoxAsync();
        feed = await dm.Page.Locator("#feed").BoundingBoxAsync();
        output.WriteLine($"1280 px: roll form {roll!.Width:F0} px wide at x={roll.X:F0}, feed {feed!.Width:F0} px wide at x={feed.X:F0}");
        Assert.True(feed.X > roll.X + roll.Width, "On a desktop the feed sits beside the roll form (two columns).");

        await stranger.Page.GotoAsync(server.Url($"/roll/{big}"));
        await AssertNoSidewaysScrollAsync(stranger.Page, "permalink of 100d100");
    }

    [Fact]
    public async Task The_app_is_installable_from_a_valid_manifest_with_png_icons()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.Page.GotoAsync(server.Url("/"));
        var cdp = await alice.Page.Context.NewCDPSessionAsync(alice.Page);

        var manifest = (await cdp.SendAsync("Page.getAppManifest"))!.Value;
        var errors = manifest.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ToList();
        var installability = (await cdp.SendAsync("Page.getInstallabilityErrors"))!.Value.GetProperty("installabilityErrors")
            .EnumerateArray().Select(e => e.GetProperty("errorId").GetString()).ToList();
        output.WriteLine($"Manifest {manifest.GetProperty("url").GetString()}: {errors.Count} errors; installability errors: [{string.Join(", ", installability)}]");

        // Playwright's browser contexts are incognito profiles, where Chromium never offers to install; that is the
        // test browser, not the app. Any other reason (no icon, bad manifest, not secure...) fails.
        Assert.Empty(errors);
        Assert.DoesNotContain(installability, e => e != "in-incognito");
        using var json = JsonDocument.Parse(manifest.GetProperty("data").GetString()!);
        var root = json.RootElement;
        Assert.Equal("/", root.GetProperty("start_url").GetString());
        Assert.Equal("standalone", root.GetProperty("display").GetString());
        Assert.Matches("^#[0-9a-f]{6}$", root.GetProperty("theme_color").GetString());
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var pngs = root.GetProperty("icons").EnumerateArray().Where(i => i.GetProperty("type").GetString() == "image/png").ToList();
        foreach (var icon in pngs)
        {
            var bytes = await http.GetByteArrayAsync(icon.GetProperty("src").GetString());
            var size = $"{BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16))}x{BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))}";
            output.WriteLine($"  {icon.GetProperty("src").GetString()}: PNG {size}, {icon.GetProperty("purpose").GetString()}, {bytes.Length} bytes");
            Assert.Equal(icon.GetProperty("sizes").GetString(), size);
        }

        Assert.Contains(pngs, i => i.GetProperty("sizes").GetString() == "192x192");
        Assert.Contains(pngs, i => i.GetProperty("sizes").GetString() == "512x512");
    }

    private async Task AssertNoSidewaysScrollAsync(IPage page, string name)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        output.WriteLine($"{name}: scrollWidth {width} at a 320 px viewport");
        Assert.True(width <= 320, $"{name} scrolls sideways at 320 px: scrollWidth is {width}.");
    }

    /// <summary>Rolls straight through the HTTP contract with the person's cookies (quicker than clicking 50 times).</summary>
    private static async Task RollManyAsync(Person person, AppServer server, string code, int count)
    {
        var token = await person.Page.Locator("#roll-form input[name=__RequestVerificationToken]").InputValueAsync();
        for (var i = 0; i < count; i++)
        {
            var form = person.Context.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token);
            form.Set("dice", i % 10 == 0 ? "8d6" : "1d20+3");
            form.Set("modifier", "0");
            form.Set("advantage", "none");
            form.Set("hidden", i % 7 == 0 ? "true" : "false");
            var response = await person.Context.APIRequest.PostAsync(server.Url($"/rooms/{code}/rolls"),
                new() { Form = form, Headers = new Dictionary<string, string> { ["HX-Request"] = "true" } });
            Assert.Equal(200, response.Status);
        }
    }

    /// <summary>
    /// The compressed size of the manifest and icon when this load did not fetch them (Chromium fetches the manifest
    /// only when it checks installability), so the budget counts everything the page links to.
    /// </summary>
    private static async Task<List<(string Url, long Bytes)>> UnfetchedExtrasAsync(AppServer server, IReadOnlyCollection<string> fetched)
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = server.BaseAddress };
        var extras = new List<(string, long)>();
        foreach (var path in new[] { "/static/manifest.webmanifest", "/static/img/icon.svg" })
        {
            if (fetched.Any(u => new Uri(u).AbsolutePath == path))
            {
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.ParseAdd("gzip");
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadAsByteArrayAsync();
            var headers = response.Headers.ToString().Length + response.Content.Headers.ToString().Length;
            extras.Add((path, body.Length + headers));
        }

        return extras;
    }

    /// <summary>Network traffic of one page as Chromium's DevTools protocol reports it.</summary>
    private sealed class Traffic
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, (string Url, string Type)> _requests = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _finished = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _streamed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
        private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Traffic(ICDPSession cdp)
        {
            cdp.Event("Network.requestWillBeSent").OnEvent += (_, e) => Update(e, (id, json) =>
                _requests[id] = (json.GetProperty("request").GetProperty("url").GetString()!, json.TryGetProperty("type", out var t) ? t.GetString()! : ""));
            cdp.Event("Network.loadingFinished").OnEvent += (_, e) => Update(e, (id, json) =>
                _finished[id] = (long)json.GetProperty("encodedDataLength").GetDouble());
            cdp.Event("Network.loadingFailed").OnEvent += (_, e) => Update(e, (id, _) => _failed.Add(id));
            cdp.Event("Network.dataReceived").OnEvent += (_, e) => Update(e, (id, json) =>
                _streamed[id] = _streamed.GetValueOrDefault(id) + (long)json.GetProperty("dataLength").GetDouble());
        }

        /// <summary>Completes once every request but the event stream has finished or failed.</summary>
        public Task SettledAsync()
        {
            lock (_lock)
            {
                Check();
                return _settled.Task;
            }
        }

        public (long Finished, int Requests, long Stream) Totals()
        {
            lock (_lock)
            {
                var stream = _requests.Where(r => r.Value.Type == "EventSource" && !_finished.ContainsKey(r.Key)).Sum(r => _streamed.GetValueOrDefault(r.Key));
                return (_finished.Values.Sum(), _finished.Count, stream);
            }
        }

        public IReadOnlyList<(string Url, long Bytes)> PerRequest()
        {
            lock (_lock)
            {
                return _finished.Select(f => (_requests.TryGetValue(f.Key, out var r) ? r.Url : f.Key, f.Value)).ToList();
            }
        }

        public IReadOnlyCollection<string> Urls()
        {
            lock (_lock)
            {
                return _requests.Values.Select(r => r.Url).ToList();
            }
        }

        private void Update(JsonElement? e, Action<string, JsonElement> apply)
        {
            if (e is not { } json)
            {
                return;
            }

            lock (_lock)
            {
                apply(json.GetProperty("requestId").GetString()!, json);
                Check();
            }
        }

        private void Check()
        {
            var pending = _requests.Count(r => r.Value.Type != "EventSource" && !_finished.ContainsKey(r.Key) && !_failed.Contains(r.Key));
            if (_requests.Count > 0 && pending == 0)
            {
                _settled.TrySetResult();
            }
            else if (_settled.Task.IsCompleted)
            {
                _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
