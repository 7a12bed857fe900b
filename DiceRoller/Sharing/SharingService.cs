using System.Security.Cryptography;
using System.Text;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Sharing;

/// <summary>
/// The DM's sharing settings: the room's Discord webhook (checked, stored, shown masked, removable) and the stream overlay's
/// secret token (made on first look, renewed on demand, which ends the old one everywhere).
/// </summary>
public sealed class SharingService(IRoomSharing store, IRoomEventPublisher events, PublicUrls urls, IOptions<DiscordOptions> options,
    ILogger<SharingService> logger, IRecentRooms? recent = null)
{
    /// <summary>The room event that tells open overlays (on every app instance) that their token may have ended.</summary>
    public const string OverlayRenewedType = "overlay-renewed";

    /// <summary>
    /// The room event of a webhook set or removed: no page shows anything for it, but like every room event but a roll it drops
    /// the room read kept for the roll post (<see cref="IRecentRooms"/>) on every instance following the room, so their next
    /// roll sees <see cref="RoomSnapshot.SharesRolls"/> as it is now.
    /// </summary>
    public const string WebhookChangedType = "webhook-changed";

    /// <summary>Random bytes in an overlay token: 144 bits, 24 URL-safe characters.</summary>
    public const int TokenBytes = 18;

    public async Task<Result<string>> SetWebhookAsync(RoomSnapshot room, Player actor, string? webhookUrl, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsDm(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotDm, "Only the DM can share the room's rolls to Discord.");
        }

        string? url = null;
        if (!string.IsNullOrWhiteSpace(webhookUrl))
        {
            var parsed = DiscordWebhook.Parse(webhookUrl, options.Value.EffectiveHosts);
            if (parsed.Error is { } error)
            {
                return error;
            }

            url = parsed.Value!.Url;
        }

        if (!await store.SetWebhookAsync(room.Room.Code, url, ct))
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        // This instance's kept read first (it may follow no page of the room, and so get no event), then every instance's.
        recent?.Forget(room.Room.Code);
        await events.PublishAsync(new RoomEvent(room.Room.Code, WebhookChangedType, 0), ct);

        logger.LogInformation("Discord webhook of {RoomCode} {Change} by {PlayerId}", room.Room.Code, url is null ? "removed" : "set", actor.PlayerId);
        return Result<string>.Ok(url is null
            ? "Rolls are no longer shared to Discord."
            : $"Public rolls are now shared to Discord ({DiscordWebhook.Mask(url)}).");
    }

    public async Task<Result<string>> RenewOverlayAsync(RoomSnapshot room, Player actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(actor);
        if (!room.IsDm(actor.PlayerId))
        {
            return new RoomError(ErrorCodes.NotDm, "Only the DM can renew the stream overlay's link.");
        }

        if (await store.SetOverlayTokenAsync(room.Room.Code, NewToken(), replace: true, ct) is null)
        {
            return RoomService.RoomNotFound(room.Room.Code);
        }

        await events.PublishAsync(new RoomEvent(room.Room.Code, OverlayRenewedType, 0), ct);
        logger.LogInformation("Overlay link of {RoomCode} renewed by {PlayerId}", room.Room.Code, actor.PlayerId);
        return Result<string>.Ok("The overlay has a new link; the old one no longer works.");
    }

    /// <summary>The DM's settings panel (null for anyone else); makes the overlay token on the first look.</summary>
    public async Task<SharingPanelModel?> PanelAsync(RoomSnapshot room, string viewerPlayerId, string formToken, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (!room.IsDm(viewerPlayerId))
        {
            return null;
        }

        var code = room.Room.Code;
        var settings = await store.GetSharingAsync(code, ct);
        var token = settings?.OverlayToken ?? await store.SetOverlayTokenAsync(code, NewToken(), replace: false, ct);
        if (settings is null || token is null)
        {
            return null;
        }

        return new SharingPanelModel(code, formToken,
            settings.WebhookUrl is null ? null : DiscordWebhook.Mask(settings.WebhookUrl),
            settings.LastError, settings.LastErrorAt, settings.LastPostedAt,
            urls.Absolute(OverlayPath(code, token)));
    }

    /// <summary>Whether <paramref name="token"/> is the room's overlay token now (compared in constant time).</summary>
    public async Task<bool> IsOverlayTokenAsync(string code, string? token, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return false;
        }

        var settings = await store.GetSharingAsync(code, ct);
        return settings?.OverlayToken is { } current && SameToken(current, token);
    }

    public static string OverlayPath(string code, string token) => $"/rooms/{code}/overlay/{token}";

    public static string NewToken() => Base64UrlEncode(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>Compares hashes of both, so neither the content nor the length of the real token leaks through timing.</summary>
    public static bool SameToken(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// The DM's "Share" panel: the webhook as a mask (never in full), its last failed and last good delivery, the overlay's URL.
/// <see cref="Status"/> is the line a successful change says (htmx swaps the whole panel).
/// </summary>
public sealed record SharingPanelModel(string Code, string FormToken, string? MaskedWebhook, string? LastError, long? LastErrorAt, long? LastPostedAt,
    string OverlayUrl)
{
    public string? Status { get; init; }

    public RoomError? Error { get; init; }

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);

    public static string IsoTime(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
