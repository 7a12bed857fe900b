using Microsoft.Playwright;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// One headless Debian Chromium for the browser test collection (Playwright's own browser download does not
/// work here, so it drives the system binary from <c>DICEROLLER_CHROMIUM</c>, else <see cref="DebianChromiums"/>). Each simulated person gets
/// their own <see cref="IBrowserContext"/>: separate cookies, separate network.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumVariable = "DICEROLLER_CHROMIUM";

    /// <summary>
    /// Without <c>DICEROLLER_CHROMIUM</c>, the first of these that exists: Debian's headless shell (package
    /// <c>chromium-headless-shell</c>, the same source and version as <c>chromium</c> in its old headless mode, the build
    /// Playwright runs headless by default), then the full browser. The 77 browser tests took 275 CPU s of Chromium in the
    /// shell against 684 in the full browser, 3 min 3 s against 6 min 31 s (docs/testing.md).
    /// </summary>
    private static readonly string[] DebianChromiums = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async Task InitializeAsync()
    {
        if (Tiers.Skipped(Tiers.Browser))
        {
            return;
        }

        var executable = Environment.GetEnvironmentVariable(ChromiumVariable);
        if (string.IsNullOrWhiteSpace(executable))
        {
            executable = DebianChromiums.FirstOrDefault(File.Exists) ?? DebianChromiums[0];
        }

        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"No Chromium at {executable}. Set {ChromiumVariable}, or run the tests with `bash scripts/test.sh`, which installs it.");
        }

        Assertions.SetDefaultExpectTimeout(Person.StepTimeoutMs);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// The browser tests run in two collections, each with its own Chromium and its own server per store, so the two run side by
/// side; within one, tests run one after another. One collection took 711 s of a 799 s `dotnet test` (CI at 233b368), the
/// floor under the whole run's wall clock; the classes are split by their measured durations (`scripts/test/summary.py` prints
/// each collection's sum), about half each.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ChromiumFixture>, ICollectionFixture<AppServers>
{
    public const string Name = "Browser";
}

/// <summary>The second half of the browser tests (see <see cref="BrowserCollection"/>).</summary>
[CollectionDefinition(Name)]
public sealed class SecondBrowserCollection : ICollectionFixture<ChromiumFixture>, ICollectionFixture<AppServers>
{
    public const string Name = "Browser (second)";
}
