using System.Globalization;

namespace DiceRoller.Infrastructure;

/// <summary>
/// <c>dotnet DiceRoller.dll --health-check [path]</c>: the container's HEALTHCHECK without curl or wget. GETs the
/// running app's <c>/api/health/live</c> (or <c>path</c>) over loopback on the port it listens on and exits 0 when it
/// answers 2xx within the timeout, 1 otherwise. Starts no web host.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--health-check";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static bool IsRequested(string[] args) => args.Contains(Argument, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var index = Array.IndexOf(args, Argument);
        var path = index + 1 < args.Length && args[index + 1].StartsWith('/') ? args[index + 1] : "/api/health/live";
        var url = new Uri(new Uri($"http://127.0.0.1:{Port(Environment.GetEnvironmentVariable)}"), path);
        try
        {
            using var http = new HttpClient { Timeout = Timeout };
            using var response = await http.GetAsync(url);
            await output.WriteLineAsync($"{url} answered {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{url} did not answer: {e.Message}");
            return 1;
        }
    }

    /// <summary>The port of the first <c>http://</c> address in ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS, else 8080 (the image's).</summary>
    internal static int Port(Func<string, string?> environment)
    {
        foreach (var url in (environment("ASPNETCORE_URLS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = url.LastIndexOf(':');
            if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && colon > "http://".Length &&
                int.TryParse(url[(colon + 1)..].TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                return port;
            }
        }

        var ports = environment("ASPNETCORE_HTTP_PORTS")?.Split(';', ',')[0].Trim();
        return int.TryParse(ports, NumberStyles.None, CultureInfo.InvariantCulture, out var httpPort) ? httpPort : 8080;
    }
}
