using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// One person's browser against the in-memory app: keeps cookies, reads antiforgery tokens from the
/// pages it loads, and parses HTML with AngleSharp so tests assert on elements, not substrings.
/// </summary>
public sealed class Browser(HttpClient client, string userAgent, CookieContainer? cookies = null) : IDisposable
{
    private static readonly HtmlParser Parser = new();

    public HttpClient Client { get; } = client;

    /// <summary>The browser's cookie jar (to read or plant a cookie, e.g. the device cookie).</summary>
    public CookieContainer Cookies { get; } = cookies ?? new CookieContainer();

    /// <summary>The browser's <c>dr_device</c> cookie, or null before its first visit.</summary>
    public string? DeviceId
    {
        get => Client.BaseAddress is { } address ? Cookies.GetCookies(address)["dr_device"]?.Value : null;
        set => Cookies.Add(Client.BaseAddress!, new Cookie("dr_device", value, "/"));
    }

    /// <summary>The last antiforgery form token seen on a page.</summary>
    public string? Token { get; private set; }

    public async Task<Page> GetAsync(string url, bool htmx = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        Decorate(request, htmx);
        using var response = await Client.SendAsync(request);
        return await ReadAsync(response);
    }

    public async Task<Page> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, bool htmx = false, bool withToken = true)
    {
        var all = fields.ToList();
        if (withToken)
        {
            if (Token is null)
            {
                await GetAsync("/");
            }

            all.Add(new("__RequestVerificationToken", Token!));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(all) };
        Decorate(request, htmx);
        using var response = await Client.SendAsync(request);
        return await ReadAsync(response);
    }

    public Task<Page> PostAsync(string url, params (string Name, string Value)[] fields) =>
        PostAsync(url, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public Task<Page> HtmxPostAsync(string url, params (string Name, string Value)[] fields) =>
        PostAsync(url, fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)), htmx: true);

    /// <summary>Creates a room and returns its code (the browser is then its creator).</summary>
    public async Task<string> CreateRoomAsync(string name = "Alice", string mode = "open")
    {
        var page = await PostAsync("/rooms", ("player_name", name), ("mode", mode));
        Assert.Equal(HttpStatusCode.SeeOther, page.Status);
        return page.Location!.Split('/')[^1];
    }

    public async Task JoinAsync(string code, string name)
    {
        var page = await PostAsync("/join", ("room_code", code), ("player_name", name));
        Assert.True(page.Status == HttpStatusCode.SeeOther, $"join failed: {(int)page.Status} {page.ErrorText}");
    }

    public async Task<IElement> RollAsync(string code, string dice = "1d20", string modifier = "0", string advantage = "none")
    {
        var page = await HtmxPostAsync($"/rooms/{code}/rolls", ("dice", dice), ("modifier", modifier), ("advantage", advantage));
        Assert.True(page.Status == HttpStatusCode.OK, $"roll failed: {(int)page.Status} {page.ErrorText}");
        return page.Document.QuerySelector("[data-roll-id]")!;
    }

    /// <summary>This browser's own player id in the room, read from the room page (the roster line marked "you").</summary>
    public async Task<string> MyIdAsync(string code) =>
        (await GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]")
            .Single(li => li.QuerySelectorAll(".badge").Any(b => b.TextContent == "you")).GetAttribute("data-player-id")!;

    private void Decorate(HttpRequestMessage request, bool htmx)
    {
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }
    }

    private async Task<Page> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var document = await Parser.ParseDocumentAsync(body);
        var token = document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");
        if (token is not null)
        {
            Token = token;
        }

        return new Page(response.StatusCode, document, body, response.Headers.Location?.ToString(),
            response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.ToList() : [],
            response.Content.Headers.ContentType?.MediaType)
        {
            RetryAfter = response.Headers.RetryAfter?.Delta is { } wait ? (int)wait.TotalSeconds : null,
            CacheControl = response.Headers.CacheControl?.ToString(),
        };
    }

    public void Dispose() => Client.Dispose();
}

public sealed record Page(HttpStatusCode Status, IDocument Document, string Body, string? Location, IReadOnlyList<string> SetCookies, string? ContentType)
{
    public IElement? Error => Document.QuerySelector("[data-error-code]");

    /// <summary>The answer's <c>Retry-After</c> in seconds, or null without one.</summary>
    public int? RetryAfter { get; init; }

    /// <summary>The answer's <c>Cache-Control</c>, or null without one.</summary>
    public string? CacheControl { get; init; }

    public string? ErrorCode => Error?.GetAttribute("data-error-code");

    public string? ErrorText => Error?.TextContent.Trim();

    public IReadOnlyList<IElement> FeedRolls => Document.QuerySelectorAll("#feed [data-roll-id]").ToList();

    /// <summary>The player id of <paramref name="name"/>'s line in the page's roster.</summary>
    public string PlayerIdOf(string name) =>
        Document.QuerySelectorAll("#roster [data-player-id]").Single(li => li.QuerySelector(".font-medium")!.TextContent == name).GetAttribute("data-player-id")!;
}
