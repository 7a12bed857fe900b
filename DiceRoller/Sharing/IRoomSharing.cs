namespace DiceRoller.Sharing;

/// <summary>
/// A room's sharing settings as the store keeps them, beside the room (they go when the room goes): the Discord webhook
/// (<see cref="WebhookUrl"/>, never shown in full), the last failed delivery to it and the last good one, and the stream
/// overlay's secret token. Times are Unix milliseconds.
/// </summary>
public sealed record SharingSettings(string? WebhookUrl, string? OverlayToken, string? LastError, long? LastErrorAt, long? LastPostedAt);

/// <summary>The room store's part for sharing; implemented by both stores (Storage/), safe across app instances.</summary>
public interface IRoomSharing
{
    /// <summary>The room's settings (all null when none were set), or null when the room is gone.</summary>
    Task<SharingSettings?> GetSharingAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Sets the webhook (null removes it) and forgets the old one's delivery record; false when the room is gone.</summary>
    Task<bool> SetWebhookAsync(string code, string? webhookUrl, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets the overlay token to <paramref name="token"/> (<paramref name="replace"/>), or only when the room has none; returns
    /// the token the room holds afterwards, or null when the room is gone.
    /// </summary>
    Task<string?> SetOverlayTokenAsync(string code, string token, bool replace, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a delivery to <paramref name="webhookUrl"/>: a failure (<paramref name="error"/>) or a success (null), only while
    /// that is still the room's webhook (the DM may have changed it meanwhile). Nothing when the room is gone.
    /// </summary>
    Task RecordDeliveryAsync(string code, string webhookUrl, string? error, long at, CancellationToken cancellationToken = default);
}
