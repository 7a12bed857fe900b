using System.Globalization;
using System.Text.RegularExpressions;
using DiceRoller.Shared;

namespace DiceRoller.Sharing;

/// <summary>
/// A Discord webhook URL as the DM pasted it, checked: <c>https://</c>, a host that is exactly one of
/// <see cref="DiscordOptions.EffectiveHosts"/>, no user info, no port but the default, the path
/// <c>/api/webhooks/{id}/{token}</c> and nothing after it. A loopback host that the option lists (a test's receiver) may use
/// plain http and any port. <see cref="Url"/> is rebuilt from the checked parts, never the text as typed.
/// </summary>
public sealed partial record DiscordWebhook(string Url, string Host, string Id)
{
    public const int MaxLength = 512;

    /// <summary>What the settings panel shows: the host and the start of the id, never the token.</summary>
    public string Masked => Mask(Url);

    public static string Mask(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var match = PathPattern().Match(Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "");
        var origin = uri is null ? "" : uri.GetLeftPart(UriPartial.Authority);
        var id = match.Success ? match.Groups["id"].Value : "";
        return $"{origin}/api/webhooks/{id[..Math.Min(4, id.Length)]}…/•••";
    }

    /// <summary>The webhook in <paramref name="text"/>, or the error that says what is wrong with it.</summary>
    public static Result<DiscordWebhook> Parse(string? text, IReadOnlyCollection<string> allowedHosts)
    {
        ArgumentNullException.ThrowIfNull(allowedHosts);
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length > MaxLength)
        {
            return Invalid($"That URL is too long: a Discord webhook URL is at most {MaxLength} characters.");
        }

        if (trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || !Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            return Invalid("That is not a URL. Paste the webhook URL from Discord (Channel settings › Integrations › Webhooks › Copy Webhook URL).");
        }

        var host = uri.IdnHost.ToLowerInvariant();
        var allowed = allowedHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));
        var loopback = allowed && IsLoopback(host);
        if (!allowed || (uri.Scheme != Uri.UriSchemeHttps && !(loopback && uri.Scheme == Uri.UriSchemeHttp)))
        {
            var discordOnly = allowedHosts.All(h => DiscordOptions.DefaultHosts.Contains(h.Trim(), StringComparer.OrdinalIgnoreCase));
            return Invalid(discordOnly
                ? $"Only Discord webhook URLs are accepted: https://{allowedHosts.First()}/api/webhooks/…."
                // A server told to post elsewhere (Discord:AllowedHosts, a test receiver or a relay) says where it posts.
                : $"This server posts only to webhook URLs on {string.Join(", ", allowedHosts)} (Discord:AllowedHosts), such as https://{allowedHosts.First()}/api/webhooks/….");
        }

        if (uri.UserInfo.Length > 0 || trimmed.Contains('@', StringComparison.Ordinal))
        {
            return Invalid("A Discord webhook URL has no user name or password in it.");
        }

        if (!uri.IsDefaultPort && !loopback)
        {
            return Invalid("A Discord webhook URL has no port number.");
        }

        var match = PathPattern().Match(uri.AbsolutePath);
        if (!match.Success || uri.Query.Length > 0 || uri.Fragment.Length > 0 || trimmed.Contains('\\', StringComparison.Ordinal))
        {
            return Invalid("That is not a webhook URL: it looks like https://discord.com/api/webhooks/123456789012345678/abc… with nothing after the token.");
        }

        var authority = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
        var id = match.Groups["id"].Value;
        return Result<DiscordWebhook>.Ok(new DiscordWebhook($"{uri.Scheme}://{authority}/api/webhooks/{id}/{match.Groups["token"].Value}", host, id));
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    private static RoomError Invalid(string message) => new(ErrorCodes.InvalidWebhook, message);

    [GeneratedRegex("^/api/webhooks/(?<id>[0-9]{1,25})/(?<token>[A-Za-z0-9_-]{1,200})$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPattern();
}
