using System.Globalization;
using DiceRoller.Sharing;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Sharing settings in the room's meta hash (fields <c>share_*</c>): one slot with the room, gone when it expires or closes,
/// and every write a script that does nothing for a room that is gone (so no field outlives its room).
/// </summary>
public sealed class ValkeyRoomSharing(IConnectionMultiplexer redis) : IRoomSharing
{
    /// <summary>The webhook's field (the room read sets <see cref="Rooms.RoomSnapshot.SharesRolls"/> from it).</summary>
    public const string WebhookField = "share_webhook";

    private static readonly RedisValue[] Fields = ["code", WebhookField, "share_overlay", "share_error", "share_error_at", "share_ok_at"];

    private IDatabase Db => redis.GetDatabase();

    public async Task<SharingSettings?> GetSharingAsync(string code, CancellationToken cancellationToken = default)
    {
        var values = await Db.HashGetAsync(ValkeyKeys.Meta(code), Fields);
        if (values[0].IsNull)
        {
            return null;
        }

        return new SharingSettings(Text(values[1]), Text(values[2]), Text(values[3]), Time(values[4]), Time(values[5]));
    }

    public async Task<bool> SetWebhookAsync(string code, string? webhookUrl, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SetWebhook, [ValkeyKeys.Meta(code)], [webhookUrl ?? ""]) == 1;

    public async Task<string?> SetOverlayTokenAsync(string code, string token, bool replace, CancellationToken cancellationToken = default)
    {
        var result = await Db.ScriptEvaluateAsync(ValkeyScripts.SetOverlayToken, [ValkeyKeys.Meta(code)], [token, replace ? "1" : "0"]);
        return result.IsNull ? null : (string?)result;
    }

    public Task RecordDeliveryAsync(string code, string webhookUrl, string? error, long at, CancellationToken cancellationToken = default) =>
        Db.ScriptEvaluateAsync(ValkeyScripts.RecordDelivery, [ValkeyKeys.Meta(code)], [webhookUrl, error ?? "", at]);

    private static string? Text(RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    private static long? Time(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? at : null;
}
