using DiceRoller.Rooms;
using DiceRoller.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;
using Xunit.Sdk;
using IServer = Microsoft.AspNetCore.Hosting.Server.IServer;

namespace DiceRoller.Tests.E2E;

/// <summary>Which room store a browser test's server runs on.</summary>
public static class Stores
{
    public const string Embedded = "embedded";
    public const string Valkey = "valkey";

    /// <summary>The private Valkey/Redis server that <c>scripts/test.sh</c> starts.</summary>
    public const string ValkeyVariable = "DICEROLLER_TEST_VALKEY";
}

/// <summary>
/// The real app (its own <c>Program</c>) served by Kestrel on a free loopback port, so a real browser can reach it.
/// Each server gets its own SQLite file, a short SSE reconnect hint and, for the Valkey variant, the test Valkey.
/// </summary>
public sealed class AppServer : WebApplicationFactory<Program>
{
    private readonly string _dataFolder;
    private readonly string? _valkey;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private AppServer(string store, IReadOnlyDictionary<string, string>? settings = null)
    {
        Store = store;
        _settings = settings ?? new Dictionary<string, string>();
        if (store == Stores.Valkey)
        {
            _valkey = Environment.GetEnvironmentVariable(Stores.ValkeyVariable);
            if (string.IsNullOrWhiteSpace(_valkey))
            {
                throw new InvalidOperationException(
                    $"The Valkey browser tests need a Valkey/Redis server in {Stores.ValkeyVariable} (host:port). " +
                    "Run them with `bash scripts/test.sh`, which starts a private redis-server and sets it.");
            }
        }
        else if (store != Stores.Embedded)
        {
            throw new ArgumentOutOfRangeException(nameof(store), store, "Expected \"embedded\" or \"valkey\".");
        }

        _dataFolder = Directory.CreateTempSubdirectory("diceroller-e2e-").FullName;
        UseKestrel(0);
    }

    public string Store { get; }

    private string PermalinksFile => Path.Combine(_dataFolder, "permalinks.db");

    /// <summary>Where the browser reaches the app, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>Starts a server on <paramref name="store"/> and checks it really uses that store.</summary>
    /// <param name="settings">Settings over the defaults below (a test that needs its own limits starts its own server).</param>
    public static async Task<AppServer> StartAsync(string store, IReadOnlyDictionary<string, string>? settings = null)
    {
        var server = new AppServer(store, settings);
        try
        {
            server.StartServer();
            var addresses = server.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            server.BaseAddress = new Uri(addresses.First());
            await server.CheckStoreAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when the room's keys are in Valkey (only meaningful for the Valkey variant).</summary>
    public async Task<bool> ValkeyHasRoomAsync(string code)
    {
        var redis = Services.GetRequiredService<IConnectionMultiplexer>();
        return await redis.GetDatabase().KeyExistsAsync(ValkeyKeys.Meta(code));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Production");

        // Bounds a stuck shutdown: an SSE stream still open when the server stops holds it for this long.
        builder.UseShutdownTimeout(TimeSpan.FromSeconds(5));

        // The app reads ConnectionStrings:Valkey while it registers services, before ConfigureAppConfiguration
        // sources exist, so everything goes in as host settings (checked by CheckStoreAsync).
        builder.UseSetting("ConnectionStrings:Valkey", _valkey ?? "");
        builder.UseSetting("ConnectionStrings:Permalinks", $"Data Source={PermalinksFile}");
        builder.UseSetting("Fairness:SigningKeyFile", Path.Combine(_dataFolder, "roll-signing.ed25519"));
        builder.UseSetting("Live:ReconnectDelay", "00:00:00.200");
        builder.UseSetting("Rooms:CreateLimit", "10000");
        builder.UseSetting("Rooms:JoinLimit", "10000");
        builder.UseSetting("Rooms:RollLimit", "10000");
        builder.UseSetting("Rooms:CreateHourlyLimit", "10000");
        builder.UseSetting("Rooms:MaxRooms", "30000");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime", "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private async Task CheckStoreAsync()
    {
        Assert.True(File.Exists(PermalinksFile), $"The app did not create its SQLite file at {PermalinksFile}.");
        var roomStore = Services.GetRequiredService<IRoomStore>();
        if (Store == Stores.Valkey)
        {
            Assert.IsType<ValkeyRoomStore>(roomStore);
            Assert.True(await roomStore.PingAsync(),
                $"Valkey at {_valkey} ({Stores.ValkeyVariable}) does not answer. Run the tests with `bash scripts/test.sh`.");
        }
        else
        {
            Assert.IsType<InMemoryRoomStore>(roomStore);
        }
    }
}

/// <summary>One server per store for the whole browser test collection, started on first use.</summary>
public sealed class AppServers(IMessageSink diagnostics) : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AppServer> _servers = new(StringComparer.Ordinal);

    public async Task<AppServer> GetAsync(string store)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_servers.TryGetValue(store, out var server))
            {
                server = await AppServer.StartAsync(store);
                _servers.Add(store, server);
            }

            return server;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            try
            {
                await server.DisposeAsync();
            }
            catch (ObjectDisposedException e)
            {
                // WebApplicationFactory stops the host while Program's app.Run() also stops and then disposes it,
                // so ValkeyRoomEvents.StopAsync can meet an already disposed multiplexer. That is shutdown noise
                // after every test has run, not a result; it is reported, not failed.
                diagnostics.OnMessage(new DiagnosticMessage($"{server.Store} server shutdown: {e.Message}"));
            }
        }

        _gate.Dispose();
    }
}
