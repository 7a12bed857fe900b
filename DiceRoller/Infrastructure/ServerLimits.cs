using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace DiceRoller.Infrastructure;

/// <summary>
/// What one request and one client may cost the server (section <c>Limits</c>). Every form is a few short fields,
/// so bodies are small; slow clients are cut off by data rates and timeouts, never by holding a thread (forms are
/// read asynchronously). Connection caps stay far above one SSE stream per player for thousands of players.
/// </summary>
public sealed class ServerLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body (every form of the app fits in a few hundred bytes); more is 413.</summary>
    [Range(1_024, 10_485_760)]
    public long MaxRequestBodyBytes { get; set; } = 32_768;

    /// <summary>Most fields in one form; more is 400.</summary>
    [Range(8, 1_024)]
    public int MaxFormFields { get; set; } = 64;

    /// <summary>Longest form field name; longer is 400.</summary>
    [Range(16, 2_048)]
    public int MaxFormKeyLength { get; set; } = 128;

    /// <summary>A client sending its request body slower than this (after <see cref="MinDataRateGracePeriod"/>) is cut off.</summary>
    [Range(1, 1_000_000)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>A client reading a response slower than this (after the grace period) is cut off; idle SSE streams are not affected.</summary>
    [Range(1, 1_000_000)]
    public double MinResponseBytesPerSecond { get; set; } = 240;

    /// <summary>How long a body or response may lag behind the minimum data rate before the connection is closed.</summary>
    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time a client has to send all request headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open connections the server accepts (each room page holds one SSE stream); 0 means no cap.</summary>
    [Range(0, 1_000_000)]
    public long MaxConnections { get; set; } = 50_000;

    /// <summary>Upgraded connections (WebSockets; the app uses none, SSE is not upgraded); 0 means none.</summary>
    [Range(0, 1_000_000)]
    public long MaxUpgradedConnections { get; set; } = 100;
}

/// <summary>Applies <see cref="ServerLimitsOptions"/> to Kestrel and to form reading.</summary>
public static class ServerLimits
{
    public static IServiceCollection AddServerLimits(this IServiceCollection services)
    {
        services.AddOptions<ServerLimitsOptions>().BindConfiguration(ServerLimitsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.MinDataRateGracePeriod >= TimeSpan.FromSeconds(1), "Limits:MinDataRateGracePeriod must be at least one second.")
            .Validate(o => o.RequestHeadersTimeout >= TimeSpan.FromSeconds(1), "Limits:RequestHeadersTimeout must be at least one second.")
            .ValidateOnStart();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ConfigureKestrel>();
        services.AddSingleton<IConfigureOptions<FormOptions>, ConfigureForms>();
        return services;
    }

    private sealed class ConfigureKestrel(IOptions<ServerLimitsOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            var o = options.Value;
            kestrel.AddServerHeader = false;
            kestrel.AllowSynchronousIO = false;
            kestrel.Limits.MaxRequestBodySize = o.MaxRequestBodyBytes;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(o.MinRequestBodyBytesPerSecond, o.MinDataRateGracePeriod);
            kestrel.Limits.MinResponseDataRate = new MinDataRate(o.MinResponseBytesPerSecond, o.MinDataRateGracePeriod);
            kestrel.Limits.RequestHeadersTimeout = o.RequestHeadersTimeout;
            kestrel.Limits.MaxConcurrentConnections = o.MaxConnections == 0 ? null : o.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = o.MaxUpgradedConnections;
        }
    }

    private sealed class ConfigureForms(IOptions<ServerLimitsOptions> options) : IConfigureOptions<FormOptions>
    {
        public void Configure(FormOptions forms)
        {
            var o = options.Value;
            forms.ValueCountLimit = o.MaxFormFields;
            forms.KeyLengthLimit = o.MaxFormKeyLength;
            forms.ValueLengthLimit = (int)o.MaxRequestBodyBytes;
            forms.MultipartBodyLengthLimit = o.MaxRequestBodyBytes;
            forms.MultipartHeadersCountLimit = 16;
            forms.MultipartHeadersLengthLimit = 4_096;
            forms.BufferBodyLengthLimit = o.MaxRequestBodyBytes;
        }
    }
}
