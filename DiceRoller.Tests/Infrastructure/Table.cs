namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The scenario builder shared by endpoint and browser tests: a set-up reads like the table it builds.
/// <code>
/// await using var table = await Table.DmLed("Dee").Players("Bob", "Ann").BuildAsync(App);   // endpoint test: Browsers
/// await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(chromium, server); // browser test: Persons
/// var (code, dee, bob, ann) = table;
/// </code>
/// Building does only what people do: the host creates the room, then each player joins in the order given.
/// No extra requests, so a test sees the same traffic as if it had written the steps itself.
/// </summary>
public static class Table
{
    /// <summary>A DM-led room created by <paramref name="dm"/>, who is its DM.</summary>
    public static TablePlan DmLed(string dm = "Dee", string? userAgent = null) => new("dm-led", new Seat(dm, userAgent), []);

    /// <summary>An open room created by <paramref name="host"/>, who is its creator.</summary>
    public static TablePlan Open(string host = "Alice", string? userAgent = null) => new("open", new Seat(host, userAgent), []);
}

/// <summary>One person at the table; <see cref="UserAgent"/> is for endpoint tests about devices (null: the builder's default; Chromium keeps its own).</summary>
public sealed record Seat(string Name, string? UserAgent = null);

/// <summary>A table still to build: the room's mode, who creates it, who joins (immutable: each step returns a new plan).</summary>
public sealed record TablePlan(string Mode, Seat Host, IReadOnlyList<Seat> Joiners)
{
    /// <summary>Players who join after the host, in this order.</summary>
    public TablePlan Players(params string[] names) => this with { Joiners = [.. Joiners, .. names.Select(n => new Seat(n))] };

    /// <summary>One player who joins from a browser that says <paramref name="userAgent"/>.</summary>
    public TablePlan Player(string name, string userAgent) => this with { Joiners = [.. Joiners, new Seat(name, userAgent)] };

    /// <summary>Everyone, host first.</summary>
    public IEnumerable<Seat> Everyone => Joiners.Prepend(Host);
}

/// <summary>
/// A built table: the room's code and each person's client (<see cref="Browser"/> in endpoint tests, a Chromium
/// <c>Person</c> in browser tests), by name or host first. Disposing it closes every client.
/// </summary>
public sealed class Table<TClient> : IAsyncDisposable
    where TClient : notnull
{
    private readonly List<(string Name, TClient Client)> _seats;
    private readonly Func<TClient, ValueTask> _close;

    internal Table(string code, IEnumerable<(string Name, TClient Client)> seats, Func<TClient, ValueTask> close)
    {
        Code = code;
        _seats = seats.ToList();
        _close = close;
    }

    /// <summary>The room's code, e.g. <c>BRAVE-1234</c>.</summary>
    public string Code { get; }

    /// <summary>The room's creator (the DM of a DM-led room).</summary>
    public TClient Host => _seats[0].Client;

    /// <summary>Everyone's client, host first, then the players in the order they joined.</summary>
    public IReadOnlyList<TClient> Everyone => _seats.Select(s => s.Client).ToList();

    public TClient this[string name] => _seats.Single(s => s.Name == name).Client;

    public void Deconstruct(out string code, out TClient host) => (code, host) = (Code, Host);

    public void Deconstruct(out string code, out TClient host, out TClient player) =>
        (code, host, player) = (Code, Host, _seats[1].Client);

    public void Deconstruct(out string code, out TClient host, out TClient player1, out TClient player2) =>
        (code, host, player1, player2) = (Code, Host, _seats[1].Client, _seats[2].Client);

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, client) in _seats)
        {
            await _close(client);
        }
    }
}

/// <summary>Builds a <see cref="TablePlan"/> in the in-memory app, one cookie-keeping <see cref="Browser"/> a person.</summary>
public static class HttpTable
{
    /// <summary>
    /// Opens a browser per person (user agent <c>{Name}/1.0</c> unless the seat says otherwise, so every device
    /// differs), creates the room as the host and joins the players over the HTML forms.
    /// </summary>
    public static async Task<Table<Browser>> BuildAsync(this TablePlan plan, AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(app);
        var seats = plan.Everyone.Select(s => (s.Name, Client: app.NewBrowser(s.UserAgent ?? $"{s.Name}/1.0"))).ToList();
        try
        {
            var code = await seats[0].Client.CreateRoomAsync(plan.Host.Name, plan.Mode);
            foreach (var (name, browser) in seats.Skip(1))
            {
                await browser.JoinAsync(code, name);
            }

            return new Table<Browser>(code, seats, Close);
        }
        catch
        {
            seats.ForEach(s => s.Client.Dispose());
            throw;
        }
    }

    private static ValueTask Close(Browser browser)
    {
        browser.Dispose();
        return ValueTask.CompletedTask;
    }
}
