using System.Diagnostics;

namespace DiceRoller.Bench;

/// <summary>What one run measured (one target, one step, one round).</summary>
internal sealed record RunResult(
    string Target, int Players, int Round, double DurationSeconds,
    int Scheduled, int Confirmed, int Failed, long Deliveries, long ExpectedDeliveries,
    int Gaps, int Duplicates, int OutOfOrder, long Missing,
    double[] RollMs, double[] DeliveryMs,
    double ServerCpuSeconds, double GeneratorCpuSeconds, string LoadAverage, string? Error = null)
{
    /// <summary>The length of the roll schedule (the run's duration option).</summary>
    public double ScheduleSeconds { get; init; }

    public bool Clean => Error is null && Gaps == 0 && Duplicates == 0 && OutOfOrder == 0 && Missing == 0;

    public double CpuPerThousandDeliveries => Deliveries == 0 ? double.NaN : ServerCpuSeconds * 1000 / Deliveries;

    public double GeneratorCpuPercent => GeneratorCpuSeconds * 100 / Math.Max(DurationSeconds, 0.001);
}

internal sealed record LoadSettings(int Players, int RoomSize, double RollsPerPlayerPerSecond, TimeSpan Duration, int Seed,
    TimeSpan Settle, TimeSpan DrainTimeout, int JoinConcurrency = 32)
{
    /// <summary>Rolls on the same schedule (another seed) before the measured one, not counted: a server that runs for hours has
    /// compiled its hot path to optimised code, so the figures should not include the JIT's first minutes.</summary>
    public TimeSpan Warmup { get; init; }
}

/// <summary>
/// The load generator: joins the players, opens one stream each, rolls open-loop on a seeded Poisson schedule
/// (latency counts from the intended send time, so a slow server cannot slow the schedule down), drains,
/// then checks every room's sequence as every member saw it.
/// </summary>
internal sealed class LoadRun(IProtocol protocol, SourcePool sources, LoadSettings settings)
{
    private long _arrivals;

    public List<BenchRoom> Rooms { get; } = [];

    public List<BenchPlayer> Players { get; } = [];

    private readonly CancellationTokenSource _streams = new();
    private readonly List<Task> _streamTasks = [];

    /// <summary>Creates the rooms and joins every player (rooms of <see cref="LoadSettings.RoomSize"/>), concurrently.</summary>
    public async Task JoinAsync(CancellationToken ct)
    {
        var roomCount = (settings.Players + settings.RoomSize - 1) / settings.RoomSize;
        for (var r = 0; r < roomCount; r++)
        {
            Rooms.Add(new BenchRoom(r));
        }

        for (var i = 0; i < settings.Players; i++)
        {
            var room = Rooms[i / settings.RoomSize];
            var source = i % sources.Clients.Length;
            var player = new BenchPlayer(i, room, sources.Clients[source], sources.Invokers[source]);
            room.Members.Add(player);
            Players.Add(player);
        }

        await Parallel.ForEachAsync(Rooms, new ParallelOptions { MaxDegreeOfParallelism = settings.JoinConcurrency, CancellationToken = ct },
            async (room, token) =>
            {
                await protocol.CreateRoomAsync(room.Members[0], token);
                foreach (var member in room.Members.Skip(1))
                {
                    await protocol.JoinAsync(member, token);
                }
            });
    }

    /// <summary>Opens every player's stream (a bounded number connecting at once) and waits until all are live.</summary>
    public async Task OpenStreamsAsync(CancellationToken ct)
    {
        using var connecting = new SemaphoreSlim(settings.JoinConcurrency * 4);
        foreach (var player in Players)
        {
            await connecting.WaitAsync(ct);
            _streamTasks.Add(Task.Run(async () =>
            {
                try
                {
                    await protocol.StreamAsync(player, OnRoll, _streams.Token);
                }
                catch (Exception ex) when (_streams.IsCancellationRequested || ex is OperationCanceledException)
                {
                    // Closed at the end of the run.
                }
                catch (Exception ex)
                {
                    player.Connected.TrySetException(ex);
                    throw;
                }
            }, CancellationToken.None));
            _ = player.Connected.Task.ContinueWith(_ => connecting.Release(), TaskScheduler.Default);
        }

        await Task.WhenAll(Players.Select(p => p.Connected.Task)).WaitAsync(TimeSpan.FromMinutes(5), ct);
    }

    private void OnRoll(BenchPlayer player, Arrival arrival)
    {
        player.Arrivals.Add(arrival);
        Interlocked.Increment(ref _arrivals);
    }

    /// <summary>The schedule: each player's rolls as a Poisson process, merged in time order (offsets in Stopwatch ticks).</summary>
    public static List<(long Offset, int Player)> Schedule(LoadSettings settings)
    {
        var random = new Random(settings.Seed);
        var schedule = new List<(long, int)>();
        var horizon = settings.Duration.TotalSeconds;
        for (var p = 0; p < settings.Players; p++)
        {
            var t = 0.0;
            while (true)
            {
                t += -Math.Log(1 - random.NextDouble()) / settings.RollsPerPlayerPerSecond;
                if (t >= horizon)
                {
                    break;
                }

                schedule.Add(((long)(t * Stopwatch.Frequency), p));
            }
        }

        schedule.Sort();
        return schedule;
    }

    public async Task<RunResult> RollAsync(string target, int round, int[] serverPids, CancellationToken ct)
    {
        await Task.Delay(settings.Settle, ct);
        if (settings.Warmup > TimeSpan.Zero)
        {
            await WarmUpAsync(ct);
        }

        var schedule = Schedule(settings);
        var serverCpu0 = ProcStat.CpuSeconds(serverPids);
        var generatorCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var failed = await SendAsync(schedule, ct);
        var expected = Rooms.Sum(r => (long)r.Sent.Count * r.Members.Count);
        await DrainAsync(expected, ct);
        var duration = wall.Elapsed.TotalSeconds;
        var serverCpu = ProcStat.CpuSeconds(serverPids) - serverCpu0;
        var generatorCpu = (Process.GetCurrentProcess().TotalProcessorTime - generatorCpu0).TotalSeconds;
        await _streams.CancelAsync();
        await Task.WhenAny(Task.WhenAll(_streamTasks), Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        return Check(target, round, schedule.Count, failed, expected, duration, serverCpu, generatorCpu);
    }

    /// <summary>The warm-up: rolls on another seed's schedule, delivered and then set aside (each member's check starts after them).</summary>
    private async Task WarmUpAsync(CancellationToken ct)
    {
        var schedule = Schedule(settings with { Duration = settings.Warmup, Seed = settings.Seed + 7919 });
        await SendAsync(schedule, ct);
        await DrainAsync(Rooms.Sum(r => (long)r.Sent.Count * r.Members.Count), ct);
        foreach (var room in Rooms)
        {
            room.Sent.Clear();
            foreach (var member in room.Members)
            {
                member.WarmupArrivals = member.Arrivals.Count;
                member.WarmupSequence = member.Arrivals.Count == 0 ? 0 : member.Arrivals.Max(a => a.Sequence);
            }
        }

        Interlocked.Exchange(ref _arrivals, 0);
    }

    /// <summary>Sends every roll of the schedule at its intended time, never waiting for a reply first; returns the failures.</summary>
    private async Task<int> SendAsync(List<(long Offset, int Player)> schedule, CancellationToken ct)
    {
        var failed = 0;
        var inFlight = new List<Task>(schedule.Count);
        var t0 = Stopwatch.GetTimestamp();
        foreach (var (offset, index) in schedule)
        {
            var due = t0 + offset;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, ct);
            }

            var player = Players[index];
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(60));
                    var id = await protocol.RollAsync(player, timeout.Token);
                    if (id is null)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    else
                    {
                        player.Room.Sent[id] = due;
                    }
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failed);
                }
            }, CancellationToken.None));
        }

        await Task.WhenAll(inFlight);
        return failed;
    }

    private async Task DrainAsync(long expected, CancellationToken ct)
    {
        var drainUntil = Stopwatch.GetTimestamp() + (long)(settings.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Interlocked.Read(ref _arrivals) < expected && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Every member's view of every room: gaps, duplicates, out-of-order, undelivered; and the latencies.</summary>
    private RunResult Check(string target, int round, int scheduled, int failed, long expected, double duration, double serverCpu, double generatorCpu)
    {
        int gaps = 0, duplicates = 0, outOfOrder = 0;
        long missing = 0, deliveries = 0;
        var rollMs = new List<double>();
        var deliveryMs = new List<double>();
        var msPerTick = 1000.0 / Stopwatch.Frequency;
        foreach (var room in Rooms)
        {
            var byMember = new List<Dictionary<string, long>>();
            foreach (var member in room.Members)
            {
                var seen = new HashSet<long>();
                var previous = member.WarmupSequence;
                var arrivals = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var arrival in member.Arrivals.Skip(member.WarmupArrivals))
                {
                    deliveries++;
                    if (!seen.Add(arrival.Sequence))
                    {
                        duplicates++;
                    }
                    else if (arrival.Sequence < previous)
                    {
                        outOfOrder++;
                    }
                    else if (arrival.Sequence > previous + 1)
                    {
                        gaps += (int)(arrival.Sequence - previous - 1);
                    }

                    previous = Math.Max(previous, arrival.Sequence);
                    arrivals.TryAdd(arrival.RollId, arrival.Timestamp);
                }

                byMember.Add(arrivals);
            }

            // A member that stopped short of the room's last roll when the drain ended is not a gap (a later roll reached
            // it while an earlier never did): those rolls count as missing below (not delivered in time).

            foreach (var (rollId, due) in room.Sent)
            {
                var latest = long.MinValue;
                var complete = true;
                foreach (var arrivals in byMember)
                {
                    if (arrivals.TryGetValue(rollId, out var at))
                    {
                        deliveryMs.Add((at - due) * msPerTick);
                        latest = Math.Max(latest, at);
                    }
                    else
                    {
                        missing++;
                        complete = false;
                    }
                }

                if (complete)
                {
                    rollMs.Add((latest - due) * msPerTick);
                }
            }
        }

        rollMs.Sort();
        deliveryMs.Sort();
        return new RunResult(target, settings.Players, round, duration, scheduled, Rooms.Sum(r => r.Sent.Count), failed, deliveries, expected,
            gaps, duplicates, outOfOrder, missing, [.. rollMs], [.. deliveryMs], serverCpu, generatorCpu, ProcStat.LoadAverage())
        {
            ScheduleSeconds = settings.Duration.TotalSeconds,
        };
    }

    public async Task CloseAsync()
    {
        await _streams.CancelAsync();
        await Task.WhenAny(Task.WhenAll(_streamTasks), Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        _streams.Dispose();
    }
}

/// <summary>CPU time and memory of processes, and the load average, from /proc.</summary>
internal static class ProcStat
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);

    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state(0) ... utime is field 14 of the whole line = index 11 here, stime index 12.
            return (double.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                + double.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>This process's limit of open files (soft, hard), from /proc/self/limits.</summary>
    public static (long Soft, long Hard) OpenFileLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                static long Parse(string text) => text == "unlimited" ? long.MaxValue : long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                return (Parse(fields[0]), Parse(fields[1]));
            }
        }

        return (long.MaxValue, long.MaxValue);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
