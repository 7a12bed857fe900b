using System.Text.Json;
using DiceRoller.Tests.E2E;

namespace DiceRoller.Tests.Deploy;

/// <summary>
/// The app as the image runs it: the <c>dotnet publish</c> output that <c>scripts/test.sh</c> made (owned by root,
/// read-only to others), started as the non-root test user with a clean environment holding exactly the Dockerfile's
/// ENV and compose's app environment (both as parsed by scripts/test.sh), only addresses and paths rewritten for
/// this machine: the HTTP port, the data folder (the image's /data volume, the only writable path) and Valkey.
/// </summary>
public sealed class PublishedApp : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private PublishedApp(ChildProcess process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    /// <summary>
    /// The Valkey database the published app uses alone (emptied before each test). Not 9: `CapacityValkeyTests` and the
    /// classes that share its database empty 9 before each of their tests, and a loaded run once did that between the
    /// published app's two starts, so the restarted app made a new Data Protection key and refused the old cookie (400).
    /// </summary>
    public const int ValkeyDatabase = 10;

    public static async Task EmptyValkeyDatabaseAsync()
    {
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(
            Required(Stores.ValkeyVariable, "the test Valkey") + ",allowAdmin=true");
        foreach (var endpoint in redis.GetEndPoints())
        {
            await redis.GetServer(endpoint).FlushDatabaseAsync(ValkeyDatabase);
        }
    }

    public static string PublishFolder => Required("DICEROLLER_PUBLISHED", "the `dotnet publish` output");

    /// <summary>The non-root user the app runs as when the tests run as root (the container's <c>app</c> user); null when already non-root.</summary>
    public static string? User => System.Environment.UserName == "root" ? Required("DICEROLLER_TEST_USER", "the non-root user for the published app") : null;

    /// <summary>The image's and compose's environment with this machine's port, data folder and Valkey (and any <paramref name="changes"/>).</summary>
    public static Dictionary<string, string?> Environment(int port, string dataFolder, IDictionary<string, string?>? changes = null)
    {
        using var parsed = JsonDocument.Parse(File.ReadAllText(Required("DICEROLLER_DEPLOY_ENV", "the image's and compose's environment")));
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var part in new[] { "image", "compose" })
        {
            foreach (var property in parsed.RootElement.GetProperty(part).EnumerateObject())
            {
                env[property.Name] = property.Value.GetString();
            }
        }

        Rewrite(env, "ASPNETCORE_URLS", "http://+:8080", $"http://127.0.0.1:{port}");
        Rewrite(env, "ConnectionStrings__Permalinks", "Data Source=/data/permalinks.db", $"Data Source={dataFolder}/permalinks.db");
        Rewrite(env, "DataProtection__KeysFolder", "/data/keys", $"{dataFolder}/keys");
        // Its own Valkey database: the production limits (one room per IP per 5 minutes) must not count the other tests' rooms.
        Rewrite(env, "ConnectionStrings__Valkey", "valkey:6379", Required(Stores.ValkeyVariable, "the test Valkey") + $",defaultDatabase={ValkeyDatabase}");
        env["HOME"] = "/nonexistent"; // the container's user has no writable home either
        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        return env;
    }

    public static async Task<PublishedApp> StartAsync(int port, string dataFolder, IDictionary<string, string?>? changes = null)
    {
        var (file, args) = AsUser(Dotnet, [Path.Combine(PublishFolder, "DiceRoller.dll")]);
        var process = ChildProcess.Start(file, args, Environment(port, dataFolder, changes), workingDirectory: PublishFolder, cleanEnvironment: true);
        var app = new PublishedApp(process, port);
        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(60));
        return app;
    }

    /// <summary>Runs <paramref name="args"/> as the test user (the same way the app runs), e.g. the health probe.</summary>
    public static Task<(int ExitCode, string Output)> RunAsUserAsync(string file, IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var (command, all) = AsUser(file, args);
        return ChildProcess.RunAsync(command, all, environment);
    }

    public static string Dotnet =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "/usr/share/dotnet/dotnet";

    /// <summary>Stops the app as <c>docker stop</c> does (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await _process.StopAsync(TimeSpan.FromSeconds(20));
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>Every line the app wrote to stdout/stderr, parsed as JSON (the production log format); fails on a line that is not.</summary>
    public List<JsonElement> LogEvents()
    {
        var events = new List<JsonElement>();
        foreach (var line in Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                events.Add(doc.RootElement.Clone());
            }
            catch (JsonException)
            {
                Assert.Fail($"A log line is not JSON: {line}");
            }
        }

        return events;
    }

    private static (string File, string[] Args) AsUser(string file, IEnumerable<string> args) =>
        User is { } user
            ? ("/usr/bin/setpriv", ["--reuid", user, "--regid", user, "--clear-groups", "--", file, .. args])
            : (file, [.. args]);

    private static void Rewrite(Dictionary<string, string?> env, string key, string expected, string value)
    {
        Assert.True(env.TryGetValue(key, out var actual) && actual == expected,
            $"The image/compose environment no longer sets {key}={expected} (it has {actual ?? "nothing"}); update the test.");
        env[key] = value;
    }

    private static string Required(string variable, string what)
    {
        var value = System.Environment.GetEnvironmentVariable(variable);
        Assert.False(string.IsNullOrWhiteSpace(value),
            $"{variable} ({what}) is not set: run the tests with `bash scripts/test.sh`, which prepares it.");
        return value!;
    }
}
