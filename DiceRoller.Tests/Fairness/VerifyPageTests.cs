using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Parser;
using DiceRoller.Fairness;
using DiceRoller.Pages;
using DiceRoller.Shared;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Fairness;

public class VerifyPageTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // The app signs with the published test key, so a log built by FairLog is "this site's".
        ["Fairness:SigningKey"] = Convert.ToBase64String(FairLog.TestSigningKey),
        ["Verify:Limit"] = "1000",
    };

    private static FairLog Game() => new FairLog()
        .Roll("ann", "1d20+5")
        .Roll("bob", "1d20", advantage: "advantage")
        .Roll("ann", "3d6!")
        .Roll("dee", "1d8", hidden: true);

    private async Task<Page> PostAsync(params (string Name, string Value, string? FileName)[] fields)
    {
        using var browser = App.NewBrowser();
        using var content = await VerifyForm.OfPageAsync(browser);
        foreach (var (name, value, fileName) in fields)
        {
            var part = new StringContent(value);
            if (fileName is null)
            {
                content.Add(part, name);
            }
            else
            {
                part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                content.Add(part, name, fileName);
            }
        }

        using var response = await browser.Client.PostAsync(new Uri("/verify", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        return new Page(response.StatusCode, await new HtmlParser().ParseDocumentAsync(body), body, null, [], response.Content.Headers.ContentType?.MediaType);
    }

    private static Dictionary<(string Subject, string Check), string> Statuses(Page page) =>
        page.Document.QuerySelectorAll("[data-subject] li[data-check]").ToDictionary(
            li => (li.Closest("[data-subject]")!.GetAttribute("data-subject")!, li.GetAttribute("data-check")!),
            li => li.GetAttribute("data-status")!);

    [Fact]
    public async Task The_form_is_labelled_posts_without_script_and_has_no_inline_styles()
    {
        using var browser = App.NewBrowser();

        var page = await browser.GetAsync("/verify");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var form = page.Document.QuerySelector("form[data-verify-form]")!;
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/verify", form.GetAttribute("action"));
        Assert.Equal("multipart/form-data", form.GetAttribute("enctype"));
        foreach (var name in new[] { "url", "log", "log_file" })
        {
            var field = form.QuerySelector($"[name={name}]")!;
            Assert.NotNull(page.Document.QuerySelector($"label[for={field.Id}]"));
        }

        Assert.Empty(page.Document.QuerySelectorAll("[style]"));
        Assert.Null(page.Document.QuerySelector("[data-verify-result]"));
    }

    [Fact]
    public async Task An_honest_pasted_log_signed_by_this_site_is_verified_check_by_check_in_words()
    {
        using var game = Game();
        var log = VerifiableJson.Serialize(game.Build());

        var page = await PostAsync(("log", log, null));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var result = page.Document.QuerySelector("[data-verify-result]")!;
        Assert.Equal("pending", result.GetAttribute("data-verify-result")); // the hidden roll's values are withheld
        var statuses = Statuses(page);
        Assert.Equal(RollVerifier.VerifyLog(game.Build()).Count + 1, statuses.Count);
        Assert.Equal("passed", statuses[("log", "site_key")]);
        Assert.DoesNotContain("failed", statuses.Values);
        var diceOfFirst = page.Document.QuerySelectorAll("li[data-check=dice]").First();
        Assert.StartsWith("✓ Passed", diceOfFirst.QuerySelector(".badge")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("Pending", page.Document.QuerySelectorAll("li[data-status=pending] .badge").First().TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_whose_client_seed_was_set_before_its_commitment_fails_client_seed_order_by_name()
    {
        var page = await PostAsync(("log", RulesTwoVectorTests.VectorJson("seed_set_before_commitment"), null));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("failed", page.Document.QuerySelector("[data-verify-result]")!.GetAttribute("data-verify-result"));
        var failed = Statuses(page).Where(s => s.Value == "failed").Select(s => s.Key.Check).ToList();
        Assert.Equal([RollVerifier.ClientSeedOrder], failed);
        Assert.Contains("before this roll's commitment", page.Document.QuerySelector("li[data-check=client_seed_order]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rules_two_log_with_a_revealed_hidden_roll_verifies_with_only_the_unrevealed_one_pending()
    {
        var page = await PostAsync(("log", RulesTwoVectorTests.VectorJson("log"), null));

        var statuses = Statuses(page);
        Assert.DoesNotContain("failed", statuses.Values);
        Assert.Contains(statuses, s => s.Key.Check == RollVerifier.HiddenSecret && s.Value == "passed");
        Assert.All(statuses.Where(s => s.Value == "pending"), s => Assert.StartsWith("roll #3 ", s.Key.Subject, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tampered_uploaded_log_names_the_roll_and_the_check_that_failed()
    {
        using var game = Game();
        var log = game.Build();
        var third = log.Rolls[2];
        var dice = third.IndividualResults!.ToArray();
        dice[0] = dice[0] == 6 ? 5 : dice[0] + 1;
        var tampered = log with { Rolls = [log.Rolls[0], log.Rolls[1], third with { IndividualResults = dice }, log.Rolls[3]] };

        var page = await PostAsync(("log_file", VerifiableJson.Serialize(tampered), "room-log.json"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("failed", page.Document.QuerySelector("[data-verify-result]")!.GetAttribute("data-verify-result"));
        var failed = Statuses(page).Where(s => s.Value == "failed").Select(s => s.Key).ToHashSet();
        var subject = $"roll #3 ({third.RollId})";
        Assert.True(failed.SetEquals([(subject, "dice"), (subject, "hash")]), string.Join(", ", failed));
        Assert.Contains("Not verified", page.Document.QuerySelector("#result-title")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("", page.Document.QuerySelector("textarea[name=log]")!.TextContent); // an uploaded file is not echoed
    }

    [Fact]
    public async Task A_log_signed_with_another_key_is_not_this_sites()
    {
        using var game = new FairLog(signingKey: Ed25519RollSigner.NewPrivateKey()).Roll("ann", "1d20");

        var page = await PostAsync(("log", VerifiableJson.Serialize(game.Build()), null));

        Assert.Equal("failed", Statuses(page)[("log", "site_key")]);
        Assert.Equal("passed", Statuses(page)[($"roll #1 ({game.Build().Rolls[0].RollId})", "signature")]);
    }

    [Fact]
    public async Task A_log_larger_than_the_forms_limit_of_the_app_is_still_checked()
    {
        using var game = new FairLog();
        for (var i = 0; i < 80; i++)
        {
            game.Roll(i % 2 == 0 ? "ann" : "bob", "4d6kh3+2");
        }

        var json = VerifiableJson.Serialize(game.Build());
        Assert.True(json.Length > 32_768, $"the log is only {json.Length} bytes");

        var page = await PostAsync(("log", json, null));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("passed", page.Document.QuerySelector("[data-verify-result]")!.GetAttribute("data-verify-result"));
    }

    [Theory]
    [InlineData("{\"rolls\": [1, 2", "INVALID_VERIFY_INPUT")]
    [InlineData("[]", "INVALID_VERIFY_INPUT")]
    [InlineData("{\"hello\": 1}", "INVALID_VERIFY_INPUT")]
    [InlineData("   ", "INVALID_VERIFY_INPUT")]
    public async Task Malformed_input_gets_a_clear_400_and_keeps_what_was_pasted(string log, string code)
    {
        var page = await PostAsync(("log", log, null));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal(code, page.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(page.ErrorText));
        Assert.Equal(log, page.Document.QuerySelector("textarea[name=log]")!.TextContent);
        Assert.Null(page.Document.QuerySelector("[data-verify-result]"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    public async Task A_body_that_is_not_a_form_is_a_clear_400(string contentType)
    {
        using var browser = App.NewBrowser();
        using var content = new StringContent("{\"rolls\": []}", System.Text.Encoding.UTF8, contentType);

        using var response = await browser.Client.PostAsync(new Uri("/verify", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var document = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("INVALID_VERIFY_INPUT", document.QuerySelector("[data-error-code]")!.GetAttribute("data-error-code"));
    }

    [Fact]
    public async Task Both_a_link_and_a_log_is_refused()
    {
        var page = await PostAsync(("url", "/roll/" + Guid.NewGuid(), null), ("log", "{\"rolls\": []}", null));

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Contains("not both", page.ErrorText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/roll/6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", HttpStatusCode.BadRequest, "INVALID_VERIFY_INPUT")]
    [InlineData("http://169.254.169.254/latest/meta-data", HttpStatusCode.BadRequest, "INVALID_VERIFY_INPUT")]
    [InlineData("/rooms/ALPHA-1234", HttpStatusCode.BadRequest, "INVALID_VERIFY_INPUT")]
    [InlineData("not a link", HttpStatusCode.BadRequest, "INVALID_VERIFY_INPUT")]
    [InlineData("/roll/6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", HttpStatusCode.NotFound, "ROLL_NOT_FOUND")]
    public async Task Links_to_other_sites_or_to_no_roll_are_refused_without_fetching_anything(string url, HttpStatusCode status, string code)
    {
        using var browser = App.NewBrowser();

        var page = await browser.GetAsync("/verify?url=" + Uri.EscapeDataString(url));

        Assert.Equal(status, page.Status);
        Assert.Equal(code, page.ErrorCode);
        Assert.Equal(url, page.Document.QuerySelector("input[name=url]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task A_real_rolls_permalink_is_looked_up_here_and_checked()
    {
        using var browser = App.NewBrowser();
        var code = await browser.CreateRoomAsync();
        var roll = await browser.RollAsync(code, "2d6");
        var id = roll.GetAttribute("data-roll-id")!;
        var site = App.Services.GetRequiredService<PublicUrls>().Base;
        var permalink = await browser.GetAsync($"/roll/{id}");
        var verifyLink = permalink.Document.QuerySelector("a[data-verify-link]")!.GetAttribute("href")!;
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(verifyLink)).Status);

        foreach (var link in new[] { $"{site}/roll/{id}", $"{site}/api/permalink/{id}", $"/roll/{id}", id, verifyLink })
        {
            var page = await browser.GetAsync(link == verifyLink ? link : "/verify?url=" + Uri.EscapeDataString(link));

            Assert.True(page.Status == HttpStatusCode.OK, $"{link}: {(int)page.Status} {page.ErrorText}");
            Assert.NotEmpty(page.Document.QuerySelectorAll("li[data-check]"));
            Assert.Null(page.Document.QuerySelector("li[data-status=failed]"));
            Assert.Contains(id, page.Document.QuerySelector("[data-verify-result]")!.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Roll_ids_come_from_this_sites_links_only()
    {
        const string Id = "6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f";
        Assert.Equal(Id, VerifyEndpoints.RollIdOf($"https://dice.example.com/roll/{Id.ToUpperInvariant()}/", "https://dice.example.com").RollId);
        Assert.Equal(Id, VerifyEndpoints.RollIdOf($"https://DICE.example.com/api/permalink/{Id}?x=1", "https://dice.example.com").RollId);
        Assert.Equal(Id, VerifyEndpoints.RollIdOf($"/roll/{Id}#top", "https://dice.example.com").RollId);
        Assert.NotNull(VerifyEndpoints.RollIdOf($"https://dice.example.com.evil.org/roll/{Id}", "https://dice.example.com").Error);
        Assert.NotNull(VerifyEndpoints.RollIdOf($"file:///roll/{Id}", "https://dice.example.com").Error);
        Assert.NotNull(VerifyEndpoints.RollIdOf($"https://dice.example.com/roll/{Id}/extra", "https://dice.example.com").Error);
    }
}

public class VerifyPageLimitTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Verify:MaxLogBytes"] = "2048",
        ["Verify:Limit"] = "2",
        ["Verify:Window"] = "00:10:00",
    };

    private async Task<(HttpStatusCode Status, string? Code, string? Text)> PostLogAsync(string log) =>
        (await PostLogWithHeadersAsync(log)).Answer;

    private async Task<((HttpStatusCode Status, string? Code, string? Text) Answer, TimeSpan? RetryAfter)> PostLogWithHeadersAsync(string log)
    {
        using var browser = App.NewBrowser();
        using var content = await VerifyForm.OfPageAsync(browser);
        content.Add(new StringContent(log), "log");
        using var response = await browser.Client.PostAsync(new Uri("/verify", UriKind.Relative), content);
        var document = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        var error = document.QuerySelector("[data-error-code]");
        return ((response.StatusCode, error?.GetAttribute("data-error-code"), error?.TextContent), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task A_log_over_the_limit_is_413_pointing_at_the_script_and_checks_nothing()
    {
        var justOver = "{\"rolls\": [], \"pad\": \"" + new string('x', 2100) + "\"}";
        var farOver = "{\"rolls\": [], \"pad\": \"" + new string('x', 40_000) + "\"}";

        var near = await PostLogAsync(justOver);
        var far = await PostLogAsync(farOver);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "TOO_LARGE"), (near.Status, near.Code));
        Assert.Contains("verify.py", near.Text, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "TOO_LARGE"), (far.Status, far.Code));
        Assert.Contains("verify.py", far.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checks_are_rate_limited_per_address()
    {
        const string Log = "{\"rolls\": []}";

        var answers = new[] { await PostLogWithHeadersAsync(Log), await PostLogWithHeadersAsync(Log), await PostLogWithHeadersAsync(Log) };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.Answer.Status));
        Assert.Equal("RATE_LIMIT", answers[2].Answer.Code);
        Assert.Null(answers[0].RetryAfter);
        // The refusal says when to try again, in the header as in words: within the limit's window of ten minutes.
        Assert.InRange(answers[2].RetryAfter!.Value.TotalSeconds, 1, 600);
    }
}

/// <summary>The verify page's form as a browser sends it: the page is loaded first, its form token goes back with the fields.</summary>
internal static class VerifyForm
{
    public static async Task<MultipartFormDataContent> OfPageAsync(Browser browser)
    {
        var page = await browser.GetAsync("/verify");
        var token = page.Document.QuerySelector("form[data-verify-form] input[name=__RequestVerificationToken]")?.GetAttribute("value");
        Assert.False(string.IsNullOrEmpty(token), "the verify form carries no antiforgery token");
        return new MultipartFormDataContent { { new StringContent(token!), "__RequestVerificationToken" } };
    }
}

/// <summary>Only this site's own verify form may spend a visitor's checks: a post from elsewhere is refused and counts nothing.</summary>
public class VerifyPageForgeryTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Verify:Limit"] = "1",
        ["Verify:Window"] = "00:10:00",
    };

    private static async Task<Page> SendAsync(Browser browser, MultipartFormDataContent content)
    {
        using var response = await browser.Client.PostAsync(new Uri("/verify", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        return new Page(response.StatusCode, await new HtmlParser().ParseDocumentAsync(body), body, null, [], response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<Page> GetAsync(Browser browser, string url, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await browser.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Page(response.StatusCode, await new HtmlParser().ParseDocumentAsync(body), body, null, [], response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_verify_link_from_another_site_only_fills_in_the_form_and_spends_no_check()
    {
        using var visitor = App.NewBrowser();
        await visitor.GetAsync("/verify");
        var link = "/roll/" + Guid.NewGuid();
        var url = "/verify?url=" + Uri.EscapeDataString(link);

        // Another site's <img>, link or frame (modern browsers say where a request came from); an old browser's foreign Referer.
        var elsewhere = new[]
        {
            await GetAsync(visitor, url, ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "no-cors"), ("Sec-Fetch-Dest", "image")),
            await GetAsync(visitor, url, ("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document")),
            await GetAsync(visitor, url, ("Sec-Fetch-Site", "same-site"), ("Sec-Fetch-Mode", "navigate")),
            await GetAsync(visitor, url, ("Referer", "https://evil.example/page")),
        };
        foreach (var page in elsewhere)
        {
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Null(page.ErrorCode);
            Assert.Empty(page.Document.QuerySelectorAll("li[data-check]"));
            Assert.NotNull(page.Document.QuerySelector("[data-verify-prefilled]"));
            Assert.Equal(link, page.Document.QuerySelector("form[data-verify-form] input[name=url]")!.GetAttribute("value"));
            Assert.NotEmpty(page.Document.QuerySelector("form[data-verify-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!);
        }

        // The visitor's one check of the window is still there: this site's own link (same-origin) runs it.
        var own = await GetAsync(visitor, url, ("Sec-Fetch-Site", "same-origin"), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document"));
        Assert.Equal((HttpStatusCode.NotFound, "ROLL_NOT_FOUND"), (own.Status, own.ErrorCode));
        Assert.Null(own.Document.QuerySelector("[data-verify-prefilled]"));

        // And that one was spent: the next, typed into the address bar (Sec-Fetch-Site: none), is over the limit.
        var typed = await GetAsync(visitor, url, ("Sec-Fetch-Site", "none"), ("Sec-Fetch-Mode", "navigate"));
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (typed.Status, typed.ErrorCode));
    }

    [Fact]
    public async Task A_post_without_the_pages_token_is_refused_with_a_fresh_form_and_spends_no_check()
    {
        using var visitor = App.NewBrowser();
        await visitor.GetAsync("/verify"); // the visitor has the site's cookies, as a victim of another site's form would
        var link = "/roll/" + Guid.NewGuid();

        // Another site's form: the visitor's cookies go along, but no token (or one that is not for this browser).
        using var forged = new MultipartFormDataContent { { new StringContent(link), "url" } };
        var refused = await SendAsync(visitor, forged);
        using var stranger = App.NewBrowser();
        using var foreignToken = await VerifyForm.OfPageAsync(stranger);
        foreignToken.Add(new StringContent(link), "url");
        var refusedToo = await SendAsync(visitor, foreignToken);

        foreach (var page in new[] { refused, refusedToo })
        {
            Assert.Equal(HttpStatusCode.BadRequest, page.Status);
            Assert.Equal("BAD_REQUEST", page.ErrorCode);
            Assert.Contains("not sent by DiceRoller", page.ErrorText, StringComparison.Ordinal);
            Assert.Empty(page.Document.QuerySelectorAll("li[data-check]"));
            Assert.NotEmpty(page.Document.QuerySelector("form[data-verify-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!);
        }

        // The visitor's one check of the window is still there: their own form gets an answer (not found), not 429.
        using var own = await VerifyForm.OfPageAsync(visitor);
        own.Add(new StringContent(link), "url");
        var answered = await SendAsync(visitor, own);
        Assert.Equal(HttpStatusCode.NotFound, answered.Status);
        Assert.Equal("ROLL_NOT_FOUND", answered.ErrorCode);
    }
}
