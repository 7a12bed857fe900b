using System.Reflection;
using DiceRoller.Permalinks;
using DiceRoller.Rooms;
using Microsoft.Extensions.Configuration;

namespace DiceRoller.Infrastructure;

/// <summary>
/// <c>/api/health</c> (= ready), <c>/api/health/live</c> (the process answers: for restarts and the container's health
/// check), <c>/api/health/ready</c> (Valkey and SQLite answer: for load balancers and deploy checks), <c>/api/version</c>.
/// </summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/health", Health);
        api.MapGet("/health/ready", Health);
        api.MapGet("/health/live", (TimeProvider time) => Results.Json(new { status = "alive", timestamp = Timestamp(time) }));
        // Version and build only: the environment name tells an attacker which configuration they face.
        api.MapGet("/version", () =>
        {
            var assembly = typeof(ApiEndpoints).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0";
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return Results.Json(new
            {
                version = plus < 0 ? informational : informational[..plus],
                build = plus < 0 ? "local" : informational[(plus + 1)..],
            });
        });
        return app;
    }

    private static async Task<IResult> Health(IRooms store, IPermalinkArchive permalinks, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        var embedded = string.IsNullOrWhiteSpace(configuration.GetConnectionString("Valkey"));
        var valkeyUp = await store.PingAsync(ct);
        var databaseUp = await permalinks.PingAsync(ct);
        var healthy = valkeyUp && databaseUp;
        return Results.Json(new
        {
            status = healthy ? "healthy" : "unhealthy",
            timestamp = Timestamp(time),
            services = new
            {
                valkey = embedded ? "embedded" : valkeyUp ? "connected" : "disconnected",
                database = databaseUp ? "connected" : "disconnected",
            },
        }, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Timestamp(TimeProvider time) =>
        time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
