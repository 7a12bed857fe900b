using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// A test class that runs against an app. Subclasses choose the store: the embedded default
/// (<see cref="ValkeyConnection"/> null) or a real Valkey server. By default each test gets a fresh app; a class whose
/// tests do not depend on fresh process state (each makes its own rooms and counts nothing global, no clock moved, no
/// option overridden per test, no store stopped) passes its <see cref="SharedApp"/> fixture to share one app among its
/// tests (each test still comes from a client address of its own).
/// </summary>
public abstract class AppTest : IAsyncLifetime
{
    private readonly SharedApp? _shared;
    private AppFactory? _app;

    protected AppTest()
    {
    }

    protected AppTest(SharedApp shared) => _shared = shared;

    protected virtual string? ValkeyConnection => null;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected AppFactory App => _app ??= _shared is null ? new AppFactory(ValkeyConnection, Settings) : _shared.ForNextTest(() => new AppFactory(ValkeyConnection, Settings));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        if (_app is not null && _shared is null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// One app for all the tests of a class (<c>IClassFixture&lt;SharedApp&gt;</c>): xunit makes it before the class's first
/// test and disposes it after the last; the first test that asks starts the app with its class's settings. Tests of a class
/// run one after another, so they never use it at the same time.
/// </summary>
public sealed class SharedApp : IAsyncLifetime
{
    private AppFactory? _app;

    internal AppFactory ForNextTest(Func<AppFactory> start)
    {
        if (_app is null)
        {
            _app = start();
        }
        else
        {
            _app.NextClientAddress();
        }

        return _app;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
