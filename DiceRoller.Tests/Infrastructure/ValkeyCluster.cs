using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>One node of <c>CLUSTER NODES</c>: its port, whether it is a primary, whom it replicates, its slot ranges, its flags.</summary>
public sealed record ClusterNode(string Id, int Port, bool IsPrimary, string? PrimaryId, IReadOnlyList<(int From, int To)> Slots, string Flags)
{
    public bool Owns(int slot) => Slots.Any(r => slot >= r.From && slot <= r.To);
}

/// <summary>
/// A real Valkey Cluster on loopback: six Debian <c>redis-server</c> processes in cluster mode (3 primaries + 3 replicas
/// on free ports, joined by <c>redis-cli --cluster create --cluster-replicas 1</c>), in a temporary folder. Nodes time
/// out after <see cref="NodeTimeoutMs"/> so a failover takes seconds; <c>cluster-require-full-coverage no</c> keeps the
/// healthy shards serving while one has no primary; <c>repl-diskless-sync-delay 0</c> starts a replica's full sync at once
/// (the default waits 5 s for more replicas: at the cluster's start and after every restart of a killed node).
/// Dispose kills every node and deletes the folder.
/// </summary>
public sealed class ValkeyCluster : IAsyncDisposable
{
    public const int NodeTimeoutMs = 2000;
    private readonly Dictionary<int, Process> _nodes = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("diceroller-cluster-").FullName;

    private ValkeyCluster()
    {
    }

    /// <summary><c>127.0.0.1:P1,...,127.0.0.1:P6</c>: the endpoint list the app's <c>ConnectionStrings:Valkey</c> takes.</summary>
    public string ConnectionString => string.Join(",", _nodes.Keys.Select(p => $"127.0.0.1:{p}"));

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public static async Task<ValkeyCluster> StartAsync()
    {
        var cluster = new ValkeyCluster();
        try
        {
            await cluster.StartNodesAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No redis-server is installed. Run the tests with `bash scripts/test.sh`, which installs it.");
        _binary = binary;
        foreach (var port in FreePorts(6))
        {
            StartNode(port);
        }

        foreach (var port in _nodes.Keys)
        {
            await WaitUntilAsync(async () => await PingAsync(port), TimeSpan.FromSeconds(30), $"node {port} answering PING");
        }

        var create = Process.Start(new ProcessStartInfo("redis-cli",
            $"--cluster create {string.Join(' ', _nodes.Keys.Select(p => $"127.0.0.1:{p}"))} --cluster-replicas 1 --cluster-yes")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await create.StandardOutput.ReadToEndAsync() + await create.StandardError.ReadToEndAsync();
        await create.WaitForExitAsync();
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed:\n{output}");
        }

        // Every node sees three primaries with all 16384 slots and three connected replicas.
        await WaitUntilAsync(async () =>
        {
            foreach (var port in _nodes.Keys)
            {
                var info = await RunAsync(port, "CLUSTER", "INFO");
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || !info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            var nodes = await NodesAsync();
            return nodes.Count(n => n.IsPrimary && n.Slots.Count > 0) == 3 && nodes.Count(n => !n.IsPrimary && !n.Flags.Contains("fail", StringComparison.Ordinal)) == 3
                && await ReplicasInSyncAsync();
        }, TimeSpan.FromSeconds(60), "the cluster to be ok with 3 primaries and 3 replicas in sync");

        Connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",abortConnect=false,connectTimeout=5000");
    }

    private async Task<bool> ReplicasInSyncAsync()
    {
        foreach (var node in (await NodesAsync()).Where(n => !n.IsPrimary))
        {
            var info = await RunAsync(node.Port, "INFO", "replication");
            if (!info.Contains("master_link_status:up", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The cluster as the first live node sees it.</summary>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(int? askPort = null)
    {
        var lastError = "";
        foreach (var port in askPort is { } only ? [only] : _nodes.Where(n => !n.Value.HasExited).Select(n => n.Key))
        {
            try
            {
                return Parse(await RunAsync(port, "CLUSTER", "NODES"));
            }
            catch (InvalidOperationException ex)
            {
                lastError = ex.Message;
            }
        }

        throw new InvalidOperationException("No node answered CLUSTER NODES: " + lastError);
    }

    /// <summary>The slot of a key or channel name (CLUSTER KEYSLOT, asked of the server).</summary>
    public async Task<int> KeySlotAsync(string key) =>
        int.Parse((await RunAsync(_nodes.First(n => !n.Value.HasExited).Key, "CLUSTER", "KEYSLOT", key)).Trim(), CultureInfo.InvariantCulture);

    /// <summary>The primary that serves <paramref name="slot"/> right now.</summary>
    public async Task<ClusterNode> PrimaryOfAsync(int slot) =>
        (await NodesAsync()).Single(n => n.IsPrimary && !n.Flags.Contains("fail", StringComparison.Ordinal) && n.Owns(slot));

    private string _binary = "";

    /// <summary>Starts (or starts again) the node on <paramref name="port"/> in its own folder, with its nodes.conf if it has one.</summary>
    private void StartNode(int port)
    {
        var nodeDir = Directory.CreateDirectory(Path.Combine(_dir, port.ToString(CultureInfo.InvariantCulture))).FullName;
        var process = Process.Start(new ProcessStartInfo(_binary,
            $"--port {port} --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout {NodeTimeoutMs} "
            + "--cluster-require-full-coverage no --save \"\" --appendonly no --repl-diskless-sync-delay 0 "
            + $"--dir {nodeDir} --logfile {Path.Combine(nodeDir, "redis.log")}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        _nodes[port] = process;
    }

    /// <summary>
    /// Starts a killed node again on its port: it comes back empty (no persistence) with its nodes.conf, so it rejoins as a
    /// replica of the primary that took over its slots. Returns once it answers and its link to that primary is up and synced.
    /// </summary>
    public async Task RestartAsync(int port)
    {
        _nodes[port].Dispose();
        StartNode(port);
        await WaitUntilAsync(async () => await PingAsync(port), TimeSpan.FromSeconds(30), $"node {port} answering PING again");
        await WaitUntilAsync(async () =>
        {
            var info = await RunAsync(port, "INFO", "replication");
            return info.Contains("role:slave", StringComparison.Ordinal) && info.Contains("master_link_status:up", StringComparison.Ordinal)
                && info.Contains("master_sync_in_progress:0", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), $"node {port} to be a synced replica again");
    }

    /// <summary>Kills a node with SIGKILL: no goodbye to its peers or replicas.</summary>
    public async Task KillAsync(int port)
    {
        var process = _nodes[port];
        process.Kill();
        await process.WaitForExitAsync();
    }

    private static List<ClusterNode> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line =>
        {
            var f = line.Split(' ');
            var port = int.Parse(f[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture);
            var slots = f.Skip(8).Where(s => !s.StartsWith('[')).Select(s =>
            {
                var range = s.Split('-');
                var from = int.Parse(range[0], CultureInfo.InvariantCulture);
                return (from, range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from);
            }).ToList();
            return new ClusterNode(f[0], port, f[2].Contains("master", StringComparison.Ordinal), f[3] == "-" ? null : f[3], slots, f[2]);
        }).ToList();

    private static async Task<bool> PingAsync(int port)
    {
        try
        {
            return (await RunAsync(port, "PING")).Trim() == "PONG";
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>One command through <c>redis-cli</c> (a fresh connection: it sees the node, not a client's cached view).</summary>
    public static async Task<string> RunAsync(int port, params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture) }.Concat(command))
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || output.StartsWith("Could not connect", StringComparison.Ordinal) || error.Contains("Could not connect", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli -p {port} {string.Join(' ', command)}: {output}{error}");
        }

        return output;
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
    }

    /// <summary>Free ports whose cluster bus port (+10000) is free too.</summary>
    private static List<int> FreePorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (port + 10000 > 65535 || ports.Contains(port))
            {
                continue;
            }

            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                bus.Start();
                ports.Add(port);
            }
            catch (SocketException)
            {
                // the bus port is taken: try another
            }
        }

        return ports;
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        foreach (var process in _nodes.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a node's last write raced the delete; the temp folder is cleaned by the OS
        }
    }
}

/// <summary>
/// One cluster shared by the cluster tests of a run (started once, torn down at the end, also on failure); none in the
/// fast tier, where the cluster tests are skipped (<see cref="Tiers"/>).
/// </summary>
public sealed class ValkeyClusterFixture : IAsyncLifetime
{
    public ValkeyCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!Tiers.Skipped(Tiers.Cluster))
        {
            Cluster = await ValkeyCluster.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ValkeyClusterCollection : ICollectionFixture<ValkeyClusterFixture>, ICollectionFixture<PostgresServer>
{
    public const string Name = "Valkey cluster";
}
