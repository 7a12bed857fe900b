namespace DiceRoller.Rooms;

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

    /// <summary>
    /// The attempt named the member's secret (<see cref="RollAttempt.SecretHash"/>) and the room no longer holds that member with
    /// it (kicked, left, or never one), or it is hidden and they are not the room's DM: nothing was claimed or taken.
    /// </summary>
    NotMember,
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
/// <para>With <paramref name="SecretHash"/> (the member's <see cref="Player.SecretHash"/> as the caller authenticated it) the store
/// checks, in the same atomic step and before anything else, that the room still holds that member with that secret and, for a
/// hidden roll, that they are its DM: else <see cref="RollRequestState.NotMember"/>. So a caller may authenticate against a room
/// read that is a little old (a kick, a leave, a DM hand-off or a close since then is caught here).</para>
public sealed record RollAttempt(string PlayerId, RollRequest? Request, RollLimit Limit, string FallbackClientSeed, bool KeepFallback,
    RoomSeedSecret CandidateSeed, long Now, bool Hidden = false, string? SecretHash = null);

/// <summary>What <see cref="IRoomStore.StartRollAsync"/> answered: the ticket to roll with, the earlier roll's id, or why not.</summary>
public sealed record RollStart(RollRequestState State, RollTicket? Ticket = null, string? RollId = null, TimeSpan RetryAfter = default);

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

/// <summary>
/// The room's roll log: starting a roll (request id, limit, nonce, seeds) and appending it to the hash chain, atomically,
/// and reading the history. Part of <see cref="IRoomStore"/>.
/// </summary>
public interface IRollLog
{
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

    /// <summary>
    /// Gives up a claim that made no roll (refused or failed), so the same id may be sent again; its nonce stays the member's
    /// to take with their next claim (see <see cref="StartRollAsync"/>).
    /// </summary>
    Task ReleaseRollRequestAsync(string code, string requestKey, CancellationToken cancellationToken = default);

    /// <summary>Rolls with a sequence greater than <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest rolls with a sequence below <paramref name="beforeSequence"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>One roll by id, or null.</summary>
    Task<Roll?> GetRollAsync(string code, string rollId, CancellationToken cancellationToken = default);

    /// <summary>Replaces a roll in history (same sequence) if it is still exactly <paramref name="current"/>; false otherwise.</summary>
    Task<bool> ReplaceRollAsync(Roll current, Roll updated, long now, CancellationToken cancellationToken = default);
}
