using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DiceRoller.Tests.E2E;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Deploy;

/// <summary>
/// Debian's nginx running the repository's nginx/ configuration on loopback in front of the real app on Kestrel.
/// Only what cannot be the same here is rewritten: listen ports, file paths (certificate, logs, pid, static files,
/// the rendered template folder) and the upstream address; each rewrite must match, so a changed config fails loudly.
/// The certificate is self-signed, made by openssl for <c>localhost</c>; <c>nginx -t</c> runs first.
/// </summary>
public sealed class NginxFixture : IAsyncLifetime
{
    public const string Host = "localhost";

    private readonly string _dir = Directory.CreateTempSubdirectory("diceroller-nginx-").FullName;
    private ChildProcess? _nginx;

    public AppServer App { get; private set; } = null!;

    private readonly int[] _ports = ChildProcess.FreePorts(3);

    public int HttpPort => _ports[0];

    public int HttpsPort => _ports[1];

    public int MetricsPort => _ports[2];

    public X509Certificate2 Certificate { get; private set; } = null!;

    /// <summary>A file only nginx's copy of static/ has: if it is served, nginx served it from disk.</summary>
    public const string NginxOnlyFile = "static/nginx-only-probe.txt";

    public string NginxTestOutput { get; private set; } = "";

    public string ErrorLog => File.Exists(Path.Combine(_dir, "error.log")) ? File.ReadAllText(Path.Combine(_dir, "error.log")) : "";

    public async Task InitializeAsync()
    {
        if (Tiers.Skipped(Tiers.Deploy))
        {
            return;
        }

        var nginx = Tool("nginx", "/usr/sbin/nginx");
        var openssl = Tool("openssl", "/usr/bin/openssl");
        App = await AppServer.StartAsync(Stores.Embedded);

        // nginx's workers run as an unprivileged user: everything they read lives in a world-readable folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        }

        var (sslExit, sslOutput) = await ChildProcess.RunAsync(openssl,
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", $"/CN={Host}",
            "-addext", $"subjectAltName=DNS:{Host}", "-keyout", Path.Combine(_dir, "privkey.pem"), "-out", Path.Combine(_dir, "fullchain.pem"),
        ]);
        Assert.True(sslExit == 0, $"openssl req failed:\n{sslOutput}");
        Certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_dir, "fullchain.pem"));

        CopyDirectory(Path.Combine(RepoRoot.Path, "static"), Path.Combine(_dir, "srv", "static"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "srv", NginxOnlyFile), "served by nginx\n");
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        Directory.CreateDirectory(Path.Combine(_dir, "acme"));
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"), RewriteMain(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "nginx", "nginx.conf"))));
        await File.WriteAllTextAsync(Path.Combine(_dir, "conf.d", "diceroller.conf"),
            RewriteServers(await File.ReadAllTextAsync(Path.Combine(RepoRoot.Path, "nginx", "templates", "diceroller.conf.template"))));

        string[] common = ["-p", _dir + "/", "-c", Path.Combine(_dir, "nginx.conf"), "-e", Path.Combine(_dir, "error.log")];
        var (testExit, testOutput) = await ChildProcess.RunAsync(nginx, [.. common, "-t"]);
        NginxTestOutput = testOutput;
        Assert.True(testExit == 0, $"nginx -t rejected the configuration:\n{testOutput}");

        _nginx = ChildProcess.Start(nginx, [.. common, "-g", "daemon off;"]);
        await _nginx.WaitForPortAsync(HttpsPort, TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        if (_nginx is not null)
        {
            await _nginx.StopAsync(TimeSpan.FromSeconds(5));
            await _nginx.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        Certificate?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder is harmless
        }
    }

    /// <summary>
    /// An HTTPS client for <c>https://localhost:{HttpsPort}</c> that trusts only the test's certificate, always connects to
    /// 127.0.0.1 and speaks exactly <paramref name="version"/> (no fallback), keeping cookies like a browser.
    /// </summary>
    public HttpClient NewClient(Version version, bool decompress = true)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            AutomaticDecompression = decompress ? DecompressionMethods.All : DecompressionMethods.None,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == Certificate.GetCertHashString(),
            },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://{Host}:{HttpsPort}"),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    private string RewriteMain(string conf)
    {
        conf = Replace(conf, "pid /var/run/nginx.pid;", $"pid {_dir}/nginx.pid;");
        conf = Replace(conf, "error_log /var/log/nginx/error.log warn;", $"error_log {_dir}/error.log warn;");
        conf = Replace(conf, "access_log /var/log/nginx/access.log json;", $"access_log {_dir}/access.log json;");
        conf = Replace(conf, "server app:8080;", $"server 127.0.0.1:{App.BaseAddress.Port};");
        conf = Replace(conf, "include /etc/nginx/diceroller.d/*.conf;", $"include {_dir}/conf.d/*.conf;");
        return conf;
    }

    private string RewriteServers(string conf)
    {
        conf = Replace(conf, "${DICEROLLER_HOST}", Host);
        conf = Replace(conf, $"/etc/letsencrypt/live/{Host}/", _dir + "/");
        conf = Replace(conf, "root /var/www/certbot;", $"root {_dir}/acme;");
        conf = Replace(conf, "root /srv/diceroller;", $"root {_dir}/srv;");
        conf = Replace(conf, "listen 80 default_server;", $"listen 127.0.0.1:{HttpPort} default_server;");
        conf = Replace(conf, "listen 443 ssl http2 default_server;", $"listen 127.0.0.1:{HttpsPort} ssl http2 default_server;");
        conf = Replace(conf, "listen 443 ssl http2;", $"listen 127.0.0.1:{HttpsPort} ssl http2;");
        conf = Replace(conf, "listen 9113;", $"listen 127.0.0.1:{MetricsPort};");

        // IPv6 listeners: loopback-only tests listen on 127.0.0.1 (the container may have no ::1).
        var lines = conf.Split('\n').Where(l => !l.TrimStart().StartsWith("listen [::]:", StringComparison.Ordinal));
        return string.Join('\n', lines);
    }

    private static string Replace(string text, string from, string to)
    {
        Assert.True(text.Contains(from, StringComparison.Ordinal), $"The nginx config no longer contains \"{from}\"; update the test's rewrite.");
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static string Tool(string name, string path)
    {
        Assert.True(File.Exists(path), $"{name} is missing at {path}: `bash scripts/test.sh` installs it (apt-get install {name}).");
        return path;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
