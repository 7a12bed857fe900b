using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace DiceRoller.Shared;

/// <summary>How the app is reached from outside: its public address and the proxies allowed to say who the client is.</summary>
public sealed class SiteOptions : IValidatableObject
{
    public const string Section = "Site";

    /// <summary>
    /// The address people use, e.g. <c>https://dice.example.com</c>. Absolute links (og:url, invite and
    /// continue links, QR codes) are built from it, never from a request's Host header. Unset: the first
    /// address the app listens on.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Proxies (IP addresses or CIDR networks, e.g. <c>172.30.0.0/16</c>) whose <c>X-Forwarded-For</c> and
    /// <c>X-Forwarded-Proto</c> are believed. Empty: forwarded headers are ignored.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(PublicBaseUrl) &&
            (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ||
             !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)))
        {
            yield return new ValidationResult("Site:PublicBaseUrl must be an absolute http(s) address such as https://dice.example.com.", [nameof(PublicBaseUrl)]);
        }

        foreach (var proxy in TrustedProxies)
        {
            if (!System.Net.IPNetwork.TryParse(proxy, out _) && !System.Net.IPAddress.TryParse(proxy, out _))
            {
                yield return new ValidationResult($"Site:TrustedProxies has \"{proxy}\", which is neither an IP address nor a CIDR network.", [nameof(TrustedProxies)]);
            }
        }
    }
}

/// <summary>Absolute URLs for links that leave the page (shared links, QR codes, og:url), from <see cref="SiteOptions.PublicBaseUrl"/>.</summary>
public sealed class PublicUrls(IOptions<SiteOptions> options, IServer server)
{
    private string? _base;

    /// <summary>The public base address without a trailing slash, e.g. <c>https://dice.example.com</c>.</summary>
    public string Base => _base ??= Resolve();

    /// <summary><paramref name="path"/> (starting with <c>/</c>) as an absolute URL.</summary>
    public string Absolute(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Base + (path.StartsWith('/') ? path : "/" + path);
    }

    private string Resolve()
    {
        var configured = options.Value.PublicBaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.TrimEnd('/');
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        var uri = new Uri(listening.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        var host = uri.Host is "0.0.0.0" or "::" or "[::]" ? "localhost" : uri.Host;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
