using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The real Valkey-compatible server the Valkey tests of one collection talk to: the first collection's is the one
/// <c>scripts/test.sh</c> started (<c>DICEROLLER_TEST_VALKEY</c>); every further collection (<see cref="ValkeySecondCollection"/>)
/// gets a private <c>redis-server</c> this fixture starts on a free port, so the collections run side by side without
/// sharing a key (rate limits, room counts, databases), each serial inside as before. Without the variable in a full
/// run, the first starts a private one too. In the fast tier (no <c>DICEROLLER_TEST_VALKEY</c>, not a full run) it starts
/// nothing and its tests are skipped (<see cref="Tiers"/>); in a full run neither available is a failure with a clear message.
/// </summary>
public class ValkeyServer : IAsyncLifetime
{
    private static int _instances;

    /// <summary>True for a fixture that always starts a private server of its own (<see cref="PrivateValkeyServer"/>).</summary>
    protected virtual bool AlwaysPrivate => false;
    private Process? _process;
    private string? _dir;

    public string ConnectionString { get; private set; } = "";

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (Tiers.Skipped(Tiers.Stores))
        {
            return;
        }

        var configured = !AlwaysPrivate && Interlocked.Increment(ref _instances) == 1 ? Environment.GetEnvironmentVariable("DICEROLLER_TEST_VALKEY") : null;
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = StartPrivateServer();
        }

        ConnectionString = configured;
        Connection = await ConnectionMultiplexer.ConnectAsync(configured + ",abortConnect=false,connectTimeout=5000");
        for (var i = 0; i < 50 && !Connection.IsConnected; i++)
        {
            await Task.Delay(100);
        }

        if (!Connection.IsConnected)
        {
            throw new InvalidOperationException($"No Valkey/Redis server answers at {configured}. Run the tests with `bash scripts/test.sh`.");
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private string StartPrivateServer()
    {
        var binary = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "DICEROLLER_TEST_VALKEY is not set and no redis-server is installed. Run the tests with `bash scripts/test.sh`, which installs and starts one.");
        var port = FreePort();
        _dir = Directory.CreateTempSubdirectory("diceroller-valkey-").FullName;
        _process = Process.Start(new ProcessStartInfo(binary,
            $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no --dir {_dir} --logfile {Path.Combine(_dir, "redis.log")}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        return $"127.0.0.1:{port}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A class fixture that always starts a private <c>redis-server</c> (only in the Stores tier, as <see cref="ValkeyServer"/>): for a
/// test that reads the server's own counters (<c>INFO commandstats</c>), which no other test may touch meanwhile.
/// </summary>
public sealed class PrivateValkeyServer : ValkeyServer
{
    protected override bool AlwaysPrivate => true;
}

[CollectionDefinition(Name)]
public sealed class ValkeyCollection : ICollectionFixture<ValkeyServer>
{
    public const string Name = "Valkey";
}

/// <summary>
/// A second Valkey collection, on a private server of its own: it runs beside <see cref="ValkeyCollection"/> instead of
/// after it (the Valkey endpoint suites were one serial chain of about 7 minutes). Its classes are chosen by measured time
/// (CI at 233b368: 269 s in the first, 46 s here, before the route fuzzer's 121 s moved here).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ValkeySecondCollection : ICollectionFixture<ValkeyServer>
{
    public const string Name = "Valkey (second server)";
}
