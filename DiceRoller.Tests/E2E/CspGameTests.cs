using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// A whole game under the strict Content-Security-Policy: nothing the pages or htmx do (swaps, SSE, the DM's controls)
/// is refused by the policy, so none of it needs inline script, inline style or eval.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class CspGameTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    /// <summary>Runs first in every document: records each policy violation the browser reports into window.__csp.</summary>
    private const string ViolationRecorder = """
        (() => {
          const seen = window.__csp = [];
          document.addEventListener("securitypolicyviolation", e => {
            seen.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || document.location.pathname}:${e.lineNumber} (${(e.sample || "").slice(0, 60)})`);
          });
        })();
        """;

    private sealed class Watched(Person person, List<string> console)
    {
        public Person Person { get; } = person;

        /// <summary>Violations reported in the current document, plus every "Content Security Policy" console message of any document.</summary>
        public async Task<IReadOnlyList<string>> ViolationsAsync()
        {
            var here = await Person.Page.EvaluateAsync<string[]>("() => window.__csp ?? []");
            lock (console)
            {
                return [.. here, .. console];
            }
        }
    }

    private async Task<Watched> OpenAsync(AppServer server, string name)
    {
        var person = await Person.OpenAsync(chromium, server.BaseAddress, name);
        await person.Context.AddInitScriptAsync(ViolationRecorder);
        var console = new List<string>();
        person.Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (console)
                {
                    console.Add($"{name}: {message.Text}");
                }
            }
        };
        return new Watched(person, console);
    }

    private static async Task AssertCleanAsync(Watched watched, string step)
    {
        var violations = await watched.ViolationsAsync();
        Assert.True(violations.Count == 0, $"{watched.Person.Name}, {step}: {string.Join("\n", violations)}");
    }

    [Fact]
    public async Task A_dm_led_game_from_creation_to_kick_runs_without_a_single_policy_violation()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        var deeWatched = await OpenAsync(server, "Dee");
        var bobWatched = await OpenAsync(server, "Bob");
        await using var dee = deeWatched.Person;
        await using var bob = bobWatched.Person;

        var code = await dee.CreateRoomAsync("dm-led");
        await AssertCleanAsync(deeWatched, "created the room");
        await bob.JoinByLinkAsync(server.BaseAddress, code);
        await AssertCleanAsync(bobWatched, "joined by link");
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        await Expect(dee.Roster).ToHaveCountAsync(2);

        // htmx is configured so it never needs inline styles or eval.
        foreach (var person in new[] { dee, bob })
        {
            Assert.False(await person.Page.EvaluateAsync<bool>("() => htmx.config.includeIndicatorStyles"));
            Assert.False(await person.Page.EvaluateAsync<bool>("() => htmx.config.allowEval"));
        }

        var bobTap = await bob.RollDieAsync(20);
        var bobTyped = await bob.RollAsync("2d6+1");
        var deeTap = await dee.RollDieAsync(8);
        var deeTyped = await dee.RollAsync("1d20+3");
        foreach (var roll in new[] { bobTap, bobTyped, deeTap, deeTyped })
        {
            await Expect(dee.Row(roll)).ToHaveCountAsync(1);
            await Expect(bob.Row(roll)).ToHaveCountAsync(1);
        }

        var secret = await dee.RollDieAsync(20, hidden: true);
        await Expect(bob.Row(secret)).ToHaveCountAsync(1);
        await dee.RevealAsync(secret);
        await Expect(bob.Row(secret)).ToHaveAttributeAsync("data-total", new System.Text.RegularExpressions.Regex(@"^\d+$"));

        await dee.SetDcAsync(15);
        await Expect(bob.DcStatus).ToHaveAttributeAsync("data-dc", "15");

        dee.AcceptConfirmations();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Bob" }).ClickAsync();
        await Expect(bob.Notice).ToHaveAttributeAsync("data-notice", "player-kicked");
        await Expect(dee.Roster).ToHaveCountAsync(1);

        // No swap of the game left an inline style behind, and each page still has only its hashed stylesheet.
        foreach (var person in new[] { dee, bob })
        {
            Assert.Equal(0, await person.Page.Locator("[style]").CountAsync());
            Assert.Equal(1, await person.Page.Locator("style").CountAsync());
        }

        await AssertCleanAsync(deeWatched, "after the game");
        await AssertCleanAsync(bobWatched, "after the game");

        // The reload after the game (a fresh document, every partial rendered by the server) is clean too.
        await dee.Page.ReloadAsync();
        await dee.WaitUntilLiveAsync();
        await AssertCleanAsync(deeWatched, "reloaded the room");
        output.WriteLine($"played room {code}: 5 rolls (2 taps, 2 typed, 1 hidden + reveal), a DC and a kick; 0 policy violations");
    }
}
