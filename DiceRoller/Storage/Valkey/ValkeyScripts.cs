namespace DiceRoller.Storage;

/// <summary>
/// Lua scripts run atomically by Valkey, one file each in <c>Storage/Valkey/Lua/</c> (embedded in the assembly). KEYS are
/// the room's keys (meta, players, rolls, names, modes, kicked, presence: see <see cref="ValkeyKeys.All"/>) unless a file
/// says otherwise; each write refreshes every key's TTL. A script that uses shared functions (<c>touch</c>, <c>befriend</c>,
/// <c>activity</c>, <c>count_attempt</c>, the door's) is those files followed by its own, as one script; the ARGV each takes
/// is written at the top of its file.
/// </summary>
internal static class ValkeyScripts
{
    public static readonly string Create = Load("touch", "create");
    public static readonly string ReplaceRoll = Load("touch", "activity", "replace_roll");
    public static readonly string SetDc = Load("touch", "activity", "set_dc");
    public static readonly string Promote = Load("touch", "promote");
    public static readonly string SetPresence = Load("set_presence");
    public static readonly string RemovePresence = Load("touch", "remove_presence");
    public static readonly string RateLimit = Load("count_attempt", "rate_limit");
    public static readonly string StartRoll = Load("count_attempt", "start_roll");
    public static readonly string ReleaseRollRequest = Load("release_roll_request");
    public static readonly string Leave = Load("touch", "activity", "leave");
    public static readonly string HandOverDm = Load("touch", "activity", "hand_over_dm");
    public static readonly string SetContinueSeal = Load("set_continue_seal");
    public static readonly string Kick = Load("touch", "befriend", "door", "kick");
    public static readonly string ForgetKickedAddresses = Load("touch", "befriend", "door", "forget_kicked_addresses");
    public static readonly string JoinOrKnock = Load("touch", "befriend", "door", "join_or_knock");
    public static readonly string ResolveKnock = Load("touch", "befriend", "door", "resolve_knock");
    public static readonly string SetLocked = Load("touch", "befriend", "door", "set_locked");
    public static readonly string ReserveRoom = Load("reserve_room");
    public static readonly string UseOnce = Load("use_once");
    public static readonly string RotateSeed = Load("touch", "activity", "rotate_seed");
    public static readonly string SetClientSeed = Load("touch", "activity", "set_client_seed");
    public static readonly string AppendChainedRoll = Load("touch", "activity", "append_chained_roll");
    public static readonly string SaveEncounter = Load("touch", "activity", "save_encounter");
    public static readonly string SetWebhook = Load("set_webhook");
    public static readonly string SetOverlayToken = Load("set_overlay_token");
    public static readonly string RecordDelivery = Load("record_delivery");
    public static readonly string SaveRoll = Load("touch", "activity", "save_roll");
    public static readonly string RemoveSavedRoll = Load("touch", "activity", "remove_saved_roll");

    /// <summary>The named files, in order, as one script (each file's last newline dropped, as the scripts were written).</summary>
    private static string Load(params string[] names) => string.Concat(names.Select(Read));

    private static string Read(string name)
    {
        using var stream = typeof(ValkeyScripts).Assembly.GetManifestResourceStream($"DiceRoller.Lua.{name}.lua")
            ?? throw new InvalidOperationException($"The Lua script {name}.lua is not embedded in {typeof(ValkeyScripts).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd().ReplaceLineEndings("\n");
        text = text.EndsWith('\n') ? text[..^1] : text;
        // The comment lines at the top (what the script takes and returns) are for the reader; Valkey gets the code.
        while (text.StartsWith("--", StringComparison.Ordinal))
        {
            var end = text.IndexOf('\n', StringComparison.Ordinal);
            text = end < 0 ? "" : text[(end + 1)..];
        }

        return text;
    }
}
