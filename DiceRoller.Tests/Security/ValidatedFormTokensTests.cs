using System.Net;
using DiceRoller.Shared;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Security;

/// <summary>
/// A page's later posts skip the antiforgery check's decryptions when their token pair passed the full check lately (issue 22):
/// only the very same pair is taken, for a bounded time; anything else still gets the full check and its 400.
/// </summary>
public sealed class ValidatedFormTokensTests : AppTest
{
    [Fact]
    public void Only_the_pair_that_passed_is_taken_and_only_for_its_lifetime()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var validated = new ValidatedFormTokens(clock);

        Assert.False(validated.Contains("cookie", "form"));
        validated.Add("cookie", "form");

        Assert.True(validated.Contains("cookie", "form"));
        Assert.False(validated.Contains("cookie", "form2"));
        Assert.False(validated.Contains("cookie2", "form"));
        clock.Advance(ValidatedFormTokens.Lifetime - TimeSpan.FromSeconds(1));
        Assert.True(validated.Contains("cookie", "form"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(validated.Contains("cookie", "form"));
    }

    [Fact]
    public async Task After_a_page_s_valid_rolls_a_changed_token_or_another_browser_s_cookie_is_still_refused_and_rolls_nothing()
    {
        using var alice = App.NewBrowser();
        using var mallory = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await mallory.GetAsync("/"); // a browser with an antiforgery cookie of its own
        await alice.RollAsync(code);
        await alice.RollAsync(code); // the same pair again: taken as checked

        var token = alice.Token!;
        var changed = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var withChangedToken = await alice.PostAsync($"/rooms/{code}/rolls",
            [new("dice", "1d20"), new("modifier", "0"), new("__RequestVerificationToken", changed)], htmx: true, withToken: false);
        // Alice's own token, sent with Mallory's antiforgery cookie (and Alice's player cookie, so only the token pair is wrong).
        foreach (var cookie in alice.Cookies.GetAllCookies().Where(c => c.Name.StartsWith("dr_", StringComparison.Ordinal) && c.Name != "dr_af"))
        {
            mallory.Cookies.Add(cookie);
        }

        var withOtherCookie = await mallory.PostAsync($"/rooms/{code}/rolls",
            [new("dice", "1d20"), new("modifier", "0"), new("__RequestVerificationToken", token)], htmx: true, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, withChangedToken.Status);
        Assert.Equal("BAD_REQUEST", withChangedToken.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, withOtherCookie.Status);
        Assert.Equal("BAD_REQUEST", withOtherCookie.ErrorCode);
        Assert.Equal(2, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
        await alice.RollAsync(code); // the page's own pair still works
    }
}
