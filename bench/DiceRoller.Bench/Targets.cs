using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DiceRoller.Bench;

/// <summary>Where the built servers are (scripts/bench.sh builds them) and which core they get.</summary>
internal sealed record BenchPaths(string Repo, string AppDll, string BareDll, string SocketIoScript, string WorkDir, string ServerCores)
{
    /// <summary>An earlier build of the app (<c>--baseline REV</c> in scripts/bench.sh), run by the <c>-before</c> targets.</summary>
    public string? BaselineAppDll { get; init; }

    /// <summary>Keep each run's folder (the server's log) instead of deleting it (<c>--keep</c>).</summary>
    public bool Keep { get; init; }
}

/// <summary>
/// A started server: its processes (CPU and memory are read from them) and its address; for a target of several app
/// instances, every instance's address (<see cref="Instances"/>, the first is <see cref="BaseUri"/>) and any folder
/// outside the run folder it used. With <c>keep</c> the folders stay (the servers' logs).
/// </summary>
internal sealed class RunningServer(Uri baseUri, IReadOnlyList<Process> processes, string folder, IReadOnlyList<Uri>? instances = null,
    IReadOnlyList<string>? extraFolders = null, bool keep = false) : IAsyncDisposable
{
    public Uri BaseUri { get; } = baseUri;

    public IReadOnlyList<Uri> Instances { get; } = instances ?? [baseUri];

    public int[] Pids => [.. processes.Select(p => p.Id)];

    /// <summary>The process that serves HTTP (the last one started).</summary>
    public int MainPid => processes[^1].Id;

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes.Reverse())
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"bench: process {process.Id} did not exit in 15 s");
            }

            process.Dispose();
        }

        if (keep)
        {
            Console.Error.WriteLine($"bench: kept {string.Join(", ", (extraFolders ?? []).Prepend(folder))}");
            return;
        }

        foreach (var path in (extraFolders ?? []).Prepend(folder))
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the work folder is removed by scripts/bench.sh.
            }
        }
    }
}

/// <summary>
/// The four servers of the comparison (<see cref="All"/>, the default set), each started fresh for every run, pinned to the
/// server core; and the opt-in <see cref="Cluster"/>: three app instances on a 6-node Valkey Cluster and PostgreSQL.
/// </summary>
internal static partial class Targets
{
    public const string Embedded = "diceroller-embedded";
    public const string Valkey = "diceroller-valkey";
    public const string Bare = "bare-sse";
    public const string SocketIo = "socketio";

    /// <summary>The same stores on the baseline build (<c>--baseline REV</c>): before/after side by side, interleaved.</summary>
    public const string EmbeddedBefore = "diceroller-embedded-before";
    public const string ValkeyBefore = "diceroller-valkey-before";

    public static readonly string[] All = [Embedded, Valkey, Bare, SocketIo];

    /// <summary>Every target <c>--targets</c> accepts: the default set and the opt-in ones.</summary>
    public static readonly string[] Known = [.. All, Cluster, EmbeddedBefore, ValkeyBefore];

    public static bool IsBaseline(string target) => target is EmbeddedBefore or ValkeyBefore;

    /// <summary>The server's protocol; a player of a several-instance target talks to instance (player index mod N), so each room's players spread over them.</summary>
    public static IProtocol Protocol(string target, RunningServer server) =>
        target == Cluster ? new DiceRollerProtocol(server.Instances) : Protocol(target, server.BaseUri);

    public static IProtocol Protocol(string target, Uri baseUri) => target switch
    {
        Embedded or Valkey or EmbeddedBefore or ValkeyBefore => new DiceRollerProtocol(baseUri),
        Bare => new BareProtocol(baseUri),
        SocketIo => new SocketIoProtocol(baseUri),
        _ => throw new ArgumentException($"unknown target {target}", nameof(target)),
    };

    public static async Task<RunningServer> StartAsync(string target, BenchPaths paths, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Path.Combine(paths.WorkDir, $"{target}-{Guid.NewGuid():N}")).FullName;
        var port = FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        var processes = new List<Process>();
        try
        {
            switch (target)
            {
                case Embedded:
                case Valkey:
                case EmbeddedBefore:
                case ValkeyBefore:
                    var env = AppEnvironment(folder, baseUri);
                    var appDll = IsBaseline(target)
                        ? paths.BaselineAppDll ?? throw new ArgumentException($"{target} needs a baseline build (scripts/bench.sh --baseline REV)")
                        : paths.AppDll;
                    if (target is Valkey or ValkeyBefore)
                    {
                        var valkeyPort = FreePort();
                        processes.Add(Launch(paths, folder, "valkey", "redis-server",
                            ["--port", $"{valkeyPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
                             "--dir", folder, "--daemonize", "no", "--maxclients", "60000"], []));
                        await WaitAsync(() => TcpAnswers(valkeyPort), "redis-server", ct);
                        env["ConnectionStrings__Valkey"] = $"127.0.0.1:{valkeyPort}";
                    }

                    processes.Add(Launch(paths, folder, "app", "dotnet", [appDll, "--urls", baseUri.ToString()], env,
                        Path.GetDirectoryName(appDll)));
                    await WaitAsync(() => HttpAnswers(new Uri(baseUri, "/api/health/live")), target, ct);
                    break;
                case Bare:
                    processes.Add(Launch(paths, folder, "bare", "dotnet", [paths.BareDll, "--urls", baseUri.ToString()],
                        new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" }));
                    await WaitAsync(() => HttpAnswers(new Uri(baseUri, "/health")), target, ct);
                    break;
                case SocketIo:
                    processes.Add(Launch(paths, folder, "socketio", "node", [paths.SocketIoScript, $"{port}"], new() { ["NODE_ENV"] = "production" }));
                    await WaitAsync(() => HttpAnswers(new Uri(baseUri, "/health")), target, ct);
                    break;
                case Cluster:
                    return await StartClusterAsync(paths, folder, processes, ct);
                default:
                    throw new ArgumentException($"unknown target {target}", nameof(target));
            }
        }
        catch
        {
            await new RunningServer(baseUri, processes, folder, keep: paths.Keep).DisposeAsync();
            throw;
        }

        return new RunningServer(baseUri, processes, folder, keep: paths.Keep);
    }

    /// <summary>Production settings, with the per-address limits raised: every player comes from a handful of loopback addresses.</summary>
    internal static Dictionary<string, string> AppEnvironment(string folder, Uri baseUri) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ConnectionStrings__Permalinks"] = $"Data Source={Path.Combine(folder, "permalinks.db")}",
        ["DataProtection__KeysFolder"] = Path.Combine(folder, "keys"),
        ["Site__PublicBaseUrl"] = baseUri.ToString().TrimEnd('/'),
        ["Rooms__CreateLimit"] = "100000",
        ["Rooms__JoinLimit"] = "100000",
        ["Rooms__RollLimit"] = "10000",
        ["Rooms__CreateHourlyLimit"] = "100000",
        ["Rooms__MaxRooms"] = "30000",
        // Many players share each loopback source address: the per-address stream cap (a defence against one client) must not bite.
        ["Live__MaxStreamsPerAddress"] = "100000",
        ["Limits__MaxConnections"] = "0",
    };

    internal static Process Launch(BenchPaths paths, string folder, string name, string command, string[] args, Dictionary<string, string> env,
        string? workingDirectory = null)
    {
        // taskset pins the server (and every thread it starts) to the server core; its output goes to a log in the run folder.
        var info = new ProcessStartInfo("taskset")
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = workingDirectory ?? paths.Repo,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(paths.ServerCores);
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec \"$@\" > {Path.Combine(folder, name + ".log")} 2>&1");
        info.ArgumentList.Add(name);
        info.ArgumentList.Add(command);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {command}");
    }

    internal static async Task WaitAsync(Func<Task<bool>> ready, string what, CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < until)
        {
            if (await ready())
            {
                return;
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"{what} did not answer within 90 s");
    }

    internal static async Task<bool> HttpAnswers(Uri uri)
    {
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await client.GetAsync(uri);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    internal static async Task<bool> TcpAnswers(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
