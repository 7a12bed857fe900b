using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The whole game with JavaScript off: every action is a plain form post answered with 303 (post/redirect/get),
/// confirmations are skipped (hx-confirm needs the script), and the room offers a Refresh link for new rolls.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class NoJavaScriptTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task Create_join_roll_set_dc_reveal_and_kick_all_work_as_plain_form_posts()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee", javaScript: false);
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob", javaScript: false);

        await dee.Page.GotoAsync(server.Url("/"));
        await dee.Page.Locator("#create-name").FillAsync("Dee");
        await dee.Page.Locator("input[name=mode][value=dm-led]").CheckAsync();
        var created = await PostAsync(dee, dee.Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }), "/rooms");
        var code = created.Split('/')[^1];
        await Expect(dee.Page.Locator("[data-room-code]")).ToHaveAttributeAsync("data-room-code", code);
        await Expect(dee.Page.Locator("#presets")).ToBeVisibleAsync(); // saved rolls are plain forms too (PresetTests)
        await Expect(dee.Page.Locator("#roll-form [data-step]").First).ToBeHiddenAsync();
        await Expect(dee.Page.Locator("#roll-count")).ToBeVisibleAsync();

        await bob.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await bob.Page.Locator("#join-name").FillAsync("Bob");
        await PostAsync(bob, bob.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }), $"/rooms/{code}");

        await dee.Page.Locator("#dc-input").FillAsync("12");
        await PostAsync(dee, dee.Page.Locator("#dc-panel button[type=submit]"), $"/rooms/{code}");
        await Expect(dee.Page.Locator("#dc-status")).ToHaveAttributeAsync("data-dc", "12");

        await dee.Page.Locator("#roll-form input[name=hidden]").CheckAsync();
        await PostAsync(dee, dee.DieButton(20), $"/rooms/{code}");
        await Expect(dee.Feed).ToHaveCountAsync(1);
        var secret = await dee.Feed.First.GetAttributeAsync("data-roll-id");
        var total = await dee.Feed.First.GetAttributeAsync("data-total");
        Assert.NotNull(total);

        await bob.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await Expect(bob.Feed).ToHaveCountAsync(1);
        await Expect(bob.Feed.First).ToHaveAttributeAsync("data-hidden", "true");
        Assert.Null(await bob.Feed.First.GetAttributeAsync("data-total"));
        await bob.Page.Locator("#roll-count").FillAsync("2");
        await PostAsync(bob, bob.DieButton(6), $"/rooms/{code}");
        await Expect(bob.Feed).ToHaveCountAsync(2);
        await Expect(bob.Feed.First.Locator("[data-formula]")).ToHaveTextAsync("2d6");
        // A DC grades d20 checks only: the damage-like 2d6 carries no pass/fail. Without JavaScript times stay in UTC.
        await Expect(bob.Feed.First).Not.ToHaveAttributeAsync("data-dc", new System.Text.RegularExpressions.Regex(".*"));
        await Expect(bob.Feed.First).Not.ToHaveAttributeAsync("data-dc-passed", new System.Text.RegularExpressions.Regex(".*"));
        await Expect(bob.Feed.First.Locator("time[data-local-time]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d:\d\d UTC$"));

        await dee.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await PostAsync(dee, dee.Page.Locator($"#feed > li[data-roll-id='{secret}'] form[action$='/reveal'] button"), $"/rooms/{code}");
        await bob.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await Expect(bob.Page.Locator($"#feed > li[data-roll-id='{secret}']")).ToHaveAttributeAsync("data-total", total!);

        await PostAsync(dee, dee.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Bob" }), $"/rooms/{code}");
        await Expect(dee.Roster).ToHaveCountAsync(1);
        await bob.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await Expect(bob.Page.Locator("#roll-form")).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator("#feed")).ToHaveCountAsync(0);
    }

    /// <summary>Clicks a submit button, checks the post is answered 303 and the browser follows it; returns where it went.</summary>
    private async Task<string> PostAsync(Person person, ILocator button, string expectedLocation)
    {
        var landed = await person.Page.RunAndWaitForResponseAsync(() => button.ClickAsync(), r => r.Request.RedirectedFrom?.Method == "POST");
        var post = (await landed.Request.RedirectedFrom!.ResponseAsync())!;
        var location = await post.HeaderValueAsync("location");
        output.WriteLine($"{person.Name}: POST {new Uri(post.Url).AbsolutePath} -> {post.Status} {location} -> GET {landed.Status}");
        Assert.Equal(303, post.Status);
        Assert.Equal(200, landed.Status);
        Assert.NotNull(location);
        Assert.StartsWith(expectedLocation, location, StringComparison.Ordinal);
        return location;
    }
}
