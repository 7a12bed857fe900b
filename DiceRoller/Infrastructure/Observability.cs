using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace DiceRoller.Infrastructure;

/// <summary>Which requests get a line in the log (the timing line Serilog writes when a request ends).</summary>
public sealed class RequestLogOptions
{
    public const string Section = "RequestLog";

    /// <summary>
    /// The level of a request that succeeded (below 400) in time: <c>Debug</c> by default, so the hot path (a roll post, a
    /// page) writes no line of its own (a roll logs its own event; nginx keeps an access log); <c>Information</c> makes
    /// the log an access log again. Client errors (4xx) are Information, slow requests Warning, server errors Error.
    /// </summary>
    public LogEventLevel SuccessLevel { get; set; } = LogEventLevel.Debug;

    /// <summary>A request (not an event stream) that took longer than this is logged as a Warning.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "RequestLog:SlowAfter must be between 1 ms and 1 hour.")]
    public TimeSpan SlowAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The level of the line for a request that ended with <paramref name="status"/> after <paramref name="elapsedMs"/>.</summary>
    public LogEventLevel LevelOf(int status, double elapsedMs, bool failed, bool stream) =>
        failed || status >= 500 ? LogEventLevel.Error
        : !stream && elapsedMs > SlowAfter.TotalMilliseconds ? LogEventLevel.Warning
        : status >= 400 ? LogEventLevel.Information
        : SuccessLevel;
}

/// <summary>Logs (Serilog, JSON in production), errors (Sentry, only with a DSN) and metrics (Prometheus at <c>/metrics</c>).</summary>
public static class Observability
{
    /// <summary>The production log format: one JSON object per line (CLEF: <c>@t</c>, <c>@m</c>, <c>@i</c>, <c>@l</c>, then the properties).</summary>
    public static ITextFormatter JsonFormatter { get; } = new Serilog.Formatting.Compact.RenderedCompactJsonFormatter();

    /// <summary>How long a production log event waits at most before it is written to stdout with its batch.</summary>
    internal static readonly TimeSpan LogBatchTime = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Publishes every <see cref="System.Diagnostics.Metrics"/> instrument (ours, ASP.NET Core's, Kestrel's, the runtime's)
    /// in prometheus-net's registry from process start, once per process. prometheus-net would otherwise start listening
    /// at the first scrape and miss every count before it; the older EventCounters would repeat the runtime's meters.
    /// </summary>
    private static readonly Lazy<IDisposable> MeterExport = new(() =>
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            // Not the per-request bookkeeping instruments (up/down counters moved twice per request or connection, a count
            // per route match): their series add nothing to http.server.request.duration and diceroller_streams_open, and
            // the exporter's label lookups were 4.5% of the app's CPU on the roll path (perf, 400 players).
            InstrumentFilterPredicate = instrument => instrument.Name is not ("http.server.active_requests" or "aspnetcore.routing.match_attempts"
                or "kestrel.active_connections" or "kestrel.queued_connections" or "kestrel.queued_requests"),
            // Buckets the instrument advises (ours, ASP.NET Core's), else 0.01 to ~168k doubling (prometheus-net's default).
            ResolveHistogramBuckets = instrument => instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } advised }
                ? [.. advised]
                : Histogram.ExponentialBuckets(0.01, 2, 25),
        });
    });

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RequestLogOptions>().BindConfiguration(RequestLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.With<TraceIdEnricher>()
                .Enrich.WithProperty("Application", "DiceRoller");
            // The console is written off the hot path (a request or a roll only queues its event): by a background worker in
            // development, in batches in production. Flushed when the host's logger is disposed.
            if (builder.Environment.IsDevelopment())
            {
                logger.WriteTo.Async(to => to.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                // Batched (BatchedStdoutSink): one stdout write per batch instead of one write and one worker wake-up per event.
                // At most 10,000 events wait (more are dropped, as the async wrapper did), at most LogBatchTime.
                logger.WriteTo.Sink(new BatchedStdoutSink(JsonFormatter, Console.OpenStandardOutput()), new BatchingOptions
                {
                    BatchSizeLimit = 1_000,
                    BufferingTimeLimit = LogBatchTime,
                    QueueLimit = 10_000,
                    EagerlyEmitFirstEvent = true,
                });
            }
        }, preserveStaticLogger: true); // each host its own logger (tests run several), not the process-wide Log.Logger

        // Sentry only with a DSN: without one nothing of Sentry is registered and the app runs as before.
        var dsn = builder.Configuration["Sentry:Dsn"];
        if (!string.IsNullOrWhiteSpace(dsn))
        {
            builder.WebHost.UseSentry(o =>
            {
                o.Dsn = dsn;
                o.SendDefaultPii = false; // no cookies, headers, IP addresses or form fields (hidden rolls, player secrets)
                o.MaxRequestBodySize = Sentry.Extensibility.RequestSize.None;
                o.Environment = builder.Environment.EnvironmentName.ToLowerInvariant();
            });
        }

        _ = MeterExport.Value;
        return builder;
    }

    /// <summary>Counts responses by status class; first in the pipeline so it sees the final status.</summary>
    public static WebApplication UseResponseMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                DiceRollerMetrics.ResponseSent(context.Response.StatusCode);
            }
        });
        return app;
    }

    /// <summary><c>GET /metrics</c> (Prometheus text format), answered only to loopback and <see cref="MetricsOptions.AllowedNetworks"/>; 404 to anyone else.</summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        var allowed = options.AllowedNetworks.Select(n => MetricsOptions.TryParseNetwork(n, out var network) ? network : default).ToArray();
        app.MapMetrics("/metrics").WithMetadata(new MetricsEndpointMarker());
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<MetricsEndpointMarker>() is not null &&
                !IsAllowed(context.Connection.RemoteIpAddress, allowed))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        return app;
    }

    private sealed class MetricsEndpointMarker;

    private static bool IsAllowed(IPAddress? remote, IPNetwork[] allowed)
    {
        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        return IPAddress.IsLoopback(remote) || allowed.Any(n => n.Contains(remote));
    }

    /// <summary>Adds <c>TraceId</c> (the W3C trace id of the current request) to every event logged inside one.</summary>
    private sealed class TraceIdEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            if (Activity.Current is { } activity)
            {
                logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("TraceId", activity.TraceId.ToHexString()));
            }
        }
    }
}
