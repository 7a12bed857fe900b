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
        app.UseSerilogRequestLogging(o => o.GetLevel = (http, _, ex) =>
            ex is not null || http.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
            : http.Request.Path.StartsWithSegments(AssetCatalog.RequestPath) ? Serilog.Events.LogEventLevel.Verbose
            : Serilog.Events.LogEventLevel.Information);
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

        app.UseStatusCodePages(async ctx =>
        {
            var http = ctx.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || !string.IsNullOrEmpty(http.Response.ContentType))
            {
                return;
            }

            var error = http.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => new RoomError("NOT_FOUND", "There is nothing at this address. Check the link, or start again from the home page."),
                StatusCodes.Status405MethodNotAllowed => new RoomError(ErrorCodes.BadRequest, "That action is not available at this address."),
                >= 400 and < 500 => new RoomError(ErrorCodes.BadRequest, "The request was not understood. Check what you sent and try again."),
                _ => new RoomError("SERVER_ERROR", "Something went wrong on our side. Please try again in a moment."),
            };
            var status = http.Response.StatusCode;
            await Results.RazorSlice<ErrorPage, ErrorPageModel>(new ErrorPageModel(error, status == 404 ? "Page not found" : "Something went wrong"), status)
                .ExecuteAsync(http);
        });
        return app;
    }
}
