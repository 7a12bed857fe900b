using System.Diagnostics;
using System.Globalization;
using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// A bounded flood on loopback, on both stores, while a normal table rolls throughout: one address (direct) tries to create
/// 30 rooms, then four more (through a trusted proxy's <c>X-Forwarded-For</c>) try 30 each at the same time, all solving
/// every proof asked of them. With the default burst, hourly limit and proof difficulty and a capacity of 60 rooms: the
/// first stops at its hourly limit, the rest at the capacity, exactly the capacity is made, every answer is a room, a 429
/// or a 503 (never another 5xx) and the table never misses a roll.
/// </summary>
public abstract class RoomFloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MaxRooms = 60;
    private const int Addresses = 5;
    private const int AttemptsPerAddress = 30;
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    /// <summary>The store's memory in bytes as the store reports it (Valkey's used_memory), or null when it has no such figure.</summary>
    protected virtual Task<long?> StoreMemoryAsync() => Task.FromResult<long?>(null);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private sealed record Outcomes(string Address, int Created, int HourlyRefusals, int Full, int ProofsSolved, int MaxBits, List<int> Other);

    [Fact]
    public async Task A_flood_from_five_addresses_makes_at_most_the_capacity_and_a_table_keeps_rolling()
    {
        var defaults = new RoomOptions();
        _app = new AppFactory(ValkeyConnection, new Dictionary<string, string?>
        {
            ["Rooms:MaxRooms"] = MaxRooms.ToString(CultureInfo.InvariantCulture),
            ["Rooms:CreateLimit"] = defaults.CreateLimit.ToString(CultureInfo.InvariantCulture),
            ["Rooms:CreateHourlyLimit"] = defaults.CreateHourlyLimit.ToString(CultureInfo.InvariantCulture),
            ["Rooms:ProofDifficulty"] = defaults.ProofDifficulty.ToString(CultureInfo.InvariantCulture),
            ["Rooms:ProofDifficultyStep"] = defaults.ProofDifficultyStep.ToString(CultureInfo.InvariantCulture),
            ["Rooms:ProofDifficultyMax"] = defaults.ProofDifficultyMax.ToString(CultureInfo.InvariantCulture),
            ["Rooms:ProofRateWindow"] = "01:00:00", // the whole flood in one window, however slow the machine
            ["Site:TrustedProxies:0"] = "10.0.0.0/8", // the test app's own address is a trusted proxy
        });

        // A normal table, from an address of its own: Dee's room, Bob and Ann joined.
        using var dee = Through(_app.NewBrowser(), "203.0.113.7");
        using var bob = Through(_app.NewBrowser(), "203.0.113.8");
        using var ann = Through(_app.NewBrowser(), "203.0.113.9");
        var table = await dee.CreateRoomAsync("Dee");
        await bob.JoinAsync(table, "Bob");
        await ann.JoinAsync(table, "Ann");

        var memoryBefore = await StoreMemoryAsync();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var flooding = new CancellationTokenSource();
        var rolls = RollThroughoutAsync(table, [dee, bob, ann], flooding.Token);
        var clock = Stopwatch.StartNew();

        var first = await FloodAsync(null, stop.Token);
        Outcomes[] floods = [first, .. await Task.WhenAll(Enumerable.Range(1, Addresses - 1).Select(i => FloodAsync($"198.51.100.{i}", stop.Token)))];
        var floodTime = clock.Elapsed;
        await flooding.CancelAsync();
        var (rolled, failed) = await rolls;
        var memoryAfter = await StoreMemoryAsync();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);

        foreach (var flood in floods)
        {
            output.WriteLine($"{flood.Address}: {flood.Created} rooms, {flood.HourlyRefusals} x 429 (hourly limit), {flood.Full} x 503 (full), " +
                $"{flood.ProofsSolved} proofs solved, hardest {flood.MaxBits} bits, other answers: [{string.Join(", ", flood.Other)}]");
        }

        var created = floods.Sum(f => f.Created);
        output.WriteLine($"flood: {created} rooms made in {floodTime.TotalSeconds:0.0} s ({Addresses} addresses x {AttemptsPerAddress} attempts, capacity {MaxRooms} with the table's room)");
        output.WriteLine(memoryBefore is { } before && memoryAfter is { } after
            ? $"Valkey used_memory: {before:N0} -> {after:N0} bytes (+{after - before:N0}, {(after - before) / Math.Max(1, created + 1):N0} per room made)"
            : $"embedded store: managed heap {heapBefore:N0} -> {heapAfter:N0} bytes (+{heapAfter - heapBefore:N0}, the whole process)");
        output.WriteLine($"table: {rolled} rolls during the flood, {failed.Count} failed [{string.Join(", ", failed)}]");

        Assert.Equal(MaxRooms - 1, created);
        Assert.All(floods, f => Assert.InRange(f.Created, 0, defaults.CreateHourlyLimit));
        Assert.All(floods, f => Assert.Empty(f.Other));
        Assert.Equal((defaults.CreateHourlyLimit, AttemptsPerAddress - defaults.CreateHourlyLimit, 0), (first.Created, first.HourlyRefusals, first.Full));
        Assert.True(floods.Sum(f => f.Full) > 0, "the flood reached the capacity");
        Assert.Empty(failed);
        Assert.True(rolled >= 10, $"the table rolled throughout ({rolled} rolls)");
        Assert.Equal(HttpStatusCode.OK, (await ann.GetAsync($"/rooms/{table}")).Status);
    }

    private static Browser Through(Browser browser, string address)
    {
        browser.Client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return browser;
    }

    /// <summary>
    /// One address creating rooms as fast as it can, solving each proof it is given, at most <see cref="AttemptsPerAddress"/>
    /// times. Like a script, each attempt starts without the cookies of the rooms made before (a browser holding twenty room
    /// cookies sends a header the server refuses).
    /// </summary>
    private async Task<Outcomes> FloodAsync(string? forwardedFor, CancellationToken ct)
    {
        var (created, hourly, full, solved, maxBits, other) = (0, 0, 0, 0, 0, new List<int>());
        for (var attempt = 0; attempt < AttemptsPerAddress && !ct.IsCancellationRequested; attempt++)
        {
            using var browser = _app!.NewBrowser();
            if (forwardedFor is not null)
            {
                Through(browser, forwardedFor);
            }

            var page = await browser.PostAsync("/rooms", ("player_name", "Mal"), ("mode", "open"));
            if (page.Status == HttpStatusCode.TooManyRequests && page.Document.QuerySelector("#create-form input[name=pow_token]") is { } tokenInput)
            {
                var bits = int.Parse(page.Document.QuerySelector("#create-form")!.GetAttribute("data-pow-bits")!, CultureInfo.InvariantCulture);
                var token = tokenInput.GetAttribute("value")!;
                var nonce = await Task.Run(() => CapacityTests.Solve(token, bits), ct);
                (solved, maxBits) = (solved + 1, Math.Max(maxBits, bits));
                page = await browser.PostAsync("/rooms", ("player_name", "Mal"), ("mode", "open"), ("pow_token", token), ("pow_nonce", nonce));
            }

            switch (page.Status)
            {
                case HttpStatusCode.SeeOther:
                    created++;
                    break;
                case HttpStatusCode.TooManyRequests when page.ErrorText?.Contains("in the last hour", StringComparison.Ordinal) == true && page.RetryAfter > 0:
                    hourly++;
                    break;
                case HttpStatusCode.ServiceUnavailable when page.ErrorCode == "SERVICE_UNAVAILABLE" && page.RetryAfter > 0
                    && page.ErrorText!.Contains("This server is full right now", StringComparison.Ordinal):
                    full++;
                    break;
                default:
                    other.Add((int)page.Status);
                    break;
            }
        }

        return new Outcomes(forwardedFor ?? "direct", created, hourly, full, solved, maxBits, other);
    }

    /// <summary>The table's three players take turns rolling until the flood is over; every roll must succeed.</summary>
    private static async Task<(int Rolled, List<string> Failed)> RollThroughoutAsync(string code, Browser[] players, CancellationToken until)
    {
        var (rolled, failed) = (0, new List<string>());
        while (!until.IsCancellationRequested)
        {
            var player = players[rolled % players.Length];
            var page = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "2d6"), ("modifier", "3"), ("advantage", "none"));
            if (page.Status != HttpStatusCode.OK || page.Document.QuerySelector("[data-roll-id]") is null)
            {
                failed.Add($"{(int)page.Status} {page.ErrorCode}");
            }

            rolled++;
            try
            {
                await Task.Delay(100, until); // a table rolls a few times a second at most
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (rolled, failed);
    }
}

public sealed class RoomFloodEmbeddedTests(ITestOutputHelper output) : RoomFloodTests(output);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RoomFloodValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : RoomFloodTests(output)
{
    protected override string? ValkeyConnection => $"{valkey.ConnectionString},defaultDatabase={CapacityValkeyTests.Database}";

    public override async Task InitializeAsync() => await CapacityValkeyTests.EmptyAsync(valkey);

    protected override async Task<long?> StoreMemoryAsync() => await UsedMemoryAsync(valkey);

    /// <summary>INFO memory's used_memory (INFO is an admin command for the client library: a connection of its own).</summary>
    internal static async Task<long> UsedMemoryAsync(ValkeyServer valkey)
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(valkey.ConnectionString + ",allowAdmin=true");
        var info = await admin.GetServers()[0].InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).Single(e => e.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
