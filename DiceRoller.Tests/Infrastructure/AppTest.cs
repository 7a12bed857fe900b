using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// A test class that runs against a fresh app. Subclasses choose the store: the embedded default
/// (<see cref="ValkeyConnection"/> null) or a real Valkey server.
/// </summary>
public abstract class AppTest : IAsyncLifetime
{
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected AppFactory App => _app ??= new AppFactory(ValkeyConnection, Settings);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
