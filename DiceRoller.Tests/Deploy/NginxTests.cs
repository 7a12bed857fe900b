using System.Diagnostics;
using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Deploy;

/// <summary>The production nginx config, run by Debian's nginx in front of the real app (see <see cref="NginxFixture"/>).</summary>
[Trait(Tiers.Trait, Tiers.Deploy)]
[Trait("Category", "Deploy")]
public sealed class NginxTests(NginxFixture nginx, ITestOutputHelper output) : IClassFixture<NginxFixture>
{
    [Fact]
    public async Task Nginx_accepts_the_configuration()
    {
        output.WriteLine(nginx.NginxTestOutput);
        Assert.Contains("syntax is ok", nginx.NginxTestOutput, StringComparison.Ordinal);
        Assert.Contains("test is successful", nginx.NginxTestOutput, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Plain_http_redirects_to_the_same_address_over_https()
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{nginx.HttpPort}/rooms/ALPHA-1234?after=3"));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://{NginxFixture.Host}/rooms/ALPHA-1234?after=3", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Https_speaks_http2_adds_hsts_and_passes_the_apps_own_security_headers_through_unchanged()
    {
        using var client = nginx.NewClient(HttpVersion.Version20);
        using var proxied = await client.GetAsync(new Uri("/", UriKind.Relative));
        using var direct = new HttpClient();
        using var fromApp = await direct.GetAsync(nginx.App.Url("/"));

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal(HttpVersion.Version20, proxied.Version);
        Assert.Equal("max-age=63072000; includeSubDomains", Assert.Single(proxied.Headers.GetValues("Strict-Transport-Security")));

        // nginx adds no policy of its own: whatever the app sends (CSP, nosniff, referrer, permissions) arrives once, as sent.
        foreach (var header in new[] { "Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy", "X-Frame-Options" })
        {
            Assert.Equal(Values(fromApp, header), Values(proxied, header));
        }

        Assert.False(proxied.Headers.Contains("Server") && proxied.Headers.Server.ToString().Contains('/', StringComparison.Ordinal),
            $"nginx should not announce its version: Server: {proxied.Headers.Server}");
    }

    [Fact]
    public async Task A_rooms_event_stream_delivers_a_roll_through_nginx_within_a_second_uncompressed()
    {
        using var client = nginx.NewClient(HttpVersion.Version20, decompress: false);
        using var browser = new Browser(client, "NginxTest/1.0");
        var code = await browser.CreateRoomAsync("Alma");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{code}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.All(response.Content.Headers.ContentEncoding, encoding => Assert.Equal("identity", encoding));

        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        await ReadUntilEventAsync(reader, "connected", TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var roll = browser.RollAsync(code, "1d20");
        var data = await ReadUntilEventAsync(reader, RoomEvent.RollType, TimeSpan.FromSeconds(10));
        var elapsed = clock.Elapsed;
        var rolled = await roll;

        output.WriteLine($"roll {rolled.GetAttribute("data-roll-id")} reached the stream through nginx {elapsed.TotalMilliseconds:0} ms after the request was sent");
        Assert.Contains(rolled.GetAttribute("data-roll-id")!, data, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"the roll took {elapsed.TotalMilliseconds:0} ms to arrive through nginx");
    }

    [Fact]
    public async Task Static_files_are_served_by_nginx_from_disk_with_long_cache_lifetimes_and_gzip()
    {
        using var client = nginx.NewClient(HttpVersion.Version20, decompress: false);

        using var probe = await client.GetAsync(new Uri("/" + NginxFixture.NginxOnlyFile, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("served by nginx\n", await probe.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/static/js/htmx.min.js?v=0123abcd");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var fingerprinted = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, fingerprinted.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", fingerprinted.Headers.CacheControl?.ToString());
        Assert.Equal("gzip", Assert.Single(fingerprinted.Content.Headers.ContentEncoding));
        Assert.Equal("nosniff", Assert.Single(fingerprinted.Headers.GetValues("X-Content-Type-Options")));
        Assert.Single(fingerprinted.Headers.GetValues("Strict-Transport-Security"));

        using var plain = await client.GetAsync(new Uri("/static/js/htmx.min.js", UriKind.Relative));
        Assert.Equal("public, max-age=300", plain.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Permalinks_are_rate_limited_only_past_a_burst_no_player_reaches()
    {
        using var client = nginx.NewClient(HttpVersion.Version20);
        using var browser = new Browser(client, "NginxTest/1.0");
        var code = await browser.CreateRoomAsync("Bram");
        var rollId = (await browser.RollAsync(code, "1d6")).GetAttribute("data-roll-id")!;

        // A player opening 30 shared rolls at once (pages and JSON) is never refused ...
        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(new Uri(i % 2 == 0 ? $"/roll/{rollId}" : $"/api/permalink/{rollId}", UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i + 1} answered {(int)response.StatusCode}");
        }

        // ... a scraper walking ids is, within a few more, with 429.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync(new Uri($"/roll/{rollId}", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        output.WriteLine("after the burst: " + string.Join(", ", statuses.Select(s => (int)s)));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // Other pages are not limited.
        using var home = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_hidden_from_the_public_and_served_on_the_operators_port()
    {
        using var client = nginx.NewClient(HttpVersion.Version20);
        foreach (var path in new[] { "/metrics", "/METRICS", "/metrics/" })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode} to the public");
        }

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{nginx.MetricsPort}/metrics"));
        Assert.Contains("# TYPE diceroller_streams_open gauge", text, StringComparison.Ordinal);
    }

    private static string[] Values(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values) ? [.. values]
        : response.Content.Headers.TryGetValues(header, out var content) ? [.. content] : [];

    /// <summary>Reads SSE lines until an event named <paramref name="type"/> is complete; returns its data.</summary>
    private static async Task<string> ReadUntilEventAsync(StreamReader reader, string type, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? current = null;
        var data = new System.Text.StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException($"the stream ended before a {type} event");
            if (line.Length == 0)
            {
                if (current == type)
                {
                    return data.ToString();
                }

                current = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                current = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.AppendLine(line["data:".Length..].TrimStart());
            }
        }
    }
}
