using System.Globalization;
using System.Net;
using System.Text.Json;
using DiceRoller.Tests.Deploy;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.ScaleOut;

/// <summary>
/// App instances as real processes on loopback, as they run on separate hosts: the <c>dotnet publish</c> output with the
/// image's environment (<see cref="PublishedApp"/>), each on its own free port with its own data folder (no shared
/// folder: the Data Protection key ring comes from Valkey), all on one Valkey (Cluster) and one PostgreSQL database, with
/// one roll-signing key. Dispose kills every process and deletes every folder, also after a failed start.
/// </summary>
public sealed class AppInstances : IAsyncDisposable
{
    private readonly List<(ChildProcess Process, string Data)> _running = [];

    private AppInstances()
    {
    }

    public IReadOnlyList<Uri> Addresses => _addresses;

    private readonly List<Uri> _addresses = [];

    /// <summary>Instance <paramref name="index"/>'s output so far (JSON log lines), for failure messages.</summary>
    public string Output(int index) => _running[index].Process.Output;

    /// <summary>
    /// Starts <paramref name="count"/> instances. The first starts alone and serves a page (its first antiforgery token
    /// creates the ring's first key in Valkey); the others then start together and read that ring.
    /// </summary>
    public static async Task<AppInstances> StartAsync(int count, string valkey, string permalinks, IDictionary<string, string?>? settings = null)
    {
        var instances = new AppInstances();
        try
        {
            var shared = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["ConnectionStrings__Valkey"] = valkey,
                ["Permalinks__Provider"] = "postgresql",
                ["ConnectionStrings__Permalinks"] = permalinks,
                ["Fairness__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                // Every test player comes from 127.0.0.1: the per-address limits would count them all as one.
                ["Rooms__CreateLimit"] = "10000",
                ["Rooms__JoinLimit"] = "10000",
                ["Rooms__RollLimit"] = "10000",
                ["Rooms__CreateHourlyLimit"] = "10000",
                ["Rooms__MaxRooms"] = "30000",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                shared[key] = value;
            }

            await instances.StartOneAsync(shared);
            using (var first = instances.NewClient(0))
            {
                using var home = await first.GetAsync(new Uri("/", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            }

            await Task.WhenAll(Enumerable.Range(1, count - 1).Select(_ => instances.StartOneAsync(shared)));
            return instances;
        }
        catch
        {
            await instances.DisposeAsync();
            throw;
        }
    }

    /// <summary>A browser-like client of instance <paramref name="index"/> with its own cookie jar (no redirects followed).</summary>
    public HttpClient NewClient(int index, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = _addresses[index],
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>The sum of a Prometheus counter's samples at instance <paramref name="index"/>'s <c>/metrics</c> (0 when it has none yet).</summary>
    public async Task<double> CounterAsync(int index, string family)
    {
        using var client = NewClient(index);
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(family, StringComparison.Ordinal) && line.Length > family.Length && line[family.Length] is ' ' or '{')
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    private async Task StartOneAsync(Dictionary<string, string?> shared)
    {
        var data = Directory.CreateTempSubdirectory("diceroller-instance-").FullName;
        if (PublishedApp.User is { } user)
        {
            var (exit, chownOutput) = await ChildProcess.RunAsync("chown", [$"{user}:{user}", data]);
            Assert.True(exit == 0, chownOutput);
        }

        var port = ChildProcess.FreePort();
        var (file, args) = PublishedApp.User is { } runAs
            ? ("/usr/bin/setpriv", new[] { "--reuid", runAs, "--regid", runAs, "--clear-groups", "--", PublishedApp.Dotnet, Path.Combine(PublishedApp.PublishFolder, "DiceRoller.dll") })
            : (PublishedApp.Dotnet, new[] { Path.Combine(PublishedApp.PublishFolder, "DiceRoller.dll") });
        var process = ChildProcess.Start(file, args, PublishedApp.Environment(port, data, shared), workingDirectory: PublishedApp.PublishFolder, cleanEnvironment: true);
        var address = new Uri($"http://127.0.0.1:{port}");
        lock (_running)
        {
            _running.Add((process, data));
            _addresses.Add(address);
        }

        await process.WaitForPortAsync(port, TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        await ValkeyCluster.WaitUntilAsync(async () =>
        {
            using var ready = await client.GetAsync(new Uri("/api/health/ready", UriKind.Relative));
            if (!ready.IsSuccessStatusCode)
            {
                return false;
            }

            using var health = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            return health.RootElement.GetProperty("status").GetString() == "healthy";
        }, TimeSpan.FromSeconds(120), $"the instance on port {port} to be ready. Output:\n{process.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, data) in _running)
        {
            await process.DisposeAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temp folder is harmless
            }
            catch (UnauthorizedAccessException)
            {
                // idem
            }
        }
    }
}
