using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// WCAG 2.2 AA in a real browser: axe-core on every kind of page in light and dark, the live announcements of
/// rolls, 44 px targets, a visible focus in reading order, and reduced motion.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed partial class AccessibilityTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task No_page_has_a_serious_or_critical_axe_violation_or_a_target_under_44px(string scheme)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        var site = server.BaseAddress;
        await using var dee = await Person.OpenAsync(chromium, site, "Dee");
        await using var bob = await Person.OpenAsync(chromium, site, "Bob");
        await using var stranger = await Person.OpenAsync(chromium, site, "Sam");
        var colors = new PageEmulateMediaOptions { ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light };
        foreach (var person in new[] { dee, bob, stranger })
        {
            await person.Page.EmulateMediaAsync(colors);
        }

        var findings = new List<(string Page, AxeViolation Violation)>();
        var smallTargets = new List<string>();
        async Task CheckAsync(string name, IPage page)
        {
            smallTargets.AddRange((await page.EvaluateAsync<string[]>(SmallTargets)).Select(t => $"{name}: {t}"));
            var violations = await Axe.RunAsync(page);
            output.WriteLine($"{scheme,-5} {name,-28} {violations.Count(v => v.IsSeriousOrWorse)} serious/critical, " +
                $"{violations.Count(v => !v.IsSeriousOrWorse)} other ({string.Join(", ", violations.Select(v => $"{v.Id}: {v.Impact} x{v.Nodes.Count}"))})");
            foreach (var review in violations.Where(v => !v.IsSeriousOrWorse))
            {
                output.WriteLine($"      {review.Id}: {string.Join(" ; ", review.Nodes.Take(4))}");
            }

            findings.AddRange(violations.Select(v => (name, v)));
        }

        await stranger.Page.GotoAsync(server.Url("/"));
        await CheckAsync("home", stranger.Page);
        await stranger.Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(stranger.Page.Locator("[data-error-code=INVALID_NAME]")).ToBeVisibleAsync();
        await CheckAsync("home, 422 re-rendered form", stranger.Page);

        // A DM-led room with a DC, a hidden roll, a revealed one, open rolls, a saved roll and a big roll.
        var code = await dee.CreateRoomAsync("dm-led");
        await bob.JoinAsync(code);
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        await dee.SetDcAsync(15);
        await dee.RollDieAsync(20, hidden: true);
        var revealed = await dee.RollDieAsync(20, hidden: true);
        await dee.RevealAsync(revealed);
        var bobs = await bob.RollDieAsync(20);
        await bob.RollAsync("12d6+3");
        await dee.Page.Locator("#preset-name").FillAsync("Longsword");
        await dee.Page.Locator("#preset-formula").FillAsync("1d20+5");
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(dee.Feed).ToHaveCountAsync(4);
        await Expect(bob.Feed).ToHaveCountAsync(4);
        await CheckAsync("room, DM view", dee.Page);
        await CheckAsync("room, player view", bob.Page);

        // An encounter running: the initiative tracker with a player, a hidden monster and the turn on someone.
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Start encounter" }).ClickAsync();
        await bob.Page.Locator("[data-roll-initiative]").ClickAsync();
        await Expect(dee.Page.Locator("[data-initiative-entry][data-name='Bob']")).ToHaveCountAsync(1);
        await dee.Page.Locator("form[data-add-monsters] input[name=name]").FillAsync("Goblin");
        await dee.Page.Locator("form[data-add-monsters] input[name=hidden]").CheckAsync();
        await dee.Page.Locator("form[data-add-monsters] button[type=submit]").ClickAsync();
        await Expect(bob.Page.Locator("[data-initiative-entry][data-name='Goblin']")).ToHaveAttributeAsync("data-total", "?");
        await dee.Page.Locator("[data-initiative-next]").ClickAsync();
        await Expect(bob.Page.Locator("[data-initiative-entry][aria-current='true']")).ToHaveCountAsync(1);
        await CheckAsync("room, encounter, DM view", dee.Page);
        await CheckAsync("room, encounter, player view", bob.Page);

        await stranger.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await CheckAsync("join by link", stranger.Page);
        await stranger.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(stranger.Page.Locator("[data-error-code=INVALID_NAME]")).ToBeVisibleAsync();
        await CheckAsync("join by link, 422", stranger.Page);

        await stranger.Page.GotoAsync(server.Url($"/roll/{bobs}"));
        await Expect(stranger.Page.Locator($"article[data-roll-id='{bobs}']")).ToBeVisibleAsync();
        await CheckAsync("permalink", stranger.Page);

        await bob.Page.GotoAsync(server.Url($"/rooms/{code}/stats"));
        await Expect(bob.Page.Locator("[data-die-size]").First).ToBeVisibleAsync();
        await CheckAsync("dice statistics", bob.Page);
        await stranger.Page.GotoAsync(server.Url($"/verify?url=/roll/{bobs}"));
        await Expect(stranger.Page.Locator("[data-verify-result]")).ToBeVisibleAsync();
        await CheckAsync("verify, a roll's checks", stranger.Page);
        var overlay = await dee.Page.Locator("[data-overlay-url]").GetAttributeAsync("data-overlay-url");
        await stranger.Page.GotoAsync(server.Url(new Uri(overlay!).AbsolutePath + "?theme=" + scheme));
        await Expect(stranger.Page.Locator("ol[data-overlay] > li[data-roll-id]").First).ToBeVisibleAsync();
        await CheckAsync("stream overlay", stranger.Page);

        var missing = await stranger.Page.GotoAsync(server.Url("/no-such-page"));
        Assert.Equal(404, missing!.Status);
        await CheckAsync("404 page", stranger.Page);
        var noRoom = await stranger.Page.GotoAsync(server.Url("/rooms/NOPE-0000"));
        Assert.Equal(404, noRoom!.Status);
        await CheckAsync("unknown room (404)", stranger.Page);

        var serious = findings.Where(f => f.Violation.IsSeriousOrWorse).Select(f => $"{f.Page}: {f.Violation}").ToList();
        Assert.True(serious.Count == 0, $"axe found serious or critical violations ({scheme}):\n{string.Join("\n", serious)}");
        Assert.True(smallTargets.Count == 0, $"Targets under 44x44 CSS px:\n{string.Join("\n", smallTargets)}");
    }

    [Fact]
    public async Task Who_joins_and_who_is_removed_is_said_once_on_the_other_pages()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").BuildAsync(chromium, server);
        var (code, dee) = table;
        // Bob and Ann join one by one while the others' pages are live, so each join reaches an open page.
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        await using var ann = await Person.OpenAsync(chromium, server.BaseAddress, "Ann");
        await dee.WaitUntilLiveAsync();

        await bob.JoinAsync(code);
        await bob.WaitUntilLiveAsync();
        await Expect(dee.RosterEntry("Bob")).ToHaveCountAsync(1);
        await Expect(dee.Page.Locator("#announcer > p[data-kind=roster]")).ToHaveTextAsync(["Bob joined the room."]);

        await ann.JoinAsync(code);
        await ann.WaitUntilLiveAsync();
        await Expect(bob.RosterEntry("Ann")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roster]")).ToHaveTextAsync(["Ann joined the room."]);
        await Expect(dee.Page.Locator("#announcer > p[data-kind=roster]")).ToHaveTextAsync(["Bob joined the room.", "Ann joined the room."]);

        dee.AcceptConfirmations();
        await dee.RosterEntry("Bob").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(ann.RosterEntry("Bob")).ToHaveCountAsync(0);
        await Expect(ann.Page.Locator("#announcer > p[data-kind=roster]")).ToHaveTextAsync(["Bob was removed from the room."]);
        await Expect(dee.Page.Locator("#announcer > p[data-kind=roster]")).ToHaveTextAsync(
            ["Bob joined the room.", "Ann joined the room.", "Bob was removed from the room."]);
        output.WriteLine($"Ann's screen reader heard: {string.Join(" | ", await ann.Page.Locator("#announcer > p").AllTextContentsAsync())}");
    }

    [Fact]
    public async Task Each_new_roll_is_announced_once_in_one_sentence_and_a_hidden_roll_without_its_values()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        await Expect(bob.ConnectionStatus).ToHaveAttributeAsync("role", "status");
        await Expect(bob.ConnectionStatus).ToHaveTextAsync("Live");
        await Expect(bob.Page.Locator("#announcer")).ToHaveAttributeAsync("aria-live", "polite");
        await dee.SetDcAsync(15);

        // Bob's own roll reaches his page twice (the htmx answer and the stream) and is said once.
        var bobs = await bob.RollDieAsync(20);
        await Expect(bob.Page.Locator($"#feed > li[data-roll-id='{bobs}']")).ToHaveCountAsync(1);
        await Expect(dee.Page.Locator($"#feed > li[data-roll-id='{bobs}']")).ToHaveCountAsync(1);
        var total = await bob.Page.Locator($"#feed > li[data-roll-id='{bobs}']").GetAttributeAsync("data-total");
        var verdict = int.Parse(total!, CultureInfo.InvariantCulture) >= 15 ? "passes" : "fails";
        var crit = total switch { "20" => ", Natural 20!", "1" => ", Natural 1!", _ => "" };
        var bobsSentence = $"Bob rolled {total}: 1d20, die {total}{crit}, {verdict} DC 15";
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roll]")).ToHaveTextAsync([bobsSentence]);
        await Expect(dee.Page.Locator("#announcer > p[data-kind=roll]")).ToHaveTextAsync([bobsSentence]);

        var secret = await dee.RollDieAsync(20, hidden: true);
        await Expect(bob.Page.Locator($"#feed > li[data-roll-id='{secret}'][data-hidden]")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roll]")).ToHaveTextAsync([bobsSentence, "Dee rolled in secret"]); // no formula: it tells the roll's size
        var secretTotal = await dee.Page.Locator($"#feed > li[data-roll-id='{secret}']").GetAttributeAsync("data-total");
        await Expect(dee.Page.Locator("#announcer > p[data-kind=roll]").Nth(1)).ToHaveTextAsync(new Regex($"^Dee rolled a hidden {secretTotal}: 1d20, die {secretTotal}(, Natural (20|1)!)?, (passes|fails) DC 15$"));

        await dee.RevealAsync(secret);
        await Expect(bob.Page.Locator($"#feed > li[data-roll-id='{secret}'][data-total='{secretTotal}']")).ToHaveCountAsync(1);
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roll]").Nth(2)).ToHaveTextAsync(new Regex($"^Revealed: Dee rolled {secretTotal}: 1d20, die {secretTotal}(, Natural (20|1)!)?, (passes|fails) DC 15$"));
        output.WriteLine($"Bob's screen reader heard: {string.Join(" | ", await bob.AnnouncementsAsync())}");
        Assert.Equal(3, (await bob.AnnouncementsAsync()).Count);
    }

    [Fact]
    public async Task Every_control_is_a_44px_target_and_the_keyboard_reaches_each_in_reading_order_with_a_visible_focus()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await dee.WaitUntilLiveAsync();
        await dee.RollDieAsync(20, hidden: true);
        await bob.RollDieAsync(6);
        await dee.Page.Locator("#preset-name").FillAsync("Longsword");
        await dee.Page.Locator("#preset-formula").FillAsync("1d20+5");
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(dee.Feed).ToHaveCountAsync(2);

        foreach (var (width, height) in new[] { (360, 640), (1280, 800) })
        {
            await dee.Page.SetViewportSizeAsync(width, height);
            var small = await dee.Page.EvaluateAsync<string[]>(SmallTargets);
            output.WriteLine($"{width}x{height}: {small.Length} targets under 44x44 px");
            Assert.True(small.Length == 0, $"Targets under 44x44 CSS px at {width}px:\n{string.Join("\n", small)}");
        }

        await dee.Page.ReloadAsync();
        await dee.WaitUntilLiveAsync();
        await Expect(dee.Page.Locator("#preset-list > li")).ToHaveCountAsync(1);
        var stops = new List<JsonElement>();
        for (var i = 0; i < 80; i++)
        {
            await dee.Page.Keyboard.PressAsync("Tab");
            var stop = await dee.Page.EvaluateAsync<JsonElement>(FocusedElement);
            if (stop.ValueKind == JsonValueKind.Null || (stops.Count > 0 && stop.GetProperty("index").GetInt32() <= stops[^1].GetProperty("index").GetInt32()))
            {
                break;
            }

            stops.Add(stop);
        }

        var names = stops.Select(s => s.GetProperty("name").GetString()).ToList();
        output.WriteLine($"{stops.Count} tab stops: {string.Join(" > ", names)}");
        Assert.Equal("Skip to content", names[0]);
        Assert.Contains("Roll 1d20", names);
        Assert.True(names.IndexOf("Roll 1d20") < names.IndexOf("Set DC"), "The dice pad comes before the DC form.");
        Assert.Contains(names, n => n!.StartsWith("Roll Longsword", StringComparison.Ordinal));
        Assert.Contains(names, n => n!.StartsWith("Reveal to everyone", StringComparison.Ordinal));
        var unseen = stops.Where(s => !s.GetProperty("visibleFocus").GetBoolean()).Select(s => s.GetProperty("name").GetString()).ToList();
        Assert.True(unseen.Count == 0, $"No visible focus indicator on: {string.Join(", ", unseen)}");
        Assert.Equal(0, await dee.Page.Locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").CountAsync());
    }

    [Fact]
    public async Task A_new_roll_does_not_animate_when_the_person_asks_for_reduced_motion()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        await alice.RollDieAsync(20);
        await Expect(alice.Feed).ToHaveCountAsync(1);
        var normal = await AnimationSecondsAsync(alice.Page);
        await alice.Page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        var reduced = await AnimationSecondsAsync(alice.Page);

        output.WriteLine($"New row animation: {normal} s normally, {reduced} s with prefers-reduced-motion.");
        Assert.True(normal > 0.1, $"Expected the arrival highlight to animate normally, got {normal} s.");
        Assert.True(reduced < 0.001, $"Expected no animation with reduced motion, got {reduced} s.");
    }

    private static async Task<double> AnimationSecondsAsync(IPage page) => double.Parse(
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#feed > li.roll')).animationDuration")).TrimEnd('s'),
        CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_link_that_stands_on_its_own_is_a_44px_target_on_a_phone()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await using var stranger = await Person.OpenAsync(chromium, server.BaseAddress, "Sam");
        foreach (var person in new[] { dee, bob, stranger })
        {
            await person.Page.SetViewportSizeAsync(390, 844);
        }

        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        var bobs = await bob.RollDieAsync(20);
        await Expect(dee.Feed).ToHaveCountAsync(1);

        var small = new List<string>();
        async Task CheckAsync(string name, IPage page)
        {
            var found = await page.EvaluateAsync<string[]>(SmallTargets);
            output.WriteLine($"{name}: {found.Length} targets under 44x44 px");
            small.AddRange(found.Select(t => $"{name}: {t}"));
        }

        await CheckAsync("room, DM view", dee.Page);
        await CheckAsync("room, player view", bob.Page);
        await stranger.Page.GotoAsync(server.Url($"/roll/{bobs}"));
        await CheckAsync("permalink", stranger.Page);
        await bob.Page.GotoAsync(server.Url($"/rooms/{code}/stats"));
        await Expect(bob.Page.Locator("[data-die-size]").First).ToBeVisibleAsync();
        await CheckAsync("dice statistics", bob.Page);
        await stranger.Page.GotoAsync(server.Url($"/verify?url=/roll/{bobs}"));
        await Expect(stranger.Page.Locator("[data-verify-result]")).ToBeVisibleAsync();
        await CheckAsync("verify", stranger.Page);

        // The page of a room that was closed: its notice links back to the start.
        await bob.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await bob.WaitUntilLiveAsync();
        dee.AcceptConfirmations();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Close the room" }).ClickAsync();
        await Expect(bob.Notice).ToBeVisibleAsync();
        await CheckAsync("room closed notice", bob.Page);
        Assert.True(small.Count == 0, $"Targets under 44x44 CSS px at 390 px:\n{string.Join("\n", small)}");
    }

    /// <summary>
    /// Every visible link, button and field under 44x44 CSS px (a radio or checkbox counts with its label). Links inside
    /// running text (words right before or after them) are exempt, as WCAG 2.5.8 exempts inline targets; a link with only
    /// separators such as " · " beside it stands on its own and is checked.
    /// </summary>
    private const string SmallTargets = """
        () => {
          const small = [];
          for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
            const target = el.matches("input[type=radio], input[type=checkbox]") ? (el.closest("label") || el) : el;
            const box = target.getBoundingClientRect();
            if (box.width <= 1 || box.height <= 1 || getComputedStyle(target).visibility === "hidden") { continue; }
            const words = (n) => !!n && n.nodeType === 3 && /[\p{L}\p{N}]/u.test(n.textContent);
            const inline = el.matches("a") && (words(el.previousSibling) || words(el.nextSibling));
            if (!inline && (box.width < 43.5 || box.height < 43.5)) {
              small.push(Math.round(box.width) + "x" + Math.round(box.height) + " " + target.outerHTML.slice(0, 140));
            }
          }
          return small;
        }
        """;

    /// <summary>The focused element: its accessible-ish name, document position, and whether its focus shows (outline of 2 px or more).</summary>
    private const string FocusedElement = """
        () => {
          const el = document.activeElement;
          if (!el || el === document.body) { return null; }
          const style = getComputedStyle(el);
          const visibleFocus = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
          const name = (el.getAttribute("aria-label") || el.innerText || el.value || el.id || el.tagName).trim().replace(/\s+/g, " ");
          return { name, index: [...document.querySelectorAll("*")].indexOf(el), visibleFocus };
        }
        """;
}
