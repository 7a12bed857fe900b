namespace DiceRoller.Rooms;

/// <summary>A room's settings and rules state (not its players or rolls).</summary>
public sealed record Room(
    string Code,
    RoomMode Mode,
    string CreatorPlayerId,
    string? DmPlayerId,
    int? Dc,
    long CreatedAt,
    long LastActivity,
    int TtlSeconds,
    bool Locked = false)
{
    /// <summary>
    /// While nobody but the creator has ever joined, <see cref="TtlSeconds"/> is the short lonely TTL and this is the TTL the
    /// room gets once a second player joins; null from then on (and for rooms created without a lonely TTL).
    /// </summary>
    public int? FullTtlSeconds { get; init; }
}

/// <summary>
/// A member of a room. <see cref="SecretHash"/> is the SHA-256 of the player's cookie secret; <see cref="DeviceId"/> is the
/// browser's long-lived device cookie and <see cref="AddressHash"/> the SHA-256 of the address they joined from, both
/// recorded so that a kick bars the device and, for a while, makes joins from that network knock. <see cref="ClientSeed"/> is the
/// client seed they joined with (made by the server when their browser sent none: <see cref="ClientSeedByServer"/>); one they set
/// later lives in <see cref="RoomSnapshot.ClientSeeds"/>.
/// </summary>
public sealed record Player(
    string PlayerId,
    string Name,
    long JoinedAt,
    string DeviceId,
    string SecretHash,
    string AddressHash = "",
    string? ClientSeed = null,
    bool ClientSeedByServer = false);

/// <summary>
/// An open room turned DM-led, or (FromMode and ToMode both DM-led) the DM role handed to another member:
/// kept in the room's history, shown as a marker in the feed.
/// </summary>
/// <param name="AfterSequence">The room's last roll sequence when the change happened: the marker sits above it.</param>
public sealed record ModeChange(long Timestamp, RoomMode FromMode, RoomMode ToMode, string DmPlayerId, string InitiatedBy, long AfterSequence)
{
    /// <summary>The DM role passed from one member to another in a room that already was DM-led.</summary>
    public bool IsHandOver => FromMode == RoomMode.DmLed && ToMode == RoomMode.DmLed;
}

/// <summary>A room together with its players and rule state, as read in one go from the store.</summary>
/// <param name="Kicked">Player ids and device ids (<c>device:</c> + id) that were kicked and may not come back.</param>
/// <param name="Connected">Players with at least one open room page (live stream), with when each was last seen.</param>
public sealed record RoomSnapshot(
    Room Room,
    IReadOnlyList<Player> Players,
    IReadOnlyList<ModeChange>? ModeChanges = null,
    IReadOnlySet<string>? Kicked = null,
    IReadOnlyDictionary<string, long>? Connected = null)
{
    public IReadOnlyList<ModeChange> ModeChanges { get; init; } = ModeChanges ?? [];

    public IReadOnlySet<string> Kicked { get; init; } = Kicked ?? new HashSet<string>();

    public IReadOnlyDictionary<string, long> Connected { get; init; } = Connected ?? new Dictionary<string, long>();

    /// <summary>When the store will drop the room unless something happens (Unix ms); null when the store cannot say.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>
    /// Whether the room shares its public rolls outside the app (a Discord webhook is set, Sharing/), as read with the room;
    /// null when the store keeps that apart and cannot say here (the embedded store). The roll hands a room that says false
    /// nothing to share, so rooms without a webhook cost no read of their sharing settings per roll (issue 22).
    /// </summary>
    public bool? SharesRolls { get; init; }

    /// <summary>Each member's continue-link seal by player id (see <see cref="ContinueLink"/>).</summary>
    public IReadOnlyDictionary<string, string> ContinueSeals { get; init; } = new Dictionary<string, string>();

    public Player? FindPlayer(string playerId) => Players.FirstOrDefault(p => p.PlayerId == playerId);

    /// <summary>The commitment (<c>hex(SHA-256(server_seed))</c>) of the room's current seed; null for a room from before fairness.</summary>
    public string? Commitment { get; init; }

    /// <summary>Client seeds members set on the room page, by player id (the join seed is on <see cref="Player.ClientSeed"/>).</summary>
    public IReadOnlyDictionary<string, string> ClientSeeds { get; init; } = new Dictionary<string, string>();

    /// <summary>The commitment that was current when each member set their client seed, by player id (rules 2; none before).</summary>
    public IReadOnlyDictionary<string, string> ClientSeedCommitments { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The client seed the member's next roll uses, and whether the server made it; null when none is known yet. Under rules 2
    /// (docs/fairness.md) only a seed the member set while the current commitment was shown counts: a seed from before it (set
    /// under an earlier commitment, or sent with the creation or join form) is stale, and until the member sets one the server
    /// picks a fresh one for each roll (null here).
    /// </summary>
    public (string Seed, bool ByServer)? ClientSeedOf(string playerId)
    {
        if (Fairness.RoomSeed.RulesOf(Commitment) == 2)
        {
            return ClientSeeds.TryGetValue(playerId, out var current) && ClientSeedCommitments.TryGetValue(playerId, out var at) && at == Commitment
                ? (current, false)
                : null;
        }

        return ClientSeeds.TryGetValue(playerId, out var set) ? (set, false)
            : FindPlayer(playerId) is { ClientSeed: { } joined } player ? (joined, player.ClientSeedByServer) : null;
    }

    public bool IsDm(string playerId) => Room.Mode == RoomMode.DmLed && Room.DmPlayerId == playerId;

    /// <summary>The room admin: the DM of a DM-led room, the creator of an open room.</summary>
    public bool IsAdmin(string playerId) => Room.Mode == RoomMode.DmLed ? Room.DmPlayerId == playerId : Room.CreatorPlayerId == playerId;

    public bool IsConnected(string playerId) => Connected.ContainsKey(playerId);

    /// <summary>
    /// Players present only through pages without JavaScript (no live stream): such a page keeps its player present by a
    /// heartbeat request (<see cref="PagePresence"/>), and the roster says "no live updates" instead of "offline".
    /// </summary>
    public IReadOnlySet<string> WithoutLiveUpdates { get; init; } = new HashSet<string>();

    public bool HasLiveUpdates(string playerId) => IsConnected(playerId) && !WithoutLiveUpdates.Contains(playerId);

    /// <summary>Whether a kick bars this player id or this device (either is enough).</summary>
    public bool Bars(string? playerId, string? deviceId) =>
        (!string.IsNullOrEmpty(playerId) && Kicked.Contains(playerId)) || (!string.IsNullOrEmpty(deviceId) && Kicked.Contains(KickedDeviceKey(deviceId)));

    /// <summary>How a kicked device is kept in <see cref="Kicked"/>.</summary>
    public static string KickedDeviceKey(string deviceId) => "device:" + deviceId;
}

public enum KnockState
{
    Waiting,
    Admitted,
    Refused,
}

/// <summary>
/// Someone who asked to join while the room is locked, or from the network of a recently kicked player: they wait
/// until the room's admin admits them (then <see cref="Player"/> becomes a member) or refuses them.
/// </summary>
public sealed record Knock(string KnockId, string RoomCode, Player Player, long CreatedAt, long ExpiresAt, KnockState State)
{
    public bool IsWaiting(long now) => State == KnockState.Waiting && ExpiresAt > now;
}

/// <summary>
/// A page without JavaScript cannot hold a stream: it is present through its heartbeat requests, recorded as a presence of
/// its own (one per player, <see cref="StreamId"/>) beside the live streams' (whose ids are random hex).
/// </summary>
public static class PagePresence
{
    private const string Prefix = "page-";

    public static string StreamId(string playerId) => Prefix + playerId;

    public static bool IsPage(string streamId) => streamId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The players whose every current presence is a page without a stream.</summary>
    public static HashSet<string> PlayersWithoutStream(IEnumerable<(string PlayerId, string StreamId)> presences)
    {
        ArgumentNullException.ThrowIfNull(presences);
        // One pass, no grouping: every room read makes this (on the embedded store, every roll post's).
        var pages = new HashSet<string>(StringComparer.Ordinal);
        HashSet<string>? streaming = null;
        foreach (var (playerId, streamId) in presences)
        {
            if (IsPage(streamId))
            {
                pages.Add(playerId);
            }
            else
            {
                (streaming ??= new HashSet<string>(StringComparer.Ordinal)).Add(playerId);
            }
        }

        if (streaming is not null)
        {
            pages.ExceptWith(streaming);
        }

        return pages;
    }
}
