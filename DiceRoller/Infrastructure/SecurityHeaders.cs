using System.Net;
using System.Security.Cryptography;
using System.Text;
using DiceRoller.Shared;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace DiceRoller.Infrastructure;

/// <summary>
/// The response headers every answer carries, and which proxies may say who the client is. A strict
/// Content-Security-Policy: scripts only from this origin (no inline script, no eval), styles from this origin plus
/// the one inlined stylesheet by its SHA-256 hash, the live stream on this origin, never framed.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The policy for the pages of this app, with the hash of <paramref name="inlineStylesheet"/> as rendered.</summary>
    public static string ContentSecurityPolicy(string inlineStylesheet)
    {
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inlineStylesheet)));
        return "default-src 'self'; script-src 'self'; " +
            $"style-src 'self' 'sha256-{hash}'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
            "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var assets = app.ApplicationServices.GetRequiredService<AssetCatalog>();
        var policy = ContentSecurityPolicy(assets.Inline("css/app.css").ToString() ?? "");
        return app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
            headers.ContentSecurityPolicy = policy;
            headers.XFrameOptions = "DENY";
            return next(context);
        });
    }

    /// <summary>
    /// Believes <c>X-Forwarded-For</c>/<c>-Proto</c> only from <see cref="SiteOptions.TrustedProxies"/>; also when
    /// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c> is set (which on its own would believe any client).
    /// </summary>
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<SiteOptions>>((o, site) =>
        {
            // With no trusted proxy, forward nothing: the middleware checks the sender only while a known proxy or
            // network is listed, so empty lists (what ASPNETCORE_FORWARDEDHEADERS_ENABLED sets up) would believe anyone.
            o.ForwardedHeaders = site.Value.TrustedProxies.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            o.ForwardLimit = 1;
            foreach (var proxy in site.Value.TrustedProxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy, out var network))
                {
                    o.KnownIPNetworks.Add(network);
                }
                else if (IPAddress.TryParse(proxy, out var address))
                {
                    o.KnownProxies.Add(address);
                }
            }
        });
        return services;
    }
}
