using System.IO.Compression;
using System.Net;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Sharing;

/// <summary>
/// The DM's Share panel over HTTP: <c>POST /rooms/{code}/discord</c> checks, stores, masks and removes the webhook (DM only);
/// <c>GET /rooms/{code}/overlay/{token}</c> is the overlay, <c>POST .../overlay/renew</c> ends the old token.
/// </summary>
public sealed class SharingEndpointsTests(ITestOutputHelper output, SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private const string Hook = "https://discord.com/api/webhooks/123456789012345678/SeCrEt-ToKeN_abcdefghijklmnop";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Site:PublicBaseUrl"] = "https://dice.example.test",
        ["Live:HeartbeatInterval"] = "00:00:00.300",
    };

    [Fact]
    public async Task The_dm_saves_a_webhook_and_the_page_shows_it_masked_never_in_full()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;

        var saved = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", Hook));
        var page = await dee.GetAsync($"/rooms/{code}");
        var bobPage = await bob.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.SeeOther, saved.Status);
        Assert.Equal("https://discord.com/api/webhooks/1234…/•••", page.Document.QuerySelector("[data-sharing-panel] [data-webhook]")?.GetAttribute("data-webhook"));
        Assert.DoesNotContain("SeCrEt-ToKeN", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("123456789012345678", page.Body, StringComparison.Ordinal);
        Assert.Null(bobPage.Document.QuerySelector("[data-sharing-panel]"));
        Assert.Null(bobPage.Document.QuerySelector("[data-overlay-url]"));
    }

    [Fact]
    public async Task With_htmx_the_answer_is_the_panel_again_with_the_status_and_the_mask()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;
        await dee.GetAsync($"/rooms/{code}");

        var answer = await dee.HtmxPostAsync($"/rooms/{code}/discord", ("webhook_url", Hook));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.NotNull(answer.Document.QuerySelector("#sharing-panel [data-action-status]"));
        Assert.Equal("https://discord.com/api/webhooks/1234…/•••", answer.Document.QuerySelector("[data-webhook]")?.GetAttribute("data-webhook"));
        Assert.DoesNotContain("SeCrEt-ToKeN", answer.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://discord.com/api/webhooks/1/abc")]
    [InlineData("https://discord.com.evil.com/api/webhooks/1/abc")]
    [InlineData("https://evil.com/api/webhooks/1/abc")]
    [InlineData("https://discord.com@evil.com/api/webhooks/1/abc")]
    [InlineData("https://evil.com\\@discord.com/api/webhooks/1/abc")]
    [InlineData("https://discord.com:8443/api/webhooks/1/abc")]
    public async Task A_url_that_is_not_discords_gets_invalid_webhook_and_changes_nothing(string bad)
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;
        await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", Hook));

        var plain = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", bad));
        var htmx = await dee.HtmxPostAsync($"/rooms/{code}/discord", ("webhook_url", bad));
        var page = await dee.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, plain.Status);
        Assert.Equal("INVALID_WEBHOOK", plain.ErrorCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, htmx.Status);
        Assert.Equal("INVALID_WEBHOOK", htmx.ErrorCode);
        Assert.Equal("https://discord.com/api/webhooks/1234…/•••", page.Document.QuerySelector("[data-webhook]")?.GetAttribute("data-webhook"));
    }

    [Fact]
    public async Task An_overlong_url_gets_invalid_webhook()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;

        var answer = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", "https://discord.com/api/webhooks/1/" + new string('x', 600)));

        Assert.Equal("INVALID_WEBHOOK", answer.ErrorCode);
        Assert.Contains("too long", answer.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_dm_may_set_the_webhook_or_renew_the_overlay()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", Hook));

        var hook = await bob.PostAsync($"/rooms/{code}/discord", ("webhook_url", ""));
        var renew = await bob.HtmxPostAsync($"/rooms/{code}/overlay/renew");
        await using var open = await Table.Open("Alice").BuildAsync(App);
        var openRoom = await open.Host.PostAsync($"/rooms/{open.Code}/discord", ("webhook_url", Hook));

        Assert.Equal(HttpStatusCode.Forbidden, hook.Status);
        Assert.Equal("NOT_DM", hook.ErrorCode);
        Assert.Equal("NOT_DM", renew.ErrorCode);
        Assert.Equal("NOT_DM", openRoom.ErrorCode);
        Assert.NotNull((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-discord-remove]"));
    }

    [Fact]
    public async Task An_empty_url_removes_the_webhook()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;
        await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", Hook));

        var removed = await dee.PostAsync($"/rooms/{code}/discord", ("webhook_url", ""));
        var page = await dee.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.SeeOther, removed.Status);
        Assert.Equal("", page.Document.QuerySelector("[data-webhook]")?.GetAttribute("data-webhook"));
        Assert.Null(page.Document.QuerySelector("[data-discord-remove]"));
    }

    [Fact]
    public async Task A_stranger_or_a_missing_room_gets_the_member_refusals()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        using var stranger = App.NewBrowser();

        var notMember = await stranger.PostAsync($"/rooms/{table.Code}/discord", ("webhook_url", Hook));
        var missing = await stranger.PostAsync("/rooms/NOPE-0000/discord", ("webhook_url", Hook));

        Assert.Equal(HttpStatusCode.Forbidden, notMember.Status);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    [Fact]
    public async Task The_dm_panel_shows_the_overlay_url_which_opens_the_overlay_and_a_wrong_token_is_a_404_like_an_unknown_room()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;
        var url = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-overlay-url]")!.GetAttribute("data-overlay-url")!;
        var path = new Uri(url).AbsolutePath;
        var token = path.Split('/')[^1];
        using var viewer = App.NewBrowser();

        var overlay = await viewer.GetAsync(path);
        var wrong = await viewer.GetAsync($"/rooms/{code}/overlay/{token[..^1]}{(token[^1] == 'A' ? 'B' : 'A')}");
        var unknown = await viewer.GetAsync($"/rooms/NOPE-0000/overlay/{token}");

        Assert.StartsWith($"https://dice.example.test/rooms/{code}/overlay/", url, StringComparison.Ordinal);
        Assert.True(token.Length >= 22, $"token {token} is shorter than 128 bits in base64url");
        Assert.Equal(HttpStatusCode.OK, overlay.Status);
        Assert.NotNull(overlay.Document.QuerySelector("[data-overlay]"));
        Assert.Empty(overlay.Document.QuerySelectorAll("form, button, input"));
        Assert.Equal(HttpStatusCode.NotFound, wrong.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(unknown.ErrorCode, wrong.ErrorCode);
        Assert.Equal((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-overlay-url]")!.GetAttribute("data-overlay-url"), url);
    }

    [Theory]
    [InlineData("?theme=light&size=l", "theme-light size-l")]
    [InlineData("?theme=dark&size=s", "theme-dark size-s")]
    [InlineData("", "theme-dark size-m")]
    [InlineData("?theme=neon&size=xxl", "theme-dark size-m")]
    public async Task The_overlay_takes_a_theme_and_a_size_and_unknown_values_get_the_default(string query, string classes)
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var path = await OverlayPathAsync(table.Host, table.Code);

        var overlay = await table.Host.GetAsync(path + query);

        Assert.Equal(HttpStatusCode.OK, overlay.Status);
        Assert.Equal(classes, overlay.Document.DocumentElement.GetAttribute("class"));
    }

    [Fact]
    public async Task The_overlay_shows_public_rolls_and_a_hidden_roll_only_once_revealed()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var path = await OverlayPathAsync(dee, code);
        var bobRoll = (await bob.RollAsync(code, "1d20", "2")).GetAttribute("data-roll-id");
        var hidden = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("modifier", "0"), ("advantage", "none"), ("hidden", "true"));
        var hiddenId = hidden.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        using var viewer = App.NewBrowser();

        var before = await viewer.GetAsync(path);
        await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hiddenId}/reveal");
        var after = await viewer.GetAsync(path);

        Assert.Equal([bobRoll], before.Document.QuerySelectorAll("[data-roll-id]").Select(e => e.GetAttribute("data-roll-id")));
        Assert.Equal([hiddenId, bobRoll], after.Document.QuerySelectorAll("[data-roll-id]").Select(e => e.GetAttribute("data-roll-id")));
    }

    [Fact]
    public async Task The_overlay_stream_sends_public_rolls_skips_hidden_ones_and_sends_the_reveal()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var path = await OverlayPathAsync(dee, code);
        using var viewer = App.NewBrowser();
        await using var stream = await SseReader.OpenAsync(viewer.Client, path + "/events?after=0");
        Assert.Equal("connected", (await stream.NextAsync()).Type);

        var hidden = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("modifier", "0"), ("advantage", "none"), ("hidden", "true"));
        var hiddenId = hidden.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        var bobRoll = (await bob.RollAsync(code)).GetAttribute("data-roll-id");
        var first = await stream.NextAsync(null, "heartbeat");
        await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hiddenId}/reveal");
        var second = await stream.NextAsync(null, "heartbeat");

        Assert.Equal(("roll", bobRoll), (first.Type, first.Element().GetAttribute("data-roll-id")));
        Assert.Equal(("roll-revealed", hiddenId), (second.Type, second.Element().GetAttribute("data-roll-id")));
    }

    [Fact]
    public async Task Renewing_the_overlay_ends_the_old_url_and_its_open_stream()
    {
        await using var table = await Table.DmLed("Dee").BuildAsync(App);
        var (code, dee) = table;
        var old = await OverlayPathAsync(dee, code);
        using var viewer = App.NewBrowser();
        await using var stream = await SseReader.OpenAsync(viewer.Client, old + "/events?after=0");
        Assert.Equal("connected", (await stream.NextAsync()).Type);

        var renewed = await dee.HtmxPostAsync($"/rooms/{code}/overlay/renew");
        var ended = await stream.NextAsync(null, "heartbeat");
        var fresh = renewed.Document.QuerySelector("[data-overlay-url]")!.GetAttribute("data-overlay-url")!;

        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal("overlay-ended", ended.Type);
        Assert.NotEqual(old, new Uri(fresh).AbsolutePath);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync(old)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.Client.GetAsync(old + "/events")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(new Uri(fresh).AbsolutePath)).Status);
    }

    [Fact]
    public async Task The_overlay_page_with_its_css_and_script_weighs_a_few_kilobytes_gzipped()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, _, bob) = table;
        foreach (var dice in new[] { "1d20+5", "2d20kh1", "8d6", "1d100", "4d6kh3" })
        {
            await bob.RollAsync(code, dice.Split('+')[0], dice.Contains('+', StringComparison.Ordinal) ? "5" : "0");
        }

        var path = await OverlayPathAsync(table.Host, code);
        var page = await bob.GetAsync(path);
        var assets = page.Document.QuerySelectorAll("link[rel=stylesheet][href], script[src]")
            .Select(e => e.GetAttribute("href") ?? e.GetAttribute("src")!).ToList();
        var parts = new List<(string Name, int Raw, int Gzip)> { ("html", Bytes(page.Body).Length, Gzip(Bytes(page.Body))) };
        foreach (var asset in assets)
        {
            var bytes = await bob.Client.GetByteArrayAsync(asset);
            parts.Add((asset.Split('?')[0], bytes.Length, Gzip(bytes)));
        }

        output.WriteLine(string.Join("; ", parts.Select(p => $"{p.Name} {p.Raw} B ({p.Gzip} B gzip)")) +
            $"; total {parts.Sum(p => p.Raw)} B, {parts.Sum(p => p.Gzip)} B gzip");
        Assert.Equal(2, assets.Count); // its own stylesheet and script, nothing else (no htmx, no app.css)
        Assert.True(parts.Sum(p => p.Gzip) < 8 * 1024, $"the overlay weighs {parts.Sum(p => p.Gzip)} B gzipped");
    }

    private static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static int Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            zip.Write(bytes);
        }

        return (int)buffer.Length;
    }

    private static async Task<string> OverlayPathAsync(Browser dm, string code) =>
        new Uri((await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-overlay-url]")!.GetAttribute("data-overlay-url")!).AbsolutePath;
}
