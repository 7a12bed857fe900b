using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rooms;

/// <summary>Identity without accounts: leave, continue on another device, the Invite panel and the DM hand-over, on both stores.</summary>
public abstract class MembershipTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private const string PublicBase = "https://dice.example.test";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rooms:MaxPlayers"] = "3",
        ["Site:PublicBaseUrl"] = PublicBase,
    };

    private static async Task<string> ContinueLinkAsync(Browser browser, string code) =>
        (await browser.GetAsync($"/rooms/{code}")).Document.QuerySelector("#continue-panel a[data-continue-link]")!.GetAttribute("href")!;

    private static bool ClearsCookie(Page page, string code) =>
        page.SetCookies.Any(c => c.StartsWith($"dr_{code}=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task Leaving_frees_the_seat_at_once_clears_the_cookie_and_a_new_player_can_take_it()
    {
        await using var table = await Table.Open("Alice").Players("Bob", "Cy").BuildAsync(App);
        var (code, alice, bob, _) = table;
        using var dan = App.NewBrowser("D/1");
        Assert.Equal("ROOM_FULL", (await dan.PostAsync("/join", ("room_code", code), ("player_name", "Dan"))).ErrorCode);
        await bob.GetAsync($"/rooms/{code}");

        var left = await bob.PostAsync($"/rooms/{code}/leave");

        Assert.Equal(HttpStatusCode.SeeOther, left.Status);
        Assert.Equal("/", left.Location);
        Assert.True(ClearsCookie(left, code), string.Join(" | ", left.SetCookies));
        Assert.NotNull((await bob.GetAsync($"/rooms/{code}")).Document.QuerySelector("form[action='/join']"));
        await dan.JoinAsync(code, "Dan");
        var roster = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]");
        Assert.Equal(3, roster.Length);
        Assert.Equal("ROOM_FULL", (await App.NewBrowser("E/1").PostAsync("/join", ("room_code", code), ("player_name", "Eve"))).ErrorCode);
    }

    [Fact]
    public async Task Everyone_sees_that_a_player_left_and_the_leaving_pages_stream_ends_saying_so()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        await using var aliceStream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await aliceStream.NextAsync();
        await bobStream.NextAsync();

        var left = await bob.HtmxPostAsync($"/rooms/{code}/leave");

        Assert.Equal(HttpStatusCode.OK, left.Status);
        var notice = (await bobStream.NextOfTypeAsync("room-left", 1)).Single().Element();
        Assert.Equal("left", notice.GetAttribute("data-reason"));
        await Assert.ThrowsAsync<EndOfStreamException>(() => bobStream.NextAsync());
        IElement roster;
        do
        {
            roster = (await aliceStream.NextOfTypeAsync("player-left", 1)).Single().Element();
        }
        while (roster.GetAttribute("data-reason") != "left");

        Assert.Equal(bobId, roster.GetAttribute("data-changed-player-id"));
        Assert.Equal("Bob left the room.", roster.QuerySelector("[data-roster-note]")!.TextContent.Trim());
        Assert.Null(roster.QuerySelector($"[data-player-id='{bobId}']"));
    }

    [Fact]
    public async Task A_leave_over_htmx_sends_the_page_home()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        await bob.GetAsync($"/rooms/{code}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{code}/leave")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", bob.Token!)]),
        };
        request.Headers.Add("HX-Request", "true");
        request.Headers.UserAgent.ParseAdd("Bob/1.0");

        using var response = await bob.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/", response.Headers.GetValues("HX-Redirect").Single());
    }

    [Fact]
    public async Task Leaving_needs_membership_and_the_form_token_and_changes_nothing_when_refused()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;
        using var stranger = App.NewBrowser("S/1");
        await alice.GetAsync($"/rooms/{code}");

        var notMember = await stranger.HtmxPostAsync($"/rooms/{code}/leave");
        var noToken = await alice.PostAsync($"/rooms/{code}/leave", [], htmx: true, withToken: false);

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_IN_ROOM"), (notMember.Status, notMember.ErrorCode));
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (noToken.Status, noToken.ErrorCode));
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{code}")).Status);
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]"));
    }

    [Fact]
    public async Task The_creator_of_an_open_room_who_leaves_passes_the_host_role_to_the_longest_present_player()
    {
        await using var table = await Table.Open("Alice").Players("Bob", "Cy").BuildAsync(App);
        var (code, alice, bob, cy) = table;
        await alice.GetAsync($"/rooms/{code}");
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await bobStream.NextAsync();

        Assert.Equal(HttpStatusCode.SeeOther, (await alice.PostAsync($"/rooms/{code}/leave")).Status);

        // Bob's page is told to reload, so the host's controls appear without him doing anything.
        await bobStream.NextOfTypeAsync("roles-changed", 1);

        var bobPage = (await bob.GetAsync($"/rooms/{code}")).Document;
        var cyPage = (await cy.GetAsync($"/rooms/{code}")).Document;
        Assert.NotNull(bobPage.QuerySelector($"form[action='/rooms/{code}/close']"));
        Assert.NotNull(bobPage.QuerySelector("#roster form[action$='/promote']"));
        Assert.Null(cyPage.QuerySelector($"form[action='/rooms/{code}/close']"));
        Assert.Equal("host", cyPage.QuerySelector($"#roster [data-player-id='{await bob.MyIdAsync(code)}'] .badge")!.TextContent);
    }

    [Fact]
    public async Task The_dm_hands_over_before_leaving_and_the_last_player_leaving_closes_the_room()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        Assert.NotNull((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#leave-hint"));

        var refused = await dee.HtmxPostAsync($"/rooms/{code}/leave");
        Assert.Equal((HttpStatusCode.Conflict, "DM_MUST_HAND_OVER"), (refused.Status, refused.ErrorCode));
        Assert.Equal(2, (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]").Length);

        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/dm", ("player_id", bobId))).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await dee.PostAsync($"/rooms/{code}/leave")).Status);

        var bobPage = (await bob.GetAsync($"/rooms/{code}")).Document;
        Assert.NotNull(bobPage.QuerySelector("#dc-panel form"));
        Assert.NotNull(bobPage.QuerySelector($"form[action='/rooms/{code}/close']"));
        Assert.Equal(HttpStatusCode.SeeOther, (await bob.PostAsync($"/rooms/{code}/leave")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task The_dm_hands_the_dm_role_to_a_player_and_every_page_is_told()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob", "Cy").BuildAsync(App);
        var (code, dee, bob, cy) = table;
        var bobId = await bob.MyIdAsync(code);
        var deePage = (await dee.GetAsync($"/rooms/{code}")).Document;
        Assert.NotNull(deePage.QuerySelector($"#roster form[action='/rooms/{code}/dm'][hx-confirm] input[value='{bobId}']"));
        Assert.Null((await cy.GetAsync($"/rooms/{code}")).Document.QuerySelector($"form[action='/rooms/{code}/dm']"));
        await using var cyStream = await SseReader.OpenAsync(cy.Client, $"/rooms/{code}/events?after=0");
        await cyStream.NextAsync();

        var handed = await dee.HtmxPostAsync($"/rooms/{code}/dm", ("player_id", bobId));

        Assert.Equal(HttpStatusCode.OK, handed.Status);
        Assert.Equal("Bob is now the DM.", handed.Document.QuerySelector("[data-action-status]")!.TextContent.Trim());
        var marker = (await cyStream.NextOfTypeAsync("mode-changed", 1)).Single().Element();
        Assert.True(marker.HasAttribute("data-hand-over"));
        Assert.Contains("The DM role passed to Bob", marker.TextContent, StringComparison.Ordinal);
        Assert.NotNull((await bob.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-panel form"));
        Assert.Null((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-panel form"));
        var feedMarker = (await cy.GetAsync($"/rooms/{code}")).Document.QuerySelector("#feed [data-hand-over]");
        Assert.NotNull(feedMarker);
        var deeHidden = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        Assert.Equal("HIDDEN_NOT_ALLOWED", deeHidden.ErrorCode);
    }

    [Theory]
    [InlineData("player", "bob", HttpStatusCode.Forbidden, "NOT_DM")]
    [InlineData("dm", "nobody", HttpStatusCode.NotFound, "PLAYER_NOT_FOUND")]
    [InlineData("dm", "dee", HttpStatusCode.Conflict, "ALREADY_DM")]
    public async Task A_refused_hand_over_says_why_and_changes_nothing(string actor, string target, HttpStatusCode status, string errorCode)
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var ids = new Dictionary<string, string> { ["dee"] = await dee.MyIdAsync(code), ["bob"] = await bob.MyIdAsync(code), ["nobody"] = Guid.NewGuid().ToString() };

        var refused = await (actor == "dm" ? dee : bob).HtmxPostAsync($"/rooms/{code}/dm", ("player_id", ids[target]));

        Assert.Equal((status, errorCode), (refused.Status, refused.ErrorCode));
        Assert.NotNull((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-panel form"));
        Assert.Null((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#feed [data-hand-over]"));
    }

    [Fact]
    public async Task An_open_room_has_no_dm_to_hand_over_and_a_plain_post_without_token_is_refused()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);

        var open = await alice.PostAsync($"/rooms/{code}/dm", ("player_id", bobId));
        var noToken = await alice.PostAsync($"/rooms/{code}/dm", [new("player_id", bobId)], withToken: false);

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (open.Status, open.ErrorCode));
        Assert.NotNull(open.Document.QuerySelector("#roster"));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.Status);
        Assert.Equal("open", (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-room-mode]")!.GetAttribute("data-room-mode"));
    }

    [Fact]
    public async Task The_invite_panel_has_the_absolute_join_link_a_copy_button_and_an_svg_qr_code_of_it()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;

        var panel = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#invite-panel")!;

        var joinUrl = $"{PublicBase}/rooms/{code}";
        Assert.Equal(joinUrl, panel.QuerySelector("a[data-join-link]")!.GetAttribute("href"));
        Assert.Equal(joinUrl, panel.QuerySelector("a[data-join-link]")!.TextContent.Trim());
        Assert.Equal(joinUrl, panel.QuerySelector("button.copy-link")!.GetAttribute("data-copy"));
        Assert.Equal(joinUrl, panel.QuerySelector("button[data-share]")!.GetAttribute("data-share"));
        var qr = panel.QuerySelector("svg.qr[role=img]")!;
        Assert.Equal(joinUrl, qr.GetAttribute("data-qr"));
        Assert.Contains(code, qr.GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.NotNull(qr.GetAttribute("viewBox") ?? qr.GetAttribute("viewbox"));
        Assert.NotEmpty(qr.QuerySelectorAll("path[fill]"));
        Assert.Empty(panel.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task Each_player_sees_only_their_own_continue_link()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;

        var bobLink = await ContinueLinkAsync(bob, code);
        var alicePage = await alice.GetAsync($"/rooms/{code}");

        Assert.StartsWith($"{PublicBase}/rooms/{code}/continue/", bobLink, StringComparison.Ordinal);
        Assert.Equal(bobLink, await ContinueLinkAsync(bob, code));
        var aliceLink = alicePage.Document.QuerySelector("#continue-panel a[data-continue-link]")!.GetAttribute("href");
        Assert.NotEqual(bobLink, aliceLink);
        Assert.DoesNotContain(bobLink.Split('/')[^1], alicePage.Body, StringComparison.Ordinal);
        Assert.Equal(bobLink, (await bob.GetAsync($"/rooms/{code}")).Document.QuerySelector("#continue-panel svg.qr")!.GetAttribute("data-qr"));
    }

    [Fact]
    public async Task A_continue_link_shows_a_confirm_page_and_only_its_post_signs_the_device_in_as_the_same_player()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        using var bobsPhone = App.NewBrowser("Phone/1");
        var bobId = await bob.MyIdAsync(code);
        var path = new Uri(await ContinueLinkAsync(bob, code)).AbsolutePath;

        var confirm = await bobsPhone.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, confirm.Status);
        Assert.Equal("Continue as Bob?", confirm.Document.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal(path, confirm.Document.QuerySelector("[data-continue-confirm] form[method=post]")!.GetAttribute("action"));
        Assert.DoesNotContain(confirm.SetCookies, c => c.StartsWith($"dr_{code}=", StringComparison.Ordinal));
        Assert.NotNull((await bobsPhone.GetAsync($"/rooms/{code}")).Document.QuerySelector("form[action='/join']"));

        var signedIn = await bobsPhone.PostAsync(path);

        Assert.Equal(HttpStatusCode.SeeOther, signedIn.Status);
        Assert.Equal($"/rooms/{code}", signedIn.Location);
        Assert.Equal(bobId, await bobsPhone.MyIdAsync(code));
        Assert.Equal(bobId, await bob.MyIdAsync(code));
        Assert.Equal(2, (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]").Length);
        var roll = await bobsPhone.RollAsync(code);
        Assert.Contains("Bob", roll.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renewing_the_continue_link_invalidates_the_old_one()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        using var other = App.NewBrowser("O/1");
        var old = new Uri(await ContinueLinkAsync(bob, code)).AbsolutePath;

        var renewed = await bob.HtmxPostAsync($"/rooms/{code}/continue");

        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        var fresh = renewed.Document.QuerySelector("#continue-panel a[data-continue-link]")!.GetAttribute("href")!;
        Assert.NotEqual(old, new Uri(fresh).AbsolutePath);
        Assert.True(renewed.Document.QuerySelector("#continue-panel")!.HasAttribute("open"));
        Assert.Equal(fresh, await ContinueLinkAsync(bob, code));
        var oldGet = await other.GetAsync(old);
        Assert.Equal((HttpStatusCode.NotFound, "INVALID_TOKEN"), (oldGet.Status, oldGet.ErrorCode));
        var oldPost = await other.PostAsync(old);
        Assert.Equal((HttpStatusCode.NotFound, "INVALID_TOKEN"), (oldPost.Status, oldPost.ErrorCode));
        Assert.DoesNotContain(oldPost.SetCookies, c => c.StartsWith($"dr_{code}=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.SeeOther, (await other.PostAsync(new Uri(fresh).AbsolutePath)).Status);
        var plain = await bob.PostAsync($"/rooms/{code}/continue");
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}#continue-panel"), (plain.Status, plain.Location));
    }

    [Theory]
    [InlineData("kicked")]
    [InlineData("left")]
    [InlineData("garbage")]
    public async Task A_continue_link_of_a_player_who_is_gone_or_a_made_up_one_does_not_work(string how)
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        using var other = App.NewBrowser("O/1");
        var path = new Uri(await ContinueLinkAsync(bob, code)).AbsolutePath;
        switch (how)
        {
            case "kicked":
                await alice.GetAsync($"/rooms/{code}");
                Assert.Equal(HttpStatusCode.OK, (await alice.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", await bob.MyIdAsync(code)))).Status);
                break;
            case "left":
                Assert.Equal(HttpStatusCode.SeeOther, (await bob.PostAsync($"/rooms/{code}/leave")).Status);
                break;
            default:
                path = $"/rooms/{code}/continue/{new string('A', 43)}";
                break;
        }

        var get = await other.GetAsync(path);
        var post = await other.PostAsync(path);

        Assert.Equal((HttpStatusCode.NotFound, "INVALID_TOKEN"), (get.Status, get.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "INVALID_TOKEN"), (post.Status, post.ErrorCode));
        Assert.Equal("no-referrer", (await other.Client.GetAsync(path)).Headers.GetValues("Referrer-Policy").Single());
        Assert.NotNull((await other.GetAsync($"/rooms/{code}")).Document.QuerySelector("form[action='/join']"));
    }
}

public sealed class MembershipEmbeddedTests(SharedApp shared) : MembershipTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class MembershipValkeyTests(ValkeyServer valkey, SharedApp shared) : MembershipTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
