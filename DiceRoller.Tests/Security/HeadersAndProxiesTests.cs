using System.Net;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Security;

/// <summary>Security headers on every answer, no Host reflection, forwarded headers only from trusted proxies.</summary>
public sealed class HeadersAndProxiesTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static readonly string[] Paths = ["/", "/join", "/api/health", "/api/version", "/nowhere", "/static/js/room.js"];

    [Fact]
    public async Task Every_answer_carries_the_security_headers_and_a_strict_policy()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        foreach (var path in Paths.Append($"/rooms/{code}"))
        {
            using var response = await alice.Client.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.NotEmpty(response.Headers.GetValues("Permissions-Policy").Single());
            var policy = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_policy_allows_exactly_the_inlined_stylesheet_and_pages_have_no_inline_script()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        using var response = await alice.Client.GetAsync($"/rooms/{code}");
        var html = await response.Content.ReadAsStringAsync();
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

        var style = document.QuerySelector("head > style")!.TextContent;
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(style)));
        Assert.Contains($"'sha256-{hash}'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.All(document.QuerySelectorAll("script"), s => Assert.True(s.HasAttribute("src"), "inline script: " + s.OuterHtml));
        Assert.Empty(document.QuerySelectorAll("[style]"));
        Assert.DoesNotContain(document.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_version_does_not_name_the_environment()
    {
        using var client = App.CreateClient();
        using var json = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/version"));

        Assert.True(json.RootElement.TryGetProperty("version", out _));
        Assert.False(json.RootElement.TryGetProperty("environment", out _));
    }

    [Fact]
    public async Task A_forged_Host_header_is_not_reflected_in_a_permalink_page()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var rollId = (await alice.RollAsync(code)).GetAttribute("data-roll-id");
        var link = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector($"[data-roll-id='{rollId}'] a[href*='{rollId}']")!.GetAttribute("href")!;

        using var request = new HttpRequestMessage(HttpMethod.Get, link);
        request.Headers.Host = "evil.example";
        using var response = await alice.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(response.Headers.SelectMany(h => h.Value), v => v.Contains("evil.example", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("private", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("Host", response.Headers.Vary);
    }
}

/// <summary>
/// Forwarded headers are believed only from <c>Site:TrustedProxies</c>, even with the framework's
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> (as a compose file or a hosting panel may set it), which on its own
/// believes <c>X-Forwarded-For</c> from any client. A client that reaches the app directly and sends a new address with
/// every request must stay one address: held to the join limit, and still knocking after a kick from its network.
/// </summary>
public sealed class UntrustedForwardingTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ForwardedHeaders_Enabled"] = "true",
        ["Rooms:JoinLimit"] = "3",
    };

    private static void Spoof(Browser browser, int i)
    {
        browser.Client.DefaultRequestHeaders.Remove("X-Forwarded-For");
        browser.Client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
    }

    [Fact]
    public async Task A_rotating_spoofed_X_Forwarded_For_does_not_escape_the_join_limit()
    {
        using var mallory = App.NewBrowser();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            Spoof(mallory, i);
            statuses.Add((await mallory.PostAsync("/join", ("room_code", "ALPHA-0000"), ("player_name", "Mal"))).Status);
        }

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_spoofed_X_Forwarded_For_does_not_escape_a_kick_by_address()
    {
        await using var table = await Table.DmLed("Dee").Players("Mal").BuildAsync(App);
        var (code, dee, mallory) = table;
        var malId = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]")
            .Single(li => li.TextContent.Contains("Mal", StringComparison.Ordinal)).GetAttribute("data-player-id")!;
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", malId))).Status);

        // A fresh browser (no cookies, a new device) from the same machine, claiming another address.
        using var again = App.NewBrowser();
        Spoof(again, 7);
        var rejoin = await again.PostAsync("/join", ("room_code", code), ("player_name", "Mallory"));

        Assert.Equal(HttpStatusCode.Accepted, rejoin.Status); // knocks and waits for the DM, as from the kicked address
    }
}

public sealed class TrustedForwardingTests : AppTest
{
    private AppFactory? _app;

    private AppFactory Proxied => _app ??= new AppFactory(settings: new Dictionary<string, string?>
    {
        ["Rooms:JoinLimit"] = "2",
        ["Site:TrustedProxies:0"] = "10.0.0.0/8", // every test app's own address (AppFactory.ClientAddress) is in 10/8
    });

    [Fact]
    public async Task Behind_a_trusted_proxy_each_real_client_has_its_own_join_budget()
    {
        using var proxy = Proxied.NewBrowser();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            proxy.Client.DefaultRequestHeaders.Remove("X-Forwarded-For");
            proxy.Client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            statuses.Add((await proxy.PostAsync("/join", ("room_code", "ALPHA-0000"), ("player_name", "Mal"))).Status);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);

        proxy.Client.DefaultRequestHeaders.Remove("X-Forwarded-For");
        proxy.Client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.1");
        Assert.Equal(HttpStatusCode.NotFound, (await proxy.PostAsync("/join", ("room_code", "ALPHA-0000"), ("player_name", "Mal"))).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await proxy.PostAsync("/join", ("room_code", "ALPHA-0000"), ("player_name", "Mal"))).Status);
    }

    public override async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
