using System.Globalization;

namespace DiceRoller.Bench;

internal sealed record MemoryResult(string Target, int Streams, long RssBeforeBytes, long RssAfterBytes, string? Error = null)
{
    public double KbPerStream => (RssAfterBytes - RssBeforeBytes) / 1024.0 / Streams;
}

internal sealed class BenchOptions
{
    public int[] Steps { get; private set; } = [400, 800, 1600, 3200];
    public int Rounds { get; private set; } = 3;
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(30);
    public double Rate { get; private set; } = 0.2;
    public int RoomSize { get; private set; } = 8;
    public int Seed { get; private set; } = 12;
    public string[] Targets { get; private set; } = DiceRoller.Bench.Targets.All;
    public int[] Memory { get; private set; } = [];
    /// <summary>The git revision of the baseline build (<c>--baseline REV</c>), for the table's "Reproduce" line.</summary>
    public string? BaselineRev { get; private set; }

    public string[] MemoryTargets { get; private set; } = [DiceRoller.Bench.Targets.Embedded];
    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(3);
    public TimeSpan Drain { get; private set; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(90);
    public int Sources { get; private set; } = 40;

    /// <summary>Seconds the memory run stays open after it measured (its server's PID is printed), to inspect it (dotnet-gcdump).</summary>
    public TimeSpan MemoryHold { get; private set; }

    /// <summary>Keeps each run's folder (the server's log) instead of deleting it.</summary>
    public bool Keep { get; private set; }
    public bool Smoke { get; private set; }
    public int SaturatePlayers { get; private set; }
    public double[] SaturateRates { get; private set; } = [0.5, 1, 2, 4, 8, 16];
    public string ResultsDir { get; private set; } = "bench/results";
    public BenchPaths Paths { get; private set; } = null!;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        string repo = ".", app = "", baseline = "", bare = "", socketio = "", work = Path.GetTempPath(), cores = "0";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            static int[] Ints(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            switch (args[i])
            {
                case "--steps": o.Steps = Ints(Next()); break;
                case "--rounds": o.Rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--duration": o.Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--rate": o.Rate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--room-size": o.RoomSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": o.Seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--targets": o.Targets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--memory": o.Memory = Ints(Next()); break;
                case "--memory-targets": o.MemoryTargets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--settle": o.Settle = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--warmup": o.Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--drain": o.Drain = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--memory-hold": o.MemoryHold = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--keep": o.Keep = true; break;
                case "--sources": o.Sources = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--smoke":
                    o.Smoke = true;
                    o.Steps = [40];
                    o.Rounds = 1;
                    o.Duration = TimeSpan.FromSeconds(10);
                    o.Warmup = TimeSpan.FromSeconds(2);
                    // The bare broadcaster under the same load, for its CPU per 1,000 deliveries beside each store's (issue 22).
                    o.Targets = [DiceRoller.Bench.Targets.Embedded, DiceRoller.Bench.Targets.Valkey, DiceRoller.Bench.Targets.Bare];
                    break;
                case "--results": o.ResultsDir = Next(); break;
                case "--saturate": o.SaturatePlayers = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--saturate-rates":
                    o.SaturateRates = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
                    break;
                case "--repo": repo = Next(); break;
                case "--app": app = Next(); break;
                case "--baseline-app": baseline = Next(); break;
                case "--baseline-rev": o.BaselineRev = Next(); break;
                case "--bare": bare = Next(); break;
                case "--socketio": socketio = Next(); break;
                case "--work": work = Next(); break;
                case "--server-cores": cores = Next(); break;
                default: throw new ArgumentException($"unknown option {args[i]} (see scripts/bench.sh)");
            }
        }

        foreach (var target in o.Targets.Concat(o.MemoryTargets))
        {
            if (!DiceRoller.Bench.Targets.Known.Contains(target))
            {
                throw new ArgumentException($"unknown target {target}: one of {string.Join(", ", DiceRoller.Bench.Targets.Known)}");
            }
        }

        o.Paths = new BenchPaths(Path.GetFullPath(repo), app, bare, socketio, work, cores)
        {
            Keep = o.Keep,
            BaselineAppDll = baseline.Length > 0 ? baseline : null,
        };
        return o;
    }
}

internal static class Runner
{
    /// <summary>Open files a server and the generator need besides the streams: the app's own (logs, SQLite, the listener,
    /// epoll, assemblies: about 200 seen) and the joins' kept-alive connections (up to one per join task and source).</summary>
    private const int OpenFileHeadroom = 600;

    public static async Task<RunResult> RunAsync(string target, int players, int round, BenchOptions options, CancellationToken ct, double? rate = null)
    {
        var settings = new LoadSettings(players, options.RoomSize, rate ?? options.Rate, options.Duration, options.Seed, options.Settle, options.Drain)
        {
            Warmup = options.Warmup,
        };
        // A watchdog, so a server that stops answering fails the run instead of hanging it (and CI).
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(ct);
        watchdog.CancelAfter(options.Duration + options.Drain + TimeSpan.FromMinutes(10));
        ct = watchdog.Token;
        try
        {
            await using var server = await Targets.StartAsync(target, options.Paths, ct);
            using var sources = new SourcePool(options.Sources);
            var run = new LoadRun(Targets.Protocol(target, server), sources, settings);
            try
            {
                await run.JoinAsync(ct);
                await run.OpenStreamsAsync(ct);
                return await run.RollAsync(target, round, server.Pids, ct);
            }
            finally
            {
                await run.CloseAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new RunResult(target, players, round, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, [], [], 0, 0, ProcStat.LoadAverage(),
                Describe(ex));
        }
    }

    /// <summary>RSS of the server with every player joined and no stream open, then with one idle stream per player.</summary>
    public static async Task<MemoryResult> MeasureMemoryAsync(string target, int streams, BenchOptions options, CancellationToken ct)
    {
        var settings = new LoadSettings(streams, options.RoomSize, options.Rate, options.Duration, options.Seed, options.Settle, options.Drain);
        // Every stream is a socket in the server and one in this generator (the server inherits this process's limit).
        // Past the limit the server cannot accept (the generator sees "connection reset") and the generator cannot connect.
        var (openFiles, openFilesHard) = ProcStat.OpenFileLimit();
        var needed = streams + OpenFileHeadroom;
        if (needed > openFiles)
        {
            return new MemoryResult(target, streams, 0, 0,
                $"needs about {needed} open files per process (one socket per stream, plus the app's own); this machine allows {openFiles} " +
                $"(ulimit -n; hard limit {openFilesHard}, raised only from outside, e.g. docker run --ulimit nofile=65536): " +
                $"at most {openFiles - OpenFileHeadroom} streams here");
        }

        try
        {
            await using var server = await Targets.StartAsync(target, options.Paths, ct);
            using var sources = new SourcePool(Math.Max(options.Sources, (streams / 10_000) + 40));
            var run = new LoadRun(Targets.Protocol(target, server), sources, settings);
            try
            {
                await run.JoinAsync(ct);
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
                var before = ProcStat.RssBytes(server.MainPid);
                await run.OpenStreamsAsync(ct);
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                var after = ProcStat.RssBytes(server.MainPid);
                if (options.MemoryHold > TimeSpan.Zero)
                {
                    Console.WriteLine($"bench: {target} holds {streams} streams; server PID {server.MainPid}; closing in {options.MemoryHold.TotalSeconds:0} s");
                    await Task.Delay(options.MemoryHold, ct);
                }

                return new MemoryResult(target, streams, before, after);
            }
            finally
            {
                await run.CloseAsync();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new MemoryResult(target, streams, 0, 0, Describe(ex));
        }
    }

    /// <summary>The exception and its innermost cause (a socket error says more than "an error occurred while sending").</summary>
    private static string Describe(Exception ex)
    {
        var inner = ex is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[0] : ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ReferenceEquals(inner, ex) ? $"{ex.GetType().Name}: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message} ({inner.GetType().Name}: {inner.Message})";
    }
}
