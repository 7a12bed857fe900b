using System.Net;
using System.Text;
using DiceRoller.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DiceRoller.Tests.Security;

/// <summary>
/// Forms bound to records: a field missing, of the wrong kind, sent twice or far too long, a post that is not a form, a missing
/// or forged token, each gets the clear answer it got when the handlers read the form by hand (status, error code and message;
/// never an empty 400 or 415 from the binder), also in Development, where the binder throws instead of answering.
/// </summary>
public sealed class FormBindingTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private const string NotFromUs = "This form has expired or was not sent by DiceRoller. Reload the page and try again.";
    private const string Form = "application/x-www-form-urlencoded";
    private const string Examples = "For example: 1d20+5, 4d6kh3, 2d6+1d4+3 or 8d6 [fire] fireball.";
    private const string NoLock = "Say whether the room should be locked: locked=true or locked=false.";
    private const string BadSeed = "A client seed is 1 to 64 letters (A-Z, a-z), digits, - or _. Your seed did not change.";

    /// <summary>What a post got: its status, error code and message (none on success).</summary>
    private sealed record Answer(int Status, string? Code, string? Text);

    public static TheoryData<string, string, string?, int, string?, string?> Posts => new()
    {
        // path (ROOM = the room's code), body (TOKEN = the form token), content type (null: none), status, error code, message
        { "/rooms/ROOM/rolls", "__RequestVerificationToken=TOKEN", Form, 422, "INVALID_DICE_FORMAT", "Choose dice to roll. " + Examples },
        { "/rooms/ROOM/rolls", "dice=1d20&dice=2d6&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_DICE_FORMAT",
            "\"1d20,2d6\": expected an operator (+ - * /) or the end of the formula, found \",\" (at character 5). " + Examples },
        { "/rooms/ROOM/rolls", "die=abc&count=x&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_DICE_FORMAT",
            "There is no dabc button. Tap a d4, d6, d8, d10, d12, d20 or d100, or type any die in the formula." },
        { "/rooms/ROOM/rolls", "dice=1d20&modifier=lots&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_MODIFIER", "The modifier must be a whole number from -10 to +20." },
        { "/rooms/ROOM/rolls", "dice=1d20&hidden=maybe&count=&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_HIDDEN", "Hidden must be true or false." },
        { "/rooms/ROOM/rolls", "{\"dice\":\"1d20\"}", "application/json", 400, "BAD_REQUEST", NotFromUs },
        { "/rooms/ROOM/rolls", "dice=1d20", null, 400, "BAD_REQUEST", NotFromUs },
        { "/rooms/ROOM/rolls", "dice=1d20", Form, 400, "BAD_REQUEST", NotFromUs },
        { "/rooms/ROOM/rolls", "dice=1d20&__RequestVerificationToken=forged", Form, 400, "BAD_REQUEST", NotFromUs },
        { "/rooms/ROOM/dc", "dc=abc&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_DC", "The DC must be a whole number from 1 to 30, or empty to clear it." },
        { "/rooms/ROOM/dc", "dc=15&dc=16&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_DC", "The DC must be a whole number from 1 to 30, or empty to clear it." },
        { "/rooms/ROOM/dc", "{\"dc\":15}", "application/json", 400, "BAD_REQUEST", NotFromUs },
        { "/rooms/ROOM/dc", "dc=" + new string('1', 4_200_000) + "&__RequestVerificationToken=TOKEN", Form, 413, "TOO_LARGE",
            "That is far more than this form takes. Nothing was changed; reload the page and try again." },
        { "/rooms/ROOM/kick", "__RequestVerificationToken=TOKEN", Form, 404, "PLAYER_NOT_FOUND", "That player is not in this room." },
        { "/rooms/ROOM/dm", "player_id=nobody&__RequestVerificationToken=TOKEN", Form, 404, "PLAYER_NOT_FOUND", "That player is not in this room." },
        { "/rooms/ROOM/lock", "locked=maybe&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_LOCK", NoLock },
        { "/rooms/ROOM/lock", "__RequestVerificationToken=TOKEN", Form, 422, "INVALID_LOCK", NoLock },
        { "/rooms/ROOM/fairness/client-seed", "client_seed=&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_CLIENT_SEED", BadSeed },
        { "/rooms/ROOM/fairness/client-seed", "client_seed=" + new string('s', 5000) + "&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_CLIENT_SEED", BadSeed },
        { "/rooms", "__RequestVerificationToken=TOKEN", Form, 422, "INVALID_NAME", "Enter a name of 1 to 20 letters, digits or spaces." },
        { "/rooms", "player_name=Bo&mode=sideways&__RequestVerificationToken=TOKEN", Form, 422, "INVALID_MODE", "Choose whether the room is open or DM-led." },
        { "/rooms", "{\"player_name\":\"Bo\"}", "application/json", 400, "BAD_REQUEST", NotFromUs },
        { "/join", "__RequestVerificationToken=TOKEN", Form, 422, "INVALID_ROOM_CODE", "Room codes look like ALPHA-1234: a word, a dash and four digits." },
        { "/join", "", null, 400, "BAD_REQUEST", NotFromUs },
    };

    [Theory]
    [MemberData(nameof(Posts))]
    public async Task Every_form_answers_bad_input_as_it_did_when_read_by_hand(string path, string body, string? contentType, int status, string? code, string? text)
    {
        foreach (var htmx in new[] { true, false })
        {
            using var alice = App.NewBrowser();
            var answer = await PostAsync(alice, path, body, contentType, htmx);

            Assert.Equal(new Answer(status, code, text), answer);
        }
    }

    [Fact]
    public async Task In_Development_a_post_that_is_not_a_form_gets_the_same_answer_not_an_exception()
    {
        await using var development = App.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        using var alice = new Browser(development.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), "Alice/1.0");

        var json = await PostAsync(alice, "/rooms/ROOM/rolls", "{\"dice\":\"1d20\"}", "application/json", htmx: true);
        var wrongKinds = await PostAsync(alice, "/rooms/ROOM/rolls", "dice=1d20&dice=2d6&count=x&__RequestVerificationToken=TOKEN",
            "application/x-www-form-urlencoded", htmx: true);

        Assert.Equal(new Answer(400, "BAD_REQUEST", NotFromUs), json);
        Assert.Equal(422, wrongKinds.Status);
        Assert.Equal("INVALID_DICE_FORMAT", wrongKinds.Code);
    }

    /// <summary>Alice opens a DM-led room (its DM), then posts <paramref name="body"/> to <paramref name="path"/> in it, as htmx or a plain form.</summary>
    private static async Task<Answer> PostAsync(Browser alice, string path, string body, string? contentType, bool htmx)
    {
        var room = await alice.CreateRoomAsync("Alice", "dm-led");
        await alice.GetAsync($"/rooms/{room}");
        body = body.Replace("ROOM", room, StringComparison.Ordinal).Replace("TOKEN", Uri.EscapeDataString(alice.Token!), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, path.Replace("ROOM", room, StringComparison.Ordinal))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        request.Headers.UserAgent.ParseAdd("Alice/1.0");
        if (htmx)
        {
            request.Headers.Add("HX-Request", "true");
        }

        using var response = await alice.Client.SendAsync(request);
        var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var error = html.QuerySelector("[data-error-code]");
        return new Answer((int)response.StatusCode, error?.GetAttribute("data-error-code"), error?.TextContent.Trim());
    }
}
