using System.Net;
using System.Net.Http.Headers;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>What travels over a slow network: compressed text, never a compressed event stream, year-long caching of fingerprinted files.</summary>
public sealed class WebPipelineTests(ITestOutputHelper output, SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Pages_styles_scripts_icons_and_the_manifest_go_out_compressed(string encoding)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var room = await alice.GetAsync($"/rooms/{code}");
        var scripts = room.Document.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).ToList();
        string[] paths = [$"/rooms/{code}", "/", .. scripts, "/static/css/app.css", "/static/img/icon.svg", "/static/manifest.webmanifest"];

        foreach (var path in paths)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            using var response = await alice.Client.SendAsync(request);
            var compressed = (await response.Content.ReadAsByteArrayAsync()).Length;
            output.WriteLine($"{encoding,-4} {path,-50} {response.Content.Headers.ContentType?.MediaType,-26} {compressed,6} bytes");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
            if (path.StartsWith("/static/js/htmx.min.js", StringComparison.Ordinal))
            {
                Assert.InRange(compressed, 1, 18_000); // compressed well (Optimal), not at the default Fastest level (24 KB)
            }
        }
    }

    [Fact]
    public async Task The_event_stream_is_never_compressed()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{code}/events");
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");

        using var response = await alice.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.All(response.Content.Headers.ContentEncoding, e => Assert.Equal("identity", e)); // ASP.NET's SSE result says so explicitly
    }

    [Fact]
    public async Task The_room_page_inlines_its_stylesheet_defers_its_scripts_and_caches_them_for_a_year()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var room = await alice.GetAsync($"/rooms/{code}");

        Assert.Empty(room.Document.QuerySelectorAll("link[rel=stylesheet]"));
        Assert.Contains(".btn", room.Document.QuerySelector("head > style")!.TextContent, StringComparison.Ordinal);
        var scripts = room.Document.QuerySelectorAll("script[src]").ToList();
        Assert.Equal(3, scripts.Count);
        foreach (var script in scripts)
        {
            Assert.True(script.HasAttribute("defer"), $"{script.GetAttribute("src")} should be deferred.");
            Assert.Matches(@"^/static/js/[a-z.]+\.js\?v=[0-9a-f]{12}$", script.GetAttribute("src"));
            using var response = await alice.Client.GetAsync(script.GetAttribute("src"));
            Assert.Equal("public, max-age=31536000, immutable", response.Headers.CacheControl?.ToString());
        }
    }
}
