namespace DiceRoller.Tests.E2E;

/// <summary>Builds a <see cref="TablePlan"/> in real Chromium: one <see cref="Person"/> (own browser context) a seat.</summary>
public static class BrowserTable
{
    /// <summary>
    /// Opens everyone's browser, then the host creates the room from the home page and each player joins with its code
    /// from the home page, as people do. Nobody is waited on to be live: each test waits on what it needs.
    /// </summary>
    public static async Task<Table<Person>> BuildAsync(this TablePlan plan, ChromiumFixture chromium, AppServer server, bool javaScript = true)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(server);
        var seats = new List<(string Name, Person Client)>();
        try
        {
            foreach (var seat in plan.Everyone)
            {
                seats.Add((seat.Name, await Person.OpenAsync(chromium, server.BaseAddress, seat.Name, javaScript)));
            }

            var code = await seats[0].Client.CreateRoomAsync(plan.Mode);
            foreach (var (_, person) in seats.Skip(1))
            {
                await person.JoinAsync(code);
            }

            return new Table<Person>(code, seats, person => person.DisposeAsync());
        }
        catch
        {
            foreach (var (_, person) in seats)
            {
                await person.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits until every page at the table shows its live connection.</summary>
    public static Task EveryoneLiveAsync(this Table<Person> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Task.WhenAll(table.Everyone.Select(p => p.WaitUntilLiveAsync()));
    }
}
