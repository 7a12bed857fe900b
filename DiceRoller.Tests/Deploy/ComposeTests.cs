using System.Text.Json;

namespace DiceRoller.Tests.Deploy;

/// <summary>compose.yaml as a real Compose implementation resolved it (docker-compose config, run by scripts/test.sh with .env.example).</summary>
[Trait(Tiers.Trait, Tiers.Deploy)]
[Trait("Category", "Deploy")]
public sealed class ComposeTests : IDisposable
{
    private readonly JsonDocument _compose;

    public ComposeTests()
    {
        var path = Environment.GetEnvironmentVariable("DICEROLLER_COMPOSE_JSON");
        Assert.False(string.IsNullOrWhiteSpace(path) || !File.Exists(path),
            "DICEROLLER_COMPOSE_JSON (compose.yaml resolved by docker-compose config) is missing: run the tests with `bash scripts/test.sh`.");
        _compose = JsonDocument.Parse(File.ReadAllText(path!));
    }

    private JsonElement Service(string name) => _compose.RootElement.GetProperty("services").GetProperty(name);

    public void Dispose() => _compose.Dispose();

    [Fact]
    public void Only_nginx_publishes_ports_and_metrics_only_on_the_hosts_loopback()
    {
        foreach (var service in _compose.RootElement.GetProperty("services").EnumerateObject().Where(s => s.Name != "nginx"))
        {
            Assert.False(service.Value.TryGetProperty("ports", out _), $"{service.Name} publishes ports");
        }

        var ports = Service("nginx").GetProperty("ports").EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String
            ? p.GetString()! : $"{p.GetProperty("published")}:{p.GetProperty("target")}").ToList();
        Assert.Contains("80:80", ports);
        Assert.Contains("443:443", ports);
        Assert.Contains(ports, p => p.StartsWith("127.0.0.1:9113:9113", StringComparison.Ordinal));
        Assert.Equal(3, ports.Count);
    }

    [Fact]
    public void The_app_trusts_forwarded_headers_only_from_nginxs_network()
    {
        var env = Service("app").GetProperty("environment");
        var subnet = _compose.RootElement.GetProperty("networks").GetProperty("proxy").GetProperty("ipam").GetProperty("config")[0].GetProperty("subnet").GetString()!;
        Assert.Equal(subnet, env.GetProperty("Site__TrustedProxies__0").GetString());
        Assert.False(env.TryGetProperty("Site__TrustedProxies__1", out _));
        Assert.False(env.TryGetProperty("ASPNETCORE_FORWARDEDHEADERS_ENABLED", out _), "forwarded headers must come only through Site:TrustedProxies");
        // The trusted subnet is the proxy network's: only nginx and the app are on it (no fixed address for nginx, which
        // podman-compose 1.0.3 cannot parse; the /24 is what the app trusts).
        var onProxy = _compose.RootElement.GetProperty("services").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("networks", out var nets) && nets.TryGetProperty("proxy", out _)).Select(s => s.Name).Order();
        Assert.Equal(["app", "nginx"], onProxy);
        Assert.Equal("https://dice.example.com", env.GetProperty("Site__PublicBaseUrl").GetString());
        Assert.False(Service("valkey").GetProperty("networks").TryGetProperty("proxy", out _), "Valkey must not be on nginx's network");
        Assert.True(_compose.RootElement.GetProperty("networks").GetProperty("backend").GetProperty("internal").GetBoolean());
    }

    [Fact]
    public void Valkey_persists_every_second_and_never_evicts_rooms()
    {
        var valkey = Service("valkey");
        Assert.StartsWith("valkey/valkey:8", valkey.GetProperty("image").GetString(), StringComparison.Ordinal);
        var command = string.Join(' ', valkey.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Contains("--appendfsync everysec", command, StringComparison.Ordinal);
        Assert.Contains("--maxmemory-policy noeviction", command, StringComparison.Ordinal);
        Assert.Contains("--maxmemory ", command, StringComparison.Ordinal);
        Assert.True(valkey.TryGetProperty("mem_limit", out _));
        Assert.Contains("ping", valkey.GetProperty("healthcheck").GetProperty("test").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("valkey-data:/data", Volumes(valkey));
    }

    [Fact]
    public void The_app_waits_for_a_healthy_valkey_runs_read_only_and_keeps_its_data_on_a_volume()
    {
        var app = Service("app");
        Assert.Equal("service_healthy", app.GetProperty("depends_on").GetProperty("valkey").GetProperty("condition").GetString());
        Assert.Equal("service_healthy", Service("nginx").GetProperty("depends_on").GetProperty("app").GetProperty("condition").GetString());
        Assert.True(app.GetProperty("read_only").GetBoolean());
        Assert.Contains(app.GetProperty("tmpfs").EnumerateArray(), t => t.GetString()!.StartsWith("/tmp", StringComparison.Ordinal));
        Assert.Contains("app-data:/data", Volumes(app));
        Assert.Equal("ghcr.io/example/diceroller:latest", app.GetProperty("image").GetString());
        foreach (var service in _compose.RootElement.GetProperty("services").EnumerateObject())
        {
            Assert.Equal("unless-stopped", service.Value.GetProperty("restart").GetString());
        }
    }

    [Fact]
    public void Nginx_gets_its_config_the_static_files_and_the_certificates()
    {
        var volumes = Service("nginx").GetProperty("volumes").EnumerateArray().Select(v => v.GetString()!).ToList();
        foreach (var target in new[] { "/etc/nginx/nginx.conf:ro", "/etc/nginx/templates:ro", "/srv/diceroller/static:ro", "/etc/letsencrypt:/etc/letsencrypt:ro", "/var/www/certbot:ro" })
        {
            Assert.Contains(volumes, v => v.EndsWith(target, StringComparison.Ordinal));
        }
    }

    private static List<string> Volumes(JsonElement service) =>
        [.. service.GetProperty("volumes").EnumerateArray().Select(v => v.GetString()!.Replace(":rw", "", StringComparison.Ordinal))];
}
