namespace DiceRoller.Rooms;

public enum JoinOutcome
{
    Joined,
    RoomNotFound,
    RoomFull,
    NameTaken,
    Kicked,
    /// <summary>Not refused, not let in: the person waits for the room's admin (a knock was recorded).</summary>
    Knocking,
}

public enum KnockOutcome
{
    Admitted,
    Refused,
    /// <summary>The knock is unknown, expired, or was already answered.</summary>
    KnockNotFound,
    RoomNotFound,
    RoomFull,
    NameTaken,
    /// <summary>The knocking player's device was kicked meanwhile: they cannot be admitted.</summary>
    Kicked,
}

/// <summary>What starting a roll found (see <see cref="IRoomStore.StartRollAsync"/>).</summary>
public enum RollRequestState
{
    /// <summary>The request id was new (or its earlier claim was abandoned), or there is none: this caller rolls with the ticket.</summary>
    Claimed,

    /// <summary>Another request with the id is rolling right now.</summary>
    InFlight,

    /// <summary>The id has rolled already: <see cref="RollStart.RollId"/> is its roll.</summary>
    Done,

    RoomNotFound,

    /// <summary>The player's roll limit is spent: nothing was claimed or taken; <see cref="RollStart.RetryAfter"/> says when it opens.</summary>
    RateLimited,

    /// <summary>A hidden roll, but every hidden-roll secret of the current commitment is taken: nothing was claimed or taken.</summary>
    HiddenSecretsUsedUp,
}

/// <summary>A roll form's one-time id (<c>playerId:requestId</c>): how long a claim may stay unfinished, and how long the id is kept.</summary>
public sealed record RollRequest(string Key, long AbandonAfterMs, long KeepForMs)
{
    /// <summary>The player id a request key (<c>playerId:requestId</c>) belongs to.</summary>
    public static string PlayerOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? key : key[..colon];
    }
}

/// <summary>A fixed-window limit on a player's rolls: the same counter <see cref="IRateLimiter"/> keeps for <paramref name="Key"/>.</summary>
public sealed record RollLimit(string Key, int Limit, TimeSpan Window);

/// <summary>
/// A member's attempt to roll, before any dice are drawn (see <see cref="IRoomStore.StartRollAsync"/>). A member without a
/// client seed yet draws with <paramref name="FallbackClientSeed"/>, which is kept for good when <paramref name="KeepFallback"/>
/// (a member from before client seeds: the page shows it from then on); a room without a seed gets <paramref name="CandidateSeed"/>.
/// </summary>
/// <para>A <paramref name="Hidden"/> roll also takes the next of its commitment's hidden-roll secrets (0, 1, 2... per commitment;
/// counted again from 0 after a rotation) when the seed has a hidden key; when all <see cref="Fairness.HiddenSecrets.Count"/> are
/// taken the answer is <see cref="RollRequestState.HiddenSecretsUsedUp"/> and nothing is claimed or taken.</para>
public sealed record RollAttempt(string PlayerId, RollRequest? Request, RollLimit Limit, string FallbackClientSeed, bool KeepFallback,
    RoomSeedSecret CandidateSeed, long Now, bool Hidden = false);

/// <summary>What <see cref="IRoomStore.StartRollAsync"/> answered: the ticket to roll with, the earlier roll's id, or why not.</summary>
public sealed record RollStart(RollRequestState State, RollTicket? Ticket = null, string? RollId = null, TimeSpan RetryAfter = default);

/// <summary>What happened when a player left a room of their own accord.</summary>
public enum LeaveOutcome
{
    Left,
    /// <summary>They were the last member: the room is deleted.</summary>
    RoomClosed,
    RoomNotFound,
    PlayerNotFound,
    /// <summary>The DM of a DM-led room with other members must hand the DM role over first.</summary>
    DmMustHandOver,
}

/// <summary>The outcome of a leave, and who holds the creator's rights afterwards when the creator left.</summary>
public sealed record LeaveResult(LeaveOutcome Outcome, string? NewCreatorPlayerId = null);

public enum HandOverOutcome
{
    HandedOver,
    RoomNotFound,
    /// <summary>The room is not DM-led, or the one handing over is no longer its DM.</summary>
    NotDm,
    PlayerNotFound,
}

public enum PromoteOutcome
{
    Promoted,
    RoomNotFound,
    AlreadyDmLed,
    PlayerNotFound,
}

/// <summary>
/// Where rooms live: Valkey in production, an in-process store by default. Every write refreshes the
/// room's time-to-live. Implementations must be safe under concurrent callers on several app instances.
/// </summary>
public interface IRoomStore
{
    /// <summary>Creates the room with its creator as first player; false if the code is already live.</summary>
    Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default);

    /// <summary>The room and its players, or null when there is no such live room.</summary>
    Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a player atomically, refusing when the room holds <paramref name="maxPlayers"/> already, the name
    /// is taken, or the player's session was kicked.
    /// </summary>
    Task<JoinOutcome> AddPlayerAsync(string code, Player player, int maxPlayers, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a roll, assigning the room's next sequence number atomically; returns the stored roll,
    /// or null when the room no longer exists. Keeps at least <c>historyLimit</c> most recent rolls.
    /// </summary>
    Task<Roll?> AppendRollAsync(Roll roll, long now, CancellationToken cancellationToken = default);

    /// <summary>Rolls with a sequence greater than <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest rolls with a sequence below <paramref name="beforeSequence"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>One roll by id, or null.</summary>
    Task<Roll?> GetRollAsync(string code, string rollId, CancellationToken cancellationToken = default);

    /// <summary>Replaces a roll in history (same sequence) if it is still exactly <paramref name="current"/>; false otherwise.</summary>
    Task<bool> ReplaceRollAsync(Roll current, Roll updated, long now, CancellationToken cancellationToken = default);

    /// <summary>Sets (or, with null, clears) the room's DC; false when the room is gone.</summary>
    Task<bool> SetDcAsync(string code, int? dc, long now, CancellationToken cancellationToken = default);

    /// <summary>Turns an open room DM-led with <paramref name="change"/>'s DM, atomically, and sets the new TTL.</summary>
    Task<PromoteOutcome> PromoteAsync(string code, ModeChange change, int ttlSeconds, long now, CancellationToken cancellationToken = default);

    /// <summary>Removes a player and bars their session and id from the room; false when they were not in it.</summary>
    Task<bool> KickAsync(string code, Player player, long now, CancellationToken cancellationToken = default);

    /// <summary>Deletes the room and everything in it.</summary>
    Task DeleteAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Records that one of a player's pages (<paramref name="streamId"/>) is open until <paramref name="expiresAt"/>, unless refreshed.</summary>
    Task SetPresenceAsync(string code, string playerId, string streamId, long expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Forgets one open page; returns whether the player still has another open page.</summary>
    Task<bool> RemovePresenceAsync(string code, string playerId, string streamId, long now, CancellationToken cancellationToken = default);

    /// <summary>Checks that the store answers (for health checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives up a claim that made no roll (refused or failed), so the same id may be sent again; its nonce stays the member's
    /// to take with their next claim (see <see cref="StartRollAsync"/>).
    /// </summary>
    Task ReleaseRollRequestAsync(string code, string requestKey, CancellationToken cancellationToken = default);
    /// Removes a player who leaves, atomically: frees their seat and name, forgets their pages and their
    /// continue link. A leaving creator passes the creator's rights on (to the DM of a DM-led room, else to
    /// the longest-present member); the DM of a DM-led room with others in it must hand over first; the
    /// last member leaving deletes the room.
    /// </summary>
    Task<LeaveResult> LeaveAsync(string code, Player player, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="change"/>'s DM the DM of a DM-led room, if <c>change.InitiatedBy</c> is still its DM and
    /// the new DM is a member; records the change in the room's mode history.
    /// </summary>
    Task<HandOverOutcome> HandOverDmAsync(string code, ModeChange change, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a member's continue-link seal (see <see cref="ContinueLink"/>); with <paramref name="replace"/> false only
    /// when they have none yet. False when nothing was stored (no such member, or one exists and was kept).
    /// </summary>
    Task<bool> SetContinueSealAsync(string code, string playerId, string seal, bool replace, CancellationToken cancellationToken = default);
    /// Adds a player like <see cref="AddPlayerAsync"/>, atomically, unless the room is locked or the player's address
    /// (<see cref="Player.AddressHash"/>) had a player kicked at or after <paramref name="kickedSince"/>: then records
    /// <paramref name="knock"/> instead and answers <see cref="JoinOutcome.Knocking"/>. A kicked id or device is refused;
    /// a full room or a taken name is refused before any knock.
    /// </summary>
    Task<JoinOutcome> JoinOrKnockAsync(string code, Knock knock, int maxPlayers, long kickedSince, long now, CancellationToken cancellationToken = default);

    /// <summary>One knock by id (in any state, until it expires with the room), or null.</summary>
    Task<Knock?> GetKnockAsync(string code, string knockId, CancellationToken cancellationToken = default);

    /// <summary>The knocks still waiting (not answered, not expired), oldest first.</summary>
    Task<IReadOnlyList<Knock>> GetWaitingKnocksAsync(string code, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers a waiting knock atomically: admitting adds its player (refused when the room is full or the name is taken
    /// by then, leaving the knock waiting); refusing marks it refused.
    /// </summary>
    Task<KnockOutcome> ResolveKnockAsync(string code, string knockId, bool admit, int maxPlayers, long now, CancellationToken cancellationToken = default);

    /// <summary>Locks or unlocks the room (while locked every new join knocks); false when the room is gone.</summary>
    Task<bool> SetLockedAsync(string code, bool locked, long now, CancellationToken cancellationToken = default);

    /// <summary>When the room's latest kick that barred an address was (Unix ms); null when no address is barred.</summary>
    Task<long?> GetLastAddressKickAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets the addresses of kicked players (joins from them come straight in again); the kicked players' ids and
    /// devices stay barred. False when the room is gone.
    /// </summary>
    Task<bool> ForgetKickedAddressesAsync(string code, long now, CancellationToken cancellationToken = default);

    /// <summary>The room's current secret seed and its commitment (never shown while in use); null when the room is gone or has none.</summary>
    Task<RoomSeedSecret?> GetSeedAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the room's seed with <paramref name="newSeed"/> atomically and returns the one it replaced (to publish), or
    /// null when the room is gone. A room that had none returns a rotation with <see cref="SeedRotation.Old"/> null.
    /// </summary>
    Task<SeedRotation?> RotateSeedAsync(string code, RoomSeedSecret newSeed, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a member's client seed (used from their next roll) and records the room's commitment current at that moment beside it
    /// (<see cref="RoomSnapshot.ClientSeedCommitments"/>); false when they are not a member or the room is gone.
    /// </summary>
    Task<bool> SetClientSeedAsync(string code, string playerId, string clientSeed, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a roll in one atomic step, before any dice are drawn. With a request id (<see cref="RollAttempt.Request"/>) an id
    /// that rolled already answers <see cref="RollRequestState.Done"/> with its roll, one still rolling (claimed less than its
    /// <see cref="RollRequest.AbandonAfterMs"/> ago) <see cref="RollRequestState.InFlight"/>; neither counts against the limit.
    /// Otherwise the attempt counts against <see cref="RollAttempt.Limit"/> (exactly as <see cref="IRateLimiter.TryAcquireAsync"/>
    /// with its key); over it, <see cref="RollRequestState.RateLimited"/> and nothing is claimed or taken. Else the id is claimed
    /// (kept <see cref="RollRequest.KeepForMs"/>) and the member's next nonce (1, 2, 3... per member per room: no two rolls share
    /// one) is taken with the client seed and room seed to draw with and the room's chain head as it is now.
    /// <para>A claim with a request id stays the member's open claim until its roll is appended. When the member's open claim is
    /// this very request (taken over), was released (<see cref="ReleaseRollRequestAsync"/>) or abandoned, the new claim takes its
    /// nonce, its server-picked client seed and (a hidden roll under the same commitment) its hidden index again instead of new
    /// ones: a retry draws the same dice, and no nonce is skipped.</para>
    /// </summary>
    Task<RollStart> StartRollAsync(string code, RollAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a roll whose <see cref="Roll.Sequence"/> and <see cref="RollProof.PrevHash"/> were computed over the chain head
    /// (sequence - 1, prev hash), only if that is still the room's head; then the roll's hash becomes the head and, in the same
    /// atomic step, <paramref name="request"/> (if any) is recorded as done with this roll, so repeats of its id answer it, and the
    /// roller's open claim of the roll's nonce (see <see cref="StartRollAsync"/>) ends. Otherwise answers <see cref="ChainedAppendStatus.Stale"/> with the current head, to compute again and retry.
    /// A store whose room events travel through its own server (Valkey pub/sub) may also announce the appended roll
    /// (<see cref="RoomEvent.ForRoll"/>) in that step, in the room's sequence order: then <see cref="ChainedAppend.Announced"/>.
    /// Idempotent by <see cref="Roll.RollId"/>: a roll already in the history (the same append sent again after a reconnect, or
    /// retried) is not added again, whatever the head is now; the answer is <see cref="ChainedAppendStatus.Appended"/> with the
    /// roll as stored (its sequence), so the caller neither chains it again nor reports it twice.
    /// </summary>
    Task<ChainedAppend> AppendChainedRollAsync(Roll roll, long now, RollRequest? request, CancellationToken cancellationToken = default);
}

/// <summary>
/// A room seed (32 bytes from the OS CSPRNG) with its commitment and, under rules 2, its hidden key (32 more bytes, never
/// published: <see cref="Fairness.HiddenSecrets"/>), whose Merkle root is part of the commitment. Seeds from before rules 2
/// have no hidden key.
/// </summary>
public sealed record RoomSeedSecret(byte[] Seed, string Commitment, byte[]? HiddenKey = null)
{
    public static RoomSeedSecret New()
    {
        var seed = Fairness.RoomSeed.Create();
        var hiddenKey = Fairness.HiddenSecrets.NewKey();
        return new RoomSeedSecret(seed, Fairness.RoomSeed.Commitment(seed, Fairness.HiddenSecrets.Root(hiddenKey)), hiddenKey);
    }

    /// <summary>
    /// A fresh seed without a hidden key (rules 1): what a roll offers as the seed of a room that has one already, so that it
    /// never pays for a hidden-roll tree it will not use (a store takes the offer only for a room from before fairness).
    /// </summary>
    public static RoomSeedSecret NewWithoutHiddenKey()
    {
        var seed = Fairness.RoomSeed.Create();
        return new RoomSeedSecret(seed, Fairness.RoomSeed.Commitment(seed));
    }

    /// <summary>The server seed alone: what is published on rotation, close or expiry.</summary>
    public string SeedHex => Fairness.RoomSeed.ToHex(Seed);

    /// <summary>What a room store keeps: the seed's hex, followed by the hidden key's under rules 2.</summary>
    public string StoredHex => HiddenKey is null ? SeedHex : SeedHex + Convert.ToHexStringLower(HiddenKey);

    /// <summary>The rules its rolls follow (1 before hidden-roll secrets and client-seed order, 2 after).</summary>
    public int Rules => HiddenKey is null ? 1 : 2;

    /// <summary>Reads <see cref="StoredHex"/> back; null when it is not 64 or 128 hex digits or the commitment is empty.</summary>
    public static RoomSeedSecret? FromStored(string? storedHex, string? commitment)
    {
        if (string.IsNullOrEmpty(commitment) || storedHex is null)
        {
            return null;
        }

        if (storedHex.Length == 2 * (Fairness.RoomSeed.Length + Fairness.HiddenSecrets.KeyLength) && storedHex.All(char.IsAsciiHexDigit))
        {
            var bytes = Convert.FromHexString(storedHex);
            return new RoomSeedSecret(bytes[..Fairness.RoomSeed.Length], commitment, bytes[Fairness.RoomSeed.Length..]);
        }

        return Fairness.RoomSeed.FromHex(storedHex) is { } seed ? new RoomSeedSecret(seed, commitment) : null;
    }
}

/// <summary>A seed rotation: the seed replaced (null when the room had none) and the one now in use.</summary>
public sealed record SeedRotation(RoomSeedSecret? Old, RoomSeedSecret New);

/// <summary>The room's last appended roll in its hash chain: its sequence and hash (the genesis hash before the first).</summary>
public readonly record struct ChainHead(long Sequence, string Hash);

/// <summary>
/// What a roll is drawn with: the member's nonce and client seed, the room's seed, and the chain head when taken.
/// <see cref="ClientSeedCommitment"/> is the commitment that was current when the member set the client seed (null for a seed
/// set before rules 2, or one the roll made up); <see cref="HiddenIndex"/> the hidden-roll secret a hidden roll takes (rules 2);
/// <see cref="ServerClientSeed"/> the client seed the server picked for this claim (the attempt's fallback, or the one an earlier
/// claim of the same nonce picked), to draw with when the member has none set under the current commitment.
/// </summary>
public sealed record RollTicket(long Nonce, string ClientSeed, RoomSeedSecret Seed, ChainHead Head, string? ClientSeedCommitment = null,
    int? HiddenIndex = null, string? ServerClientSeed = null);

public enum ChainedAppendStatus
{
    Appended,
    /// <summary>Another roll was appended meanwhile: compute the hash again over <see cref="ChainedAppend.Head"/>.</summary>
    Stale,
    RoomNotFound,
}

/// <summary>
/// What a chained append did. <see cref="Announced"/>: the store also told the room's pages (on every app instance) in the
/// same atomic step, so the caller must not publish the roll again.
/// </summary>
public sealed record ChainedAppend(ChainedAppendStatus Status, Roll? Stored, ChainHead Head, bool Announced = false);

/// <summary>Sends a room event to every open page of the room, on every app instance.</summary>
public interface IRoomEventPublisher
{
    Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default);
}

/// <summary>
/// The durable record of every roll behind its public permalink. Written before the roll is appended to
/// the room's history, so every roll anyone sees has a link that survives a crash.
/// </summary>
public interface IRollArchive
{
    Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default);

    /// <summary>Makes a hidden roll's record public.</summary>
    Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of a roll that never reached its room (the room had gone).</summary>
    Task DeleteAsync(string rollId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps a room seed beside the permalinks: inserted once, its expiry only ever extended (to outlive every permalink of
    /// its rolls), and its reveal time set once (<see cref="SeedRecord.RevealedAt"/> non-null publishes it).
    /// </summary>
    Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default);

    /// <summary>Rewrites a saved roll's place in the hash chain (sequence, prev hash, hash, signature) after an append retry.</summary>
    Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default);
}

/// <summary>
/// A room seed as the archive keeps it. Times are Unix milliseconds; the archive keeps it as long as a permalink made at
/// <see cref="LastUsedAt"/> lives.
/// </summary>
public sealed record SeedRecord(string Commitment, string RoomCode, string ServerSeed, long CreatedAt, long LastUsedAt, long? RevealedAt);

/// <summary>Fixed-window counters shared by all app instances (the in-process one serves the embedded default).</summary>
public interface IRateLimiter
{
    /// <summary>Counts one attempt against <paramref name="key"/>; when over <paramref name="limit"/> in the window, says how long until it opens.</summary>
    Task<RateDecision> TryAcquireAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>How many attempts <paramref name="key"/> counted in its current window (0 when none), without counting one.</summary>
    Task<long> CountAsync(string key, CancellationToken cancellationToken = default);
}

public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>What <see cref="IRoomCapacity.TryCreateAsync"/> did.</summary>
public enum CreateOutcome
{
    Created,
    /// <summary>The code is live already: try another.</summary>
    CodeTaken,
    /// <summary>The server holds its maximum of rooms: nothing was created.</summary>
    Full,
}

/// <summary>A creation's outcome; when <see cref="CreateOutcome.Full"/>, about how long until a place may free up.</summary>
public readonly record struct CreateResult(CreateOutcome Outcome, TimeSpan RetryAfter = default);

/// <summary>
/// How many rooms are live, counted on every app instance alike: expired and deleted rooms stop counting. Creation goes
/// through here so that the count and the rooms cannot drift apart.
/// </summary>
public interface IRoomCapacity
{
    /// <summary>Creates the room (as <see cref="IRoomStore.TryCreateAsync"/>) only while fewer than <paramref name="maxRooms"/> rooms are live.</summary>
    Task<CreateResult> TryCreateAsync(Room room, Player creator, int maxRooms, CancellationToken cancellationToken = default);

    /// <summary>
    /// Null while fewer than <paramref name="maxRooms"/> rooms are live; else about how long until a place may free up. A
    /// look before the work of creating (which checks again, atomically).
    /// </summary>
    Task<TimeSpan?> FullAsync(int maxRooms, CancellationToken cancellationToken = default);
}

/// <summary>Keys that may be used once within their lifetime (a solved proof-of-work), shared by all app instances.</summary>
public interface IOneTimeKeys
{
    /// <summary>True the first time <paramref name="key"/> is used within <paramref name="lifetime"/>, false on every repeat.</summary>
    Task<bool> TryUseAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken = default);
}
