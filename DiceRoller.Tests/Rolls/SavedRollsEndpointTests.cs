using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// Saved rolls kept with the seat: <c>POST /rooms/{code}/saved</c> and <c>/saved/remove</c> with and without htmx, their
/// bad input, and the continue link bringing them to another device; on both stores.
/// </summary>
public abstract class SavedRollsEndpointTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static IReadOnlyList<string> Labels(IParentNode page) =>
        page.QuerySelectorAll("#presets [data-saved-roll] [data-preset-label]").Select(l => l.TextContent.Trim()).ToList();

    private static async Task<IReadOnlyList<string>> SavedOnPageAsync(Browser browser, string code) =>
        Labels((await browser.GetAsync($"/rooms/{code}")).Document);

    [Fact]
    public async Task A_plain_save_answers_303_and_the_page_shows_the_saved_roll_as_a_form_that_rolls_exactly_it()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;

        var saved = await alice.PostAsync($"/rooms/{code}/saved", ("name", "  Sneak   attack "), ("formula", "1d20+7"), ("preset-advantage", "advantage"));

        Assert.Equal(HttpStatusCode.SeeOther, saved.Status);
        Assert.Equal($"/rooms/{code}#presets", saved.Location);
        var page = (await alice.GetAsync($"/rooms/{code}")).Document;
        Assert.Equal(["Sneak attack: 1d20+7 adv"], Labels(page));
        var form = page.QuerySelector("#presets [data-saved-roll] form[action^='/rooms/" + code + "/rolls']")!;
        var fields = form.QuerySelectorAll("input").Where(i => i.GetAttribute("name") != "__RequestVerificationToken")
            .Select(i => (i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToArray();

        var rolled = await alice.PostAsync($"/rooms/{code}/rolls", fields);

        Assert.Equal(HttpStatusCode.SeeOther, rolled.Status);
        var roll = (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        Assert.Equal("1d20+7", roll.QuerySelector("[data-formula]")!.TextContent.Trim());
        Assert.Equal(2, roll.QuerySelectorAll(".die").Length); // rolled with advantage, as saved
    }

    [Fact]
    public async Task With_htmx_saving_and_removing_answer_the_section_alone_as_it_is_now()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;
        await alice.GetAsync($"/rooms/{code}");

        var first = await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Longsword"), ("formula", "1d20+5"));
        var second = await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Fireball"), ("formula", "8d6"));
        var again = await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", "longsword"), ("formula", "1d20+6"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Null(first.Document.QuerySelector("#roll-form"));
        Assert.Null(first.Document.QuerySelector("#feed"));
        Assert.Equal(["Longsword: 1d20+5"], Labels(first.Document));
        Assert.Equal("Saved Longsword.", first.Document.QuerySelector("#presets [data-action-status]")!.TextContent.Trim());
        Assert.Equal(["Longsword: 1d20+5", "Fireball: 8d6"], Labels(second.Document));
        Assert.Equal(["longsword: 1d20+6", "Fireball: 8d6"], Labels(again.Document)); // same name: replaced in its place

        var removed = await alice.HtmxPostAsync($"/rooms/{code}/saved/remove", ("name", "LONGSWORD"));

        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(["Fireball: 8d6"], Labels(removed.Document));
        Assert.Equal("Removed LONGSWORD.", removed.Document.QuerySelector("#presets [data-action-status]")!.TextContent.Trim());
        Assert.Equal(["Fireball: 8d6"], await SavedOnPageAsync(alice, code));
        var plain = await alice.PostAsync($"/rooms/{code}/saved/remove", ("name", "Fireball"));
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}#presets"), (plain.Status, plain.Location));
        Assert.Empty(await SavedOnPageAsync(alice, code));
    }

    public static TheoryData<string, string, string, string, HttpStatusCode> BadSaves => new()
    {
        { "", "1d20+5", "none", "INVALID_NAME", (HttpStatusCode)422 },
        { "   ", "1d20+5", "none", "INVALID_NAME", (HttpStatusCode)422 },
        { new string('x', 41), "1d20+5", "none", "INVALID_NAME", (HttpStatusCode)422 },
        { "Bell\u0007", "1d20+5", "none", "INVALID_NAME", (HttpStatusCode)422 },
        { "Nonsense", "roll a lot", "none", "INVALID_DICE_FORMAT", (HttpStatusCode)422 },
        { "Empty", "", "none", "INVALID_DICE_FORMAT", (HttpStatusCode)422 },
        { "Too many dice", "1001d6", "none", "INVALID_DICE_FORMAT", (HttpStatusCode)422 },
        { "Sideways", "1d20", "sideways", "INVALID_ADVANTAGE", (HttpStatusCode)422 },
    };

    [Theory]
    [MemberData(nameof(BadSaves))]
    public async Task A_bad_name_or_formula_gets_a_clear_message_keeps_what_was_typed_and_saves_nothing(string name, string formula, string advantage,
        string code, HttpStatusCode status)
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (room, alice) = table;
        await alice.GetAsync($"/rooms/{room}");

        var fragment = await alice.HtmxPostAsync($"/rooms/{room}/saved", ("name", name), ("formula", formula), ("preset-advantage", advantage));
        var page = await alice.PostAsync($"/rooms/{room}/saved", ("name", name), ("formula", formula), ("preset-advantage", advantage));

        foreach (var answer in new[] { fragment, page })
        {
            Assert.Equal(status, answer.Status);
            var error = answer.Document.QuerySelector("#presets [data-error-code]")!;
            Assert.Equal(code, error.GetAttribute("data-error-code"));
            Assert.False(string.IsNullOrWhiteSpace(error.TextContent));
            Assert.Equal(formula, answer.Document.QuerySelector("#preset-formula")!.GetAttribute("value"));
            Assert.Empty(Labels(answer.Document));
        }

        Assert.Null(fragment.Document.QuerySelector("#roll-form"));
        Assert.NotNull(page.Document.QuerySelector("#roll-form"));
        Assert.Empty(await SavedOnPageAsync(alice, room));
    }

    [Fact]
    public async Task Only_the_dm_saves_a_hidden_roll_and_removing_an_unknown_name_is_refused()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        await dee.GetAsync($"/rooms/{code}");
        await bob.GetAsync($"/rooms/{code}");

        var bobs = await bob.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Peek"), ("formula", "1d20"), ("preset-hidden", "true"));
        var dees = await dee.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Perception"), ("formula", "1d20+3"), ("preset-hidden", "true"));
        var unknown = await bob.HtmxPostAsync($"/rooms/{code}/saved/remove", ("name", "Peek"));

        Assert.Equal((HttpStatusCode.Forbidden, "HIDDEN_NOT_ALLOWED"), (bobs.Status, bobs.ErrorCode));
        Assert.Equal(["Perception: 1d20+3 hidden"], Labels(dees.Document));
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND"), (unknown.Status, unknown.ErrorCode));
        Assert.Empty(await SavedOnPageAsync(bob, code)); // and never another member's
    }

    [Fact]
    public async Task A_player_keeps_at_most_twenty_and_the_twenty_first_is_refused_but_a_saved_name_may_still_change()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;
        await alice.GetAsync($"/rooms/{code}");
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", $"Roll {i}"), ("formula", "1d20"))).Status);
        }

        var full = await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", "One more"), ("formula", "1d6"));
        var changed = await alice.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Roll 3"), ("formula", "2d6"));

        Assert.Equal((HttpStatusCode.Conflict, "TOO_MANY_SAVED_ROLLS"), (full.Status, full.ErrorCode));
        Assert.Equal(20, Labels(full.Document).Count);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Contains("Roll 3: 2d6", await SavedOnPageAsync(alice, code));
        Assert.DoesNotContain(await SavedOnPageAsync(alice, code), l => l.StartsWith("One more", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stranger_or_a_form_without_its_token_saves_nothing()
    {
        await using var table = await Table.Open("Alice").BuildAsync(App);
        var (code, alice) = table;
        using var stranger = App.NewBrowser("Stranger/1");
        await stranger.GetAsync("/");

        var notMember = await stranger.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Dagger"), ("formula", "1d4"));
        var noToken = await alice.PostAsync($"/rooms/{code}/saved", [new("name", "Dagger"), new("formula", "1d4")], htmx: true, withToken: false);

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_IN_ROOM"), (notMember.Status, notMember.ErrorCode));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.Status);
        Assert.Empty(await SavedOnPageAsync(alice, code));
    }

    [Fact]
    public async Task The_continue_link_brings_the_saved_rolls_to_the_other_device_and_they_stay_one_list()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, _, bob) = table;
        using var bobsPhone = App.NewBrowser("Phone/1");
        await bob.GetAsync($"/rooms/{code}");
        await bob.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Longsword"), ("formula", "1d20+5"));
        var link = (await bob.GetAsync($"/rooms/{code}")).Document.QuerySelector("#continue-panel a[data-continue-link]")!.GetAttribute("href")!;
        var path = new Uri(link).AbsolutePath;
        await bobsPhone.GetAsync(path);

        Assert.Equal(HttpStatusCode.SeeOther, (await bobsPhone.PostAsync(path)).Status);

        Assert.Equal(["Longsword: 1d20+5"], await SavedOnPageAsync(bobsPhone, code));
        await bobsPhone.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Dagger"), ("formula", "1d4+2"));
        Assert.Equal(["Longsword: 1d20+5", "Dagger: 1d4+2"], await SavedOnPageAsync(bob, code));
    }

    [Fact]
    public async Task Leaving_takes_the_saved_rolls_with_the_seat()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, _, bob) = table;
        await bob.GetAsync($"/rooms/{code}");
        await bob.HtmxPostAsync($"/rooms/{code}/saved", ("name", "Longsword"), ("formula", "1d20+5"));

        Assert.Equal(HttpStatusCode.SeeOther, (await bob.PostAsync($"/rooms/{code}/leave")).Status);
        await bob.JoinAsync(code, "Bob");

        Assert.Empty(await SavedOnPageAsync(bob, code));
    }
}

public sealed class SavedRollsEndpointEmbeddedTests(SharedApp shared) : SavedRollsEndpointTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class SavedRollsEndpointValkeyTests(ValkeyServer valkey, SharedApp shared) : SavedRollsEndpointTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
