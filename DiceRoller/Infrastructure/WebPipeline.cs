using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Serilog;

namespace DiceRoller.Infrastructure;

public static class WebPipeline
{
    /// <summary>Middleware: logging, compression (never for event streams), fingerprinted static files, friendly status pages.</summary>
    public static WebApplication UseDiceRoller(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseResponseMetrics();

        // Forwarded headers only when proxies are configured (with none, every X-Forwarded-* is ignored).
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiteOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseSecurityHeaders();
        app.UseSerilogRequestLogging(o =>
        {
            // This host's logger (each host keeps its own; the static Log.Logger is not used).
            o.Logger = app.Services.GetService<Serilog.ILogger>();
            // Never the query string, cookies or form: only the route's room code joins the request's timing line.
            o.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (http.Request.RouteValues.TryGetValue("code", out var code) && code is string room)
                {
                    diagnostics.Set("RoomCode", room.ToUpperInvariant());
                }
            };
            var levels = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestLogOptions>>().Value;
            o.GetLevel = (http, elapsedMs, ex) =>
                ex is null && http.Response.StatusCode < 400 && http.Request.Path.StartsWithSegments(AssetCatalog.RequestPath)
                    ? Serilog.Events.LogEventLevel.Verbose
                    : levels.LevelOf(http.Response.StatusCode, elapsedMs, ex is not null,
                        stream: http.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = RenderFailureAsync,
            StatusCodeSelector = StatusFor,
            // A client's malformed request is not a server fault: no error log, no stack trace anywhere.
            SuppressDiagnosticsCallback = c => FormErrors.Describe(c.Exception) is not null,
        });
        app.UseResponseCompression();

        var assets = app.Services.GetRequiredService<AssetCatalog>();
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        if (Directory.Exists(assets.Root))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(assets.Root),
                RequestPath = AssetCatalog.RequestPath,
                ContentTypeProvider = types,
                OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl =
                    ctx.Context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "public, max-age=300",
            });
        }

        app.UseFormReading();
        app.UseNoStoreForRooms();
        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || !string.IsNullOrEmpty(http.Response.ContentType))
            {
                return;
            }

            var error = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => new RoomError(ErrorCodes.NotFound, "There is nothing at this address. Check the link, or start again from the home page."),
                StatusCodes.Status405MethodNotAllowed => new RoomError(ErrorCodes.BadRequest, "That action is not available at this address."),
                >= 400 and < 500 => new RoomError(ErrorCodes.BadRequest, "The request was not understood. Check what you sent and try again."),
                _ => new RoomError(ErrorCodes.ServerError, "Something went wrong on our side. Please try again in a moment."),
            };
            var status = http.Response.StatusCode;
            await Results.RazorSlice<ErrorPage, ErrorPageModel>(new ErrorPageModel(error, status == 404 ? "Page not found" : "Something went wrong"), status)
                .ExecuteAsync(http);
        });
        app.UseFormGroups();
        return app;
    }

    /// <summary>
    /// Valkey or the permalink database (SQLite, PostgreSQL) out of reach is a 503 ("try again"), anything else a 500;
    /// neither shows internals. Also when wrapped: Data Protection reports a key ring it could not read from Valkey as a
    /// CryptographicException around the Valkey error.
    /// </summary>
    private static int StatusFor(Exception exception) =>
        FormErrors.Describe(exception) is { } client ? client.Status
        : IsOutOfReach(exception) ? StatusCodes.Status503ServiceUnavailable
        : StatusCodes.Status500InternalServerError;

    private static bool IsOutOfReach(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StackExchange.Redis.RedisException or System.Data.Common.DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task RenderFailureAsync(HttpContext http)
    {
        var feature = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
        if (feature?.Error is { } clientError && FormErrors.Describe(clientError) is { } refused)
        {
            await FormErrors.RenderAsync(http, refused.Status, refused.Error);
            return;
        }

        var status = feature?.Error is { } error ? StatusFor(error) : StatusCodes.Status500InternalServerError;
        var message = status == StatusCodes.Status503ServiceUnavailable
            ? new RoomError(ErrorCodes.ServiceUnavailable, "The dice table is briefly out of reach. Nothing was rolled; please try again in a moment.")
            : new RoomError(ErrorCodes.ServerError, "Something went wrong on our side. Nothing was changed; please try again.");
        var result = HtmlResults.WantsFragment(http) ? HtmlResults.ErrorFragment(message) : HtmlResults.ErrorPage(message, "Please try again");
        http.Response.StatusCode = status;
        await result.ExecuteAsync(http);
    }
}
