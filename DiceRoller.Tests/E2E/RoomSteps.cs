using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>More of the steps people take in a room, through the page's controls (JavaScript on unless said).</summary>
public static class RoomSteps
{
    /// <summary>
    /// Taps a die button (with the current count, modifier and toggles) and returns the roll id shown in the own result.
    /// The pad then starts over by itself (1 die, +0, Normal, not hidden), as it does for people.
    /// </summary>
    public static async Task<string> RollDieAsync(this Person person, int sides, bool hidden = false)
    {
        ArgumentNullException.ThrowIfNull(person);
        var previous = await person.LastOwnRollAsync();
        if (hidden)
        {
            await person.Page.Locator("#roll-form input[name=hidden]").CheckAsync();
        }

        await person.DieButton(sides).ClickAsync();
        return await person.NextOwnRollAsync(previous);
    }

    /// <summary>What a die button says it rolls, e.g. "4d6+3" or "1d20+5 adv".</summary>
    public static async Task<string> DieLabelAsync(this Person person, int sides)
    {
        ArgumentNullException.ThrowIfNull(person);
        var button = person.DieButton(sides);
        var formula = await button.Locator("[data-die-formula]").TextContentAsync();
        var note = await button.Locator("[data-die-note]").TextContentAsync();
        return $"{formula} {note}".Trim();
    }

    /// <summary>Saves a roll in the Saved rolls section (name, formula, and how to roll it).</summary>
    public static async Task SaveRollAsync(this Person person, string name, string formula, string advantage = "none", bool hidden = false)
    {
        ArgumentNullException.ThrowIfNull(person);
        await person.Page.Locator("#preset-name").FillAsync(name);
        await person.Page.Locator("#preset-formula").FillAsync(formula);
        await person.Page.Locator($"#preset-form input[name=preset-advantage][value={advantage}]").CheckAsync();
        if (hidden)
        {
            await person.Page.Locator("#preset-form input[name=preset-hidden]").CheckAsync();
        }

        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(person.Page.Locator("#preset-list [data-preset-label]").Filter(new() { HasText = $"{name}: {formula}" })).ToHaveCountAsync(1);
    }

    /// <summary>The DM reveals a hidden roll from its row in the feed.</summary>
    public static async Task RevealAsync(this Person person, string rollId)
    {
        ArgumentNullException.ThrowIfNull(person);
        await person.Page.Locator($"#feed > li[data-roll-id='{rollId}'] form[action$='/reveal'] button").ClickAsync();
        await Expect(person.Page.Locator($"#feed > li[data-roll-id='{rollId}'] form[action$='/reveal']")).ToHaveCountAsync(0);
    }

    /// <summary>Opens the room's shared link as a stranger and joins with the join page.</summary>
    public static async Task JoinByLinkAsync(this Person person, Uri site, string code)
    {
        ArgumentNullException.ThrowIfNull(person);
        await person.Page.GotoAsync(new Uri(site, $"/rooms/{code}").ToString());
        await person.Page.Locator("#join-name").FillAsync(person.Name);
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(person.Page.Locator("#roll-form")).ToBeVisibleAsync();
    }

    /// <summary>Sentences the page's polite live region has said for rolls, oldest first.</summary>
    public static async Task<IReadOnlyList<string>> AnnouncementsAsync(this Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return await person.Page.Locator("#announcer > p[data-kind=roll]").AllTextContentsAsync();
    }
}
