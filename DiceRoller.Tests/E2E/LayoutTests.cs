using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The pages people use on a phone and on a laptop, filled with real content. Set <c>DICEROLLER_SCREENSHOTS</c>
/// to a folder to also save a full-page screenshot of each, for a person to look at.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    public const string ScreenshotsVariable = "DICEROLLER_SCREENSHOTS";

    private static readonly ViewportSize[] Screens = [new() { Width = 360, Height = 640 }, new() { Width = 1280, Height = 800 }];

    /// <summary>Elements whose right edge is past the viewport, described for the failure message.</summary>
    private const string Overflowing = """
        () => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width) { return []; }
          return [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")} right=${Math.round(e.getBoundingClientRect().right)}`)
            .slice(0, 10);
        }
        """;

    [Fact]
    public async Task Home_room_and_permalink_pages_fit_phone_and_laptop_screens_without_sideways_scrolling()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dana").Players("Bartholomew Longname").BuildAsync(chromium, server);
        var (code, dana, bob) = table;
        await using var visitor = await Person.OpenAsync(chromium, server.BaseAddress, "Visitor");
        await Task.WhenAll(dana.WaitUntilLiveAsync(), bob.WaitUntilLiveAsync());

        await dana.RollAsync("1d20");
        await dana.RollAsync("5d100", hidden: true);
        await dana.SetDcAsync(12);
        await Expect(bob.DcStatus).ToHaveAttributeAsync("data-dc", "12");
        await bob.Page.Locator("input[name=advantage][value=advantage]").CheckAsync();
        var graded = await bob.RollAsync("1d20+3");
        await bob.Page.Locator("input[name=advantage][value=none]").CheckAsync();
        await bob.RollAsync("24d6+20");
        await Expect(dana.Feed).ToHaveCountAsync(4);
        await Expect(bob.Feed).ToHaveCountAsync(4);
        await Expect(bob.Row(graded)).ToHaveAttributeAsync("data-dc", "12");

        var pages = new Dictionary<string, IPage>
        {
            ["home"] = visitor.Page,
            ["room-dm"] = dana.Page,
            ["room-player"] = bob.Page,
            ["permalink"] = await visitor.Context.NewPageAsync(),
        };
        await visitor.Page.GotoAsync(server.Url("/"));
        await pages["permalink"].GotoAsync(server.Url($"/roll/{graded}"));

        var folder = Environment.GetEnvironmentVariable(ScreenshotsVariable);
        var problems = new List<string>();
        foreach (var screen in Screens)
        {
            foreach (var (name, page) in pages)
            {
                await page.SetViewportSizeAsync(screen.Width, screen.Height);
                var overflowing = await page.EvaluateAsync<string[]>(Overflowing);
                if (overflowing.Length > 0)
                {
                    problems.Add($"{name} at {screen.Width}px scrolls sideways: {string.Join("; ", overflowing)}");
                }

                if (!string.IsNullOrWhiteSpace(folder))
                {
                    Directory.CreateDirectory(folder);
                    var file = Path.Combine(folder, $"{name}-{screen.Width}x{screen.Height}.png");
                    await page.ScreenshotAsync(new() { Path = file, FullPage = true });
                    output.WriteLine($"Saved {file}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
