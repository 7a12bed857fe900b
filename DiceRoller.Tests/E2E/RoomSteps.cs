using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>More of the steps people take in a room, through the page's controls (JavaScript on unless said).</summary>
public static class RoomSteps
{
    /// <summary>Taps a die button (with the current count, modifier and toggles) and returns the roll id shown in the own result.</summary>
    public static async Task<string> RollDieAsync(this Person person, int sides, bool hidden = false)
    {
        ArgumentNullException.ThrowIfNull(person);
        var previous = await person.LastOwnRollAsync();
        if (hidden)
        {
            await person.Page.Locator("#roll-form input[name=hidden]").CheckAsync();
        }

        await person.DieButton(sides).ClickAsync();
        if (hidden)
        {
            await person.Page.Locator("#roll-form input[name=hidden]").UncheckAsync();
        }

        return await person.NextOwnRollAsync(previous);
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
        return await person.Page.Locator("#announcer > p").AllTextContentsAsync();
    }
}
