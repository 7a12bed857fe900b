using DiceRoller.Dice;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The whole app in memory (TestServer), on the embedded store or on a real Valkey, with its own
/// SQLite file. Settings and the clock can be replaced per test.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public AppFactory(string? valkey = null, IDictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:Valkey"] = valkey ?? "",
            ["ConnectionStrings:Permalinks"] = $"Data Source={Path.Combine(DataDirectory, "permalinks.db")}",
            ["Fairness:SigningKeyFile"] = Path.Combine(DataDirectory, "roll-signing.ed25519"),
            ["Live:HeartbeatInterval"] = "00:00:15",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime"] = "Warning",

            // Tests act from one address at machine speed; the limits themselves are tested with their defaults.
            ["Rooms:CreateLimit"] = "10000",
            ["Rooms:JoinLimit"] = "10000",
            ["Rooms:RollLimit"] = "10000",
            ["Rooms:CreateHourlyLimit"] = "10000",
            ["Rooms:MaxRooms"] = "30000", // test apps on one Valkey count each other's rooms (CapacityTests use a database of their own)
            ["Rooms:ProofDifficultyStep"] = "1000000", // and each other's creations: proofs stay at Rooms:ProofDifficulty

            // Rooms live on their mode's TTL, as before lonely rooms; LonelyRoomTests set the lonely TTL they test.
            ["Rooms:LonelyRoomTtl"] = "1.00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    /// <summary>Set to drive time by hand (TTL, expiry); null means the real clock.</summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>Set to replace the OS random source (only where a test needs known dice).</summary>
    public IRandomSource? Random { get; init; }

    /// <summary>
    /// The client address every request of this app appears to come from (the test server has none): one per
    /// factory, so per-address rate limits of apps sharing one Valkey do not count each other's requests.
    /// A class that shares one app among its tests (<see cref="SharedApp"/>) gets a fresh one for each test.
    /// </summary>
    public System.Net.IPAddress ClientAddress { get; private set; } = NewClientAddress();

    private static System.Net.IPAddress NewClientAddress() => new([10, (byte)System.Security.Cryptography.RandomNumberGenerator.GetInt32(256),
        (byte)System.Security.Cryptography.RandomNumberGenerator.GetInt32(256), (byte)System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 255)]);

    /// <summary>The next test on a shared app: its requests come from an address of their own, as on a fresh app.</summary>
    internal void NextClientAddress() => ClientAddress = NewClientAddress();

    private sealed class ClientAddressFilter(AppFactory factory) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(nextMiddleware => context =>
            {
                context.Connection.RemoteIpAddress ??= factory.ClientAddress;
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            // First of all startup filters, so every middleware (the framework's forwarded headers too) sees the
            // address, as behind a real socket.
            services.Insert(0, ServiceDescriptor.Singleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ClientAddressFilter(this)));
            if (Clock is not null)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            }

            if (Random is not null)
            {
                services.RemoveAll<IRandomSource>();
                services.AddSingleton(Random);
                services.RemoveAll<DiceRoller.Rolls.IRollDraws>();
                services.AddSingleton<DiceRoller.Rolls.IRollDraws>(new FixedDraws(Random));
            }
        });
    }

    /// <summary>Dice from a test's own source instead of the seeded stream (such rolls carry a proof their dice do not follow).</summary>
    private sealed class FixedDraws(IRandomSource random) : DiceRoller.Rolls.IRollDraws
    {
        public IRandomSource Open(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce, string? hiddenSecret = null) => random;
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects.</summary>
    /// <summary>
    /// Starts an app that must refuse to start and returns the exception it refused with. WebApplicationFactory's deferred host
    /// races a failing start: under load it sometimes reports <see cref="ObjectDisposedException"/> (the host's services were
    /// disposed by the failed entry point before the factory read them) instead of the app's own exception. That is the
    /// harness, not the app, so a fresh factory tries again (at most 5 times); any other outcome fails as before.
    /// </summary>
    public static TException StartFailure<TException>(Func<AppFactory> make)
        where TException : Exception
    {
        for (var attempt = 1; ; attempt++)
        {
            using var app = make();
            try
            {
                app.CreateClient();
            }
            catch (TException e)
            {
                return e;
            }
            catch (ObjectDisposedException) when (attempt < 5)
            {
                continue;
            }

            throw new Xunit.Sdk.XunitException($"The app started, but it should have refused to start with {typeof(TException).Name}.");
        }
    }

    public Browser NewBrowser(string userAgent = "TestBrowser/1.0")
    {
        var cookies = new System.Net.CookieContainer();
        return new(CreateDefaultClient(new Uri("http://localhost"), new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies)), userAgent, cookies);
    }
}
