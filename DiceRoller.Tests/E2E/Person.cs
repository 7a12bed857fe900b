using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>One row of a room's feed as the browser shows it.</summary>
public sealed record FeedRow(string RollId, long Sequence);

/// <summary>
/// A simulated person: their own browser context (cookies, network) and one tab, with the steps people take
/// in DiceRoller. Locators follow the page contract (ids and data attributes), not the styling.
/// </summary>
public sealed partial class Person : IAsyncDisposable
{
    /// <summary>
    /// Generous for a loaded 2-core CI machine (two suites at once, a Valkey cluster and PostgreSQL beside them made 10 s
    /// page loads time out); a step that passes returns as soon as its condition holds, so this costs nothing when green.
    /// </summary>
    public const float StepTimeoutMs = 30_000;

    /// <summary>
    /// Runs in the page before its own scripts (JavaScript on only): notes when each feed row first appears,
    /// every roll event the SSE stream delivers (even ones app.js then drops) and when Roll was last clicked.
    /// It only watches; it changes nothing the app does.
    /// </summary>
    private const string Watcher = """
        (() => {
          const e2e = window.__e2e = { rowSeenAt: {}, rollEvents: [], rollClickedAt: null };
          new MutationObserver(() => {
            for (const row of document.querySelectorAll("#feed > li[data-roll-id]")) {
              if (!(row.dataset.rollId in e2e.rowSeenAt)) { e2e.rowSeenAt[row.dataset.rollId] = Date.now(); }
            }
          }).observe(document, { childList: true, subtree: true });
          document.addEventListener("htmx:sseBeforeMessage", event => {
            if (event.detail && event.detail.type === "roll") { e2e.rollEvents.push(Number(event.detail.lastEventId)); }
          });
          document.addEventListener("click", event => {
            if (event.target instanceof Element && event.target.closest("#roll-form button[type=submit]")) {
              e2e.rollClickedAt = Date.now();
            }
          }, true);
        })();
        """;

    private readonly Uri _site;
    private int _navigations;

    private Person(string name, IBrowserContext context, IPage page, Uri site)
    {
        Name = name;
        Context = context;
        Page = page;
        _site = site;
        page.SetDefaultTimeout(StepTimeoutMs);
        page.FrameNavigated += (_, frame) =>
        {
            if (frame == page.MainFrame)
            {
                Interlocked.Increment(ref _navigations);
            }
        };
    }

    public string Name { get; }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>How many times the tab has loaded a document (a reload or a redirect counts).</summary>
    public int Navigations => Volatile.Read(ref _navigations);

    public ILocator Feed => Page.Locator("ol#feed > li[data-roll-id]");

    public ILocator Roster => Page.Locator("ul#roster > li[data-player-id]");

    public ILocator ConnectionStatus => Page.Locator("#connection-status");

    public ILocator Live => Page.Locator("#live");

    /// <summary>The Roll button of the typed formula ("Advanced"); the die buttons are <see cref="DieButton"/>.</summary>
    public ILocator RollButton => Page.Locator("#roll-submit");

    /// <summary>The dice pad's button for a d<paramref name="sides"/>: one tap rolls it.</summary>
    public ILocator DieButton(int sides) => Page.Locator($"#roll-form button[name=die][value='{sides}']");

    /// <summary>A new person in their own browser context, reaching the app at <paramref name="site"/>.</summary>
    public static async Task<Person> OpenAsync(ChromiumFixture chromium, Uri site, string name, bool javaScript = true)
    {
        ArgumentNullException.ThrowIfNull(chromium);
        ArgumentNullException.ThrowIfNull(site);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScript });
        if (javaScript)
        {
            await context.AddInitScriptAsync(Watcher);
        }

        var page = await context.NewPageAsync();
        return new Person(name, context, page, site);
    }

    /// <summary>Creates a room from the home page and returns its code (the page is then the room).</summary>
    public async Task<string> CreateRoomAsync(string mode = "open")
    {
        await Page.GotoAsync(new Uri(_site, "/").ToString());
        await Page.Locator("#create-name").FillAsync(Name);
        await Page.Locator($"input[name=mode][value={mode}]").CheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        return await InRoomAsync();
    }

    /// <summary>Joins a room with its code from the home page.</summary>
    public async Task JoinAsync(string code)
    {
        await Page.GotoAsync(new Uri(_site, "/").ToString());
        await Page.Locator("#join-code").FillAsync(code);
        await Page.Locator("#join-name").FillAsync(Name);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        Assert.Equal(code, await InRoomAsync());
    }

    public Task WaitUntilLiveAsync() => Expect(ConnectionStatus).ToHaveAttributeAsync("data-state", "live");

    /// <summary>The DM's "Hidden roll" checkbox in the roll form (absent for everyone else).</summary>
    public ILocator HiddenCheckbox => Page.Locator("#roll-form input[type=checkbox][name=hidden]");

    /// <summary>The DM's DC form (absent for everyone else).</summary>
    public ILocator DcInput => Page.Locator("#dc-panel #dc-input");

    public ILocator DcStatus => Page.Locator("#dc-panel #dc-status");

    public ILocator Notice => Page.Locator("#room-notice [data-notice]");

    /// <summary>A roll's row in the feed.</summary>
    public ILocator Row(string rollId) => Page.Locator($"ol#feed > li[data-roll-id='{rollId}']");

    /// <summary>A player's line in the roster (names in a test must not contain one another).</summary>
    public ILocator RosterEntry(string name) => Roster.Filter(new() { HasText = name });

    /// <summary>Rolls with the form (htmx, JavaScript on) and returns the roll id shown in the own result.</summary>
    public async Task<string> RollAsync(string dice = "1d20", bool hidden = false)
    {
        var previous = await LastOwnRollAsync();
        await Page.Locator("#roll-dice").FillAsync(dice);
        if (hidden || await HiddenCheckbox.CountAsync() > 0)
        {
            await HiddenCheckbox.SetCheckedAsync(hidden);
        }

        await RollButton.ClickAsync();
        return await NextOwnRollAsync(previous);
    }

    /// <summary>The id of the roll shown in this person's own result (#roll-result), or null.</summary>
    internal Task<string?> LastOwnRollAsync() => Page.EvaluateAsync<string?>(
        "() => document.querySelector('#roll-result > li[data-roll-id]')?.dataset.rollId ?? null");

    /// <summary>Waits until the own result shows a roll other than <paramref name="previous"/> and returns its id.</summary>
    internal async Task<string> NextOwnRollAsync(string? previous)
    {
        var rollId = await Page.WaitForFunctionAsync(
            """
            previous => {
              const row = document.querySelector("#roll-result > li[data-roll-id]");
              return row && row.dataset.rollId !== previous ? row.dataset.rollId : null;
            }
            """, previous ?? "");
        return await rollId.JsonValueAsync<string>();
    }

    /// <summary>The DM submits the DC form in #dc-panel (null clears the DC) and waits until the page shows it.</summary>
    public async Task SetDcAsync(int? dc)
    {
        var text = dc?.ToString(CultureInfo.InvariantCulture) ?? "";
        await DcInput.FillAsync(text);
        await Page.Locator("#dc-panel").GetByRole(AriaRole.Button, new() { Name = "Set DC" }).ClickAsync();
        await Expect(DcStatus).ToHaveAttributeAsync("data-dc", text);
    }

    /// <summary>Accepts every confirm() dialog from now on (htmx's hx-confirm), as a person clicking OK would.</summary>
    public void AcceptConfirmations() => Page.Dialog += async (_, dialog) => await dialog.AcceptAsync();

    /// <summary>Puts a random marker on the current document; a reload or navigation would lose it.</summary>
    public async Task<string> MarkPageAsync()
    {
        var marker = Guid.NewGuid().ToString("N");
        await Page.EvaluateAsync("marker => { window.__e2eMarker = marker; }", marker);
        return marker;
    }

    public Task<string?> PageMarkerAsync() => Page.EvaluateAsync<string?>("() => window.__e2eMarker ?? null");

    /// <summary>When (Unix ms, the page's clock) Roll was last clicked.</summary>
    public Task<double> RollClickedAtAsync() => Page.EvaluateAsync<double>("() => window.__e2e.rollClickedAt");

    /// <summary>When (Unix ms, the page's clock) the feed first showed the roll.</summary>
    public Task<double> RowSeenAtAsync(string rollId) => Page.EvaluateAsync<double>("id => window.__e2e.rowSeenAt[id]", rollId);

    /// <summary>The sequence numbers of every roll event the page's SSE stream delivered, in arrival order.</summary>
    public Task<long[]> RollEventsReceivedAsync() => Page.EvaluateAsync<long[]>("() => window.__e2e.rollEvents");

    /// <summary>The feed rows top to bottom (newest first), read through locators so it works without JavaScript.</summary>
    public async Task<IReadOnlyList<FeedRow>> FeedRowsAsync()
    {
        var rows = new List<FeedRow>();
        foreach (var row in await Feed.AllAsync())
        {
            var id = await row.GetAttributeAsync("data-roll-id") ?? "";
            var sequence = long.Parse(await row.GetAttributeAsync("data-sequence") ?? "", CultureInfo.InvariantCulture);
            rows.Add(new FeedRow(id, sequence));
        }

        return rows;
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    /// <summary>
    /// Waits until <paramref name="page"/> shows <paramref name="url"/> and its document is parsed with its deferred scripts
    /// (htmx, app.js) run. Polls the URL and document.readyState instead of <c>WaitForURLAsync</c>, whose wait for a
    /// lifecycle event of a just-committed page timed out in two loaded full-suite runs although the page was there (its log
    /// listed "networkidle", once also "load", as fired while it waited 30 s for "load", then for "domcontentloaded").
    /// </summary>
    public static async Task ArriveAsync(IPage page, Regex url)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Expect(page).ToHaveURLAsync(url);
        await page.WaitForFunctionAsync("() => document.readyState !== 'loading'");
    }

    /// <inheritdoc cref="ArriveAsync(IPage, Regex)"/>
    public static Task ArriveAsync(IPage page, string url) => ArriveAsync(page, new Regex("^" + Regex.Escape(url) + "$"));

    private async Task<string> InRoomAsync()
    {
        await ArriveAsync(Page, RoomUrl());
        var code = await Page.Locator("[data-room-code]").GetAttributeAsync("data-room-code");
        Assert.False(string.IsNullOrEmpty(code));
        return code;
    }

    [GeneratedRegex(@"/rooms/[A-Z]+-\d{4}$")]
    private static partial Regex RoomUrl();
}
