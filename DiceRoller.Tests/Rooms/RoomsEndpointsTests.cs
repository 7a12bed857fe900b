using System.Net;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rooms;

public sealed class RoomsEndpointsTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    [Fact]
    public async Task Home_page_has_a_create_form_and_a_join_form_with_antiforgery_tokens()
    {
        using var browser = App.NewBrowser();
        var page = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var create = page.Document.QuerySelector("form[action='/rooms'][method=post]")!;
        Assert.NotNull(create.QuerySelector("input[name=player_name]"));
        Assert.Equal(["open", "dm-led"], create.QuerySelectorAll("input[name=mode]").Select(i => i.GetAttribute("value")));
        Assert.NotNull(create.QuerySelector("input[name=__RequestVerificationToken]"));
        var join = page.Document.QuerySelector("form[action='/join'][method=post]")!;
        Assert.NotNull(join.QuerySelector("input[name=room_code]"));
        Assert.NotNull(join.QuerySelector("input[name=player_name]"));
        Assert.NotNull(join.QuerySelector("input[name=__RequestVerificationToken]"));
        Assert.All(page.Document.QuerySelectorAll("input:not([type=hidden]):not([type=radio])"),
            input => Assert.NotNull(page.Document.QuerySelector($"label[for='{input.Id}']")));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("dm-led")]
    public async Task Creating_a_room_redirects_to_it_with_an_httponly_samesite_cookie(string mode)
    {
        using var browser = App.NewBrowser();
        var page = await browser.PostAsync("/rooms", ("player_name", "  Alice  "), ("mode", mode));

        Assert.Equal(HttpStatusCode.SeeOther, page.Status);
        Assert.Matches("^/rooms/[A-Z]{3,10}-[0-9]{4}$", page.Location);
        var code = page.Location!.Split('/')[^1];
        var cookie = Assert.Single(page.SetCookies, c => c.StartsWith($"dr_{code}=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var room = await browser.GetAsync(page.Location);
        Assert.Equal(HttpStatusCode.OK, room.Status);
        Assert.Equal(code, room.Document.QuerySelector("[data-room-code]")!.TextContent);
        var me = Assert.Single(room.Document.QuerySelectorAll("#roster [data-player-id]"));
        Assert.Contains("Alice", me.TextContent, StringComparison.Ordinal);
        Assert.Equal(mode == "dm-led", room.Document.QuerySelector("#roll-form input[name=hidden]") is not null);
    }

    [Fact]
    public async Task Joining_by_code_adds_the_player_and_both_see_the_roster()
    {
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var joined = await bob.PostAsync("/join", ("room_code", code.ToLowerInvariant()), ("player_name", "Bob"));

        Assert.Equal(HttpStatusCode.SeeOther, joined.Status);
        Assert.Equal($"/rooms/{code}", joined.Location);
        var page = await alice.GetAsync($"/rooms/{code}");
        Assert.Equal(["Alice", "Bob"], page.Document.QuerySelectorAll("#roster [data-player-id] .font-medium").Select(e => e.TextContent));
    }

    [Fact]
    public async Task A_non_member_gets_a_join_form_for_the_room_and_none_of_its_data()
    {
        using var alice = App.NewBrowser();
        using var stranger = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);

        var page = await stranger.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(code, page.Document.QuerySelector("form[action='/join'] input[name=room_code]")!.GetAttribute("value"));
        Assert.Empty(page.Document.QuerySelectorAll("[data-roll-id], [data-player-id], #feed, #roster"));
        Assert.DoesNotContain("Alice", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_cookie_with_a_real_player_id_is_not_a_member()
    {
        using var alice = App.NewBrowser();
        using var mallory = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var aliceId = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roster [data-player-id]")!.GetAttribute("data-player-id");
        mallory.Client.DefaultRequestHeaders.Add("Cookie", $"dr_{code}={aliceId}.0000000000000000000000000000000000000000000000000000000000000000");

        var page = await mallory.GetAsync($"/rooms/{code}");

        Assert.Empty(page.Document.QuerySelectorAll("#feed"));
        Assert.NotNull(page.Document.QuerySelector("form[action='/join']"));
    }

    [Theory]
    [InlineData("", "open", "INVALID_NAME")]
    [InlineData("<b>x</b>", "open", "INVALID_NAME")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "open", "INVALID_NAME")]
    [InlineData("Alice", "chaos", "INVALID_MODE")]
    [InlineData("Alice", "", "INVALID_MODE")]
    public async Task Bad_create_input_gets_422_the_page_again_with_the_message_and_creates_nothing(string name, string mode, string code)
    {
        using var browser = App.NewBrowser();
        var page = await browser.PostAsync("/rooms", ("player_name", name), ("mode", mode));

        Assert.Equal((HttpStatusCode)422, page.Status);
        Assert.Equal(code, page.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(page.ErrorText));
        Assert.NotNull(page.Document.QuerySelector("form[action='/rooms']"));
        Assert.DoesNotContain(page.SetCookies, c => c.StartsWith("dr_", StringComparison.Ordinal) && !c.StartsWith("dr_af", StringComparison.Ordinal));
        Assert.Equal(name, page.Document.QuerySelector("#create-name")!.GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task Joining_an_unknown_room_is_ROOM_NOT_FOUND_404()
    {
        using var browser = App.NewBrowser();
        var page = await browser.PostAsync("/join", ("room_code", "NOPE-0000"), ("player_name", "Bob"));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal("ROOM_NOT_FOUND", page.ErrorCode);
        Assert.NotNull(page.Document.QuerySelector("form[action='/join']"));
    }

    [Theory]
    [InlineData("ALPHA1234")]
    [InlineData("")]
    [InlineData("'; DROP TABLE rooms;--")]
    public async Task A_malformed_room_code_is_INVALID_ROOM_CODE_422(string code)
    {
        using var browser = App.NewBrowser();
        var page = await browser.PostAsync("/join", ("room_code", code), ("player_name", "Bob"));

        Assert.Equal((HttpStatusCode)422, page.Status);
        Assert.Equal("INVALID_ROOM_CODE", page.ErrorCode);
    }

    [Fact]
    public async Task The_ninth_player_gets_ROOM_FULL_409_and_is_not_added()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 2; i <= 8; i++)
        {
            using var player = App.NewBrowser();
            await player.JoinAsync(code, $"Player {i}");
        }

        using var ninth = App.NewBrowser();
        var page = await ninth.PostAsync("/join", ("room_code", code), ("player_name", "Ninth"));

        Assert.Equal(HttpStatusCode.Conflict, page.Status);
        Assert.Equal("ROOM_FULL", page.ErrorCode);
        Assert.Equal(8, (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]").Length);
    }

    [Fact]
    public async Task A_name_already_in_the_room_is_NAME_TAKEN_409()
    {
        using var alice = App.NewBrowser();
        using var other = App.NewBrowser();
        var code = await alice.CreateRoomAsync("Alice");

        var page = await other.PostAsync("/join", ("room_code", code), ("player_name", "alice"));

        Assert.Equal(HttpStatusCode.Conflict, page.Status);
        Assert.Equal("NAME_TAKEN", page.ErrorCode);
    }

    [Fact]
    public async Task A_member_who_joins_again_just_goes_back_in()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.PostAsync("/join", ("room_code", code), ("player_name", "Alice Again"));

        Assert.Equal(HttpStatusCode.SeeOther, page.Status);
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]"));
    }

    [Theory]
    [InlineData("/rooms", "player_name=Alice&mode=open")]
    [InlineData("/join", "room_code=ALPHA-1234&player_name=Bob")]
    public async Task A_post_without_a_valid_antiforgery_token_is_refused_with_400(string url, string body)
    {
        using var browser = App.NewBrowser();
        await browser.GetAsync("/");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await browser.Client.PostAsync(url, content);
        using var forged = await browser.Client.PostAsync(url, new StringContent(body + "&__RequestVerificationToken=forged", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("data-error-code=\"BAD_REQUEST\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("dr_", StringComparison.Ordinal) && !c.StartsWith("dr_af", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unknown_room_page_is_a_404_with_ROOM_NOT_FOUND()
    {
        using var browser = App.NewBrowser();
        var page = await browser.GetAsync("/rooms/NOPE-0000");

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal("ROOM_NOT_FOUND", page.ErrorCode);
    }

    [Fact]
    public async Task An_unknown_address_is_a_friendly_404_page()
    {
        using var browser = App.NewBrowser();
        var page = await browser.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.NotNull(page.Error);
        Assert.Equal("text/html", page.ContentType);
    }

    [Fact]
    public async Task Health_reports_the_embedded_store_and_the_database()
    {
        using var browser = App.NewBrowser();
        using var response = await browser.Client.GetAsync("/api/health");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        Assert.True(DateTimeOffset.TryParse(json.RootElement.GetProperty("timestamp").GetString(), out _));
        Assert.Equal("embedded", json.RootElement.GetProperty("services").GetProperty("valkey").GetString());
        Assert.Equal("connected", json.RootElement.GetProperty("services").GetProperty("database").GetString());
    }

    [Fact]
    public async Task Version_reports_version_and_build_but_not_the_environment()
    {
        using var browser = App.NewBrowser();
        using var json = System.Text.Json.JsonDocument.Parse(await browser.Client.GetStringAsync("/api/version"));

        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("version").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("build").GetString()));
        Assert.False(json.RootElement.TryGetProperty("environment", out _));
    }
}
