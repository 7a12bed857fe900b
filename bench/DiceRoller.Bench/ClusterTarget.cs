using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace DiceRoller.Bench;

/// <summary>
/// The opt-in scale-out target: a 6-node Valkey Cluster of Debian's redis-server (3 primaries + 3 replicas, append-only
/// files fsynced every second), a PostgreSQL server in a fresh data folder, and three app instances on three ports
/// sharing the cluster, the database, one roll-signing key and the Data Protection ring (kept in Valkey). Everything is
/// pinned to the server cores like the other targets. PostgreSQL refuses to run as root: as root it runs as <c>nobody</c>.
/// </summary>
internal static partial class Targets
{
    public const string Cluster = "diceroller-cluster";

    private const int AppInstances = 3;

    private static async Task<RunningServer> StartClusterAsync(BenchPaths paths, string folder, List<Process> processes, CancellationToken ct)
    {
        // Its own folder, outside the run folder (mode 700, root's): PostgreSQL's user must reach its data.
        var pgFolder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"diceroller-bench-pg-{Guid.NewGuid():N}")).FullName;
        try
        {
            var valkey = await StartValkeyClusterAsync(paths, folder, processes, ct);
            var postgres = await StartPostgresAsync(paths, folder, pgFolder, processes, ct);
            var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var instances = new List<Uri>();
            for (var i = 0; i < AppInstances; i++)
            {
                var port = FreePort();
                var baseUri = new Uri($"http://127.0.0.1:{port}");
                var instanceFolder = Directory.CreateDirectory(Path.Combine(folder, $"app{i}")).FullName;
                var env = AppEnvironment(instanceFolder, baseUri);
                env["ConnectionStrings__Valkey"] = valkey;
                env["Permalinks__Provider"] = "postgresql";
                env["ConnectionStrings__Permalinks"] = postgres;
                env["Fairness__SigningKey"] = signingKey;
                processes.Add(Launch(paths, folder, $"app{i}", "dotnet", [paths.AppDll, "--urls", baseUri.ToString()], env, Path.GetDirectoryName(paths.AppDll)));
                instances.Add(baseUri);
            }

            foreach (var instance in instances)
            {
                await WaitAsync(() => HttpAnswers(new Uri(instance, "/api/health/ready")), $"{Cluster} instance {instance}", ct);
            }

            return new RunningServer(instances[0], processes, folder, instances, [pgFolder], paths.Keep);
        }
        catch
        {
            await new RunningServer(new Uri("http://127.0.0.1"), [.. processes], folder, extraFolders: [pgFolder]).DisposeAsync();
            processes.Clear();
            throw;
        }
    }

    /// <summary>Six nodes joined by <c>redis-cli --cluster create</c>; returns the endpoint list the app takes.</summary>
    private static async Task<string> StartValkeyClusterAsync(BenchPaths paths, string folder, List<Process> processes, CancellationToken ct)
    {
        var ports = new List<int>();
        while (ports.Count < 6)
        {
            var port = FreePort();
            if (port < 55_000 && !ports.Contains(port) && await TcpAnswers(port + 10_000) is false)
            {
                ports.Add(port); // the cluster bus listens on port + 10000
            }
        }

        foreach (var port in ports)
        {
            var nodeFolder = Directory.CreateDirectory(Path.Combine(folder, $"valkey{port}")).FullName;
            processes.Add(Launch(paths, folder, $"valkey{port}", "redis-server",
                ["--port", $"{port}", "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--cluster-node-timeout", "5000", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
                 "--dir", nodeFolder, "--daemonize", "no", "--maxclients", "60000"], []));
        }

        foreach (var port in ports)
        {
            await WaitAsync(() => TcpAnswers(port), $"cluster node {port}", ct);
        }

        var (exit, output) = await RunAsync("redis-cli",
            ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "1", "--cluster-yes"], ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
        }

        foreach (var port in ports)
        {
            await WaitAsync(async () =>
            {
                var (_, info) = await RunAsync("redis-cli", ["-p", $"{port}", "CLUSTER", "INFO"], ct);
                return info.Contains("cluster_state:ok", StringComparison.Ordinal) && info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal);
            }, $"cluster node {port} to see every slot served", ct);
        }

        return string.Join(",", ports.Select(p => $"127.0.0.1:{p}"));
    }

    /// <summary>initdb in a fresh folder and a postgres server on a free loopback port; returns the connection string.</summary>
    private static async Task<string> StartPostgresAsync(BenchPaths paths, string folder, string pgFolder, List<Process> processes, CancellationToken ct)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), CultureInfo.InvariantCulture, out var v) ? v : 0).LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException($"{Cluster} needs PostgreSQL: apt-get install postgresql (scripts/test.sh installs it too)");
        }

        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            var (chownExit, chownOutput) = await RunAsync("chown", ["nobody:nogroup", pgFolder], ct);
            if (chownExit != 0)
            {
                throw new InvalidOperationException($"chown nobody {pgFolder}: {chownOutput}");
            }
        }

        string[] AsPostgresUser(string file, params string[] args) =>
            asRoot ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", Path.Combine(bin, file), .. args] : [Path.Combine(bin, file), .. args];

        var data = Path.Combine(pgFolder, "data");
        var initdb = AsPostgresUser("initdb", "-D", data, "-U", "diceroller", "--auth=trust", "-E", "UTF8", "--no-locale");
        var (exit, output) = await RunAsync(initdb[0], initdb[1..], ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"initdb failed: {output}");
        }

        var port = FreePort();
        var postgres = AsPostgresUser("postgres", "-D", data, "-p", $"{port}", "-k", pgFolder, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400");
        processes.Add(Launch(paths, folder, "postgres", postgres[0], postgres[1..], []));
        var connectionString = $"Host=127.0.0.1;Port={port};Username=diceroller;Database=postgres;Maximum Pool Size=100";
        await WaitAsync(async () => (await RunAsync(Path.Combine(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", $"{port}"], ct)).ExitCode == 0,
            "postgres", ct);
        return connectionString;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }
}
