using DiceRoller.Dice;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

/// <summary>
/// A player's place in a room, with the credential that goes into their cookie. With a <see cref="Knock"/>, the place is
/// not theirs yet: they wait for the room's admin, and the credential works once they are admitted.
/// </summary>
public sealed record Membership(string RoomCode, Player Player, PlayerCredential Credential, Knock? Knock = null);

/// <summary>Creating and joining rooms, and recognising members. The rules live here, not in endpoints.</summary>
public sealed class RoomService(
    IRooms store,
    IRoomDoor door,
    IRoomEventPublisher events,
    IRandomSource random,
    IRateLimiter limiter,
    TimeProvider time,
    IOptions<RoomOptions> options,
    ProofOfWork proofOfWork,
    IRoomCapacity capacity,
    IRecentRooms? recent = null)
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private const int CodeAttempts = 20;
    private readonly RoomOptions _options = options.Value;

    /// <summary>
    /// Creates a room with its creator. Beyond the burst of <see cref="RoomOptions.CreateLimit"/> per address, only with a
    /// solved proof-of-work challenge (<paramref name="proof"/>); without one the answer is RATE_LIMIT with the time to wait.
    /// </summary>
    public async Task<Result<Membership>> CreateAsync(string? playerName, string? mode, Visitor visitor, ProofOfWorkAnswer? proof = null,
        string? clientSeed = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        var name = PlayerName.Validate(playerName);
        if (name.Error is not null)
        {
            return name.Error;
        }

        if (!RoomModeNames.TryParse(mode, out var roomMode))
        {
            return new RoomError(ErrorCodes.InvalidMode, "Choose whether the room is open or DM-led.");
        }

        // A full server says so before asking for any work (creating checks again, atomically).
        if (await capacity.FullAsync(_options.MaxRooms, ct) is { } wait)
        {
            return ServerFull(wait);
        }

        // An address already at its hourly limit is refused before it is asked for any work (no proof would lift it).
        var hourKey = $"create-hour:{visitor.Address}";
        if (await limiter.CountAsync(hourKey, ct) >= _options.CreateHourlyLimit
            && await limiter.TryAcquireAsync(hourKey, _options.CreateHourlyLimit, Hour, ct) is { Allowed: false } over)
        {
            return HourlyLimit(over);
        }

        var rate = await limiter.TryAcquireAsync($"create:{visitor.Address}", _options.CreateLimit, _options.CreateWindow, ct);
        if (!rate.Allowed)
        {
            if (proof is null || !proof.IsPresent)
            {
                return TooMany("You have created rooms very recently", rate) with { ProofHelps = true };
            }

            if (!await proofOfWork.VerifyAsync(proof, ct))
            {
                return TooMany("The browser check did not pass (it may have expired or been used already)", rate) with { ProofHelps = true };
            }
        }

        // However many proofs it solves, one address makes at most so many rooms an hour.
        var hourly = await limiter.TryAcquireAsync(hourKey, _options.CreateHourlyLimit, Hour, ct);
        if (!hourly.Allowed)
        {
            return HourlyLimit(hourly);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var credential = PlayerCredential.New(NewId());
        var (seed, byServer) = ClientSeedFrom(clientSeed);
        var creator = new Player(credential.PlayerId, name.Value!, now, visitor.DeviceId, credential.SecretHash, visitor.AddressHash, seed, byServer);
        for (var attempt = 0; attempt < CodeAttempts; attempt++)
        {
            var code = RoomCode.Generate(random);
            // Until a second player joins, the room lives on the short lonely TTL (while a page of it is open it does not expire).
            var (lonelyTtl, fullTtl) = (_options.LonelyTtlSecondsFor(roomMode), _options.TtlSecondsFor(roomMode));
            var room = new Room(code, roomMode, creator.PlayerId, roomMode == RoomMode.DmLed ? creator.PlayerId : null,
                Dc: null, CreatedAt: now, LastActivity: now, TtlSeconds: lonelyTtl) { FullTtlSeconds = lonelyTtl < fullTtl ? fullTtl : null };
            var created = await capacity.TryCreateAsync(room, creator, _options.MaxRooms, ct);
            if (created.Outcome == CreateOutcome.Full)
            {
                return ServerFull(created.RetryAfter);
            }

            if (created.Outcome == CreateOutcome.Created)
            {
                await limiter.TryAcquireAsync(ProofOfWork.CreationRateKey, int.MaxValue, _options.ProofRateWindow, ct);
                return Result<Membership>.Ok(new Membership(code, creator, credential));
            }
        }

        return new RoomError(ErrorCodes.ServiceUnavailable, "No free room code could be found just now. Please try again.");
    }

    private RoomError HourlyLimit(RateDecision rate) =>
        TooMany($"Your network has created {_options.CreateHourlyLimit} rooms in the last hour, the most this server allows", rate);

    /// <summary>
    /// Joins a room, or knocks: while the room is locked, or for <see cref="RoomOptions.KickKnockWindow"/> after a player
    /// from the same address was kicked, the membership comes back with a <see cref="Membership.Knock"/> to wait on.
    /// </summary>
    public async Task<Result<Membership>> JoinAsync(string? roomCode, string? playerName, Visitor visitor, string? clientSeed = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        var rate = await limiter.TryAcquireAsync(JoinBudgetKey(visitor.Address), _options.JoinLimit, _options.JoinWindow, ct);
        if (!rate.Allowed)
        {
            return TooMany("Too many join attempts from your network", rate);
        }

        var code = RoomCode.Normalize(roomCode);
        if (code is null)
        {
            return new RoomError(ErrorCodes.InvalidRoomCode, "Room codes look like ALPHA-1234: a word, a dash and four digits.");
        }

        var name = PlayerName.Validate(playerName);
        if (name.Error is not null)
        {
            return name.Error;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var credential = PlayerCredential.New(NewId());
        var (seed, byServer) = ClientSeedFrom(clientSeed);
        var player = new Player(credential.PlayerId, name.Value!, now, visitor.DeviceId, credential.SecretHash, visitor.AddressHash, seed, byServer);
        var knock = new Knock(NewId(), code, player, now, now + (long)_options.KnockTtl.TotalMilliseconds, KnockState.Waiting);
        var kickedSince = now - (long)_options.KickKnockWindow.TotalMilliseconds;
        var outcome = await door.JoinOrKnockAsync(code, knock, _options.MaxPlayers, kickedSince, now, ct);
        switch (outcome)
        {
            case JoinOutcome.Knocking:
                await events.PublishAsync(RoomEvent.ForDoor(code), ct);
                return Result<Membership>.Ok(new Membership(code, player, credential, knock));
            case JoinOutcome.RoomNotFound:
                return RoomNotFound(code);
            case JoinOutcome.Kicked:
                return new RoomError(ErrorCodes.Kicked, $"You were removed from room {code} and cannot rejoin it.");
            case JoinOutcome.RoomFull:
                return new RoomError(ErrorCodes.RoomFull, $"Room {code} is full: it already has {_options.MaxPlayers} players.");
            case JoinOutcome.NameTaken:
                return new RoomError(ErrorCodes.NameTaken, $"Someone in {code} is already called {player.Name}. Pick another name.");
            default:
                await events.PublishAsync(RoomEvent.ForPlayerJoined(code, player), ct);
                return Result<Membership>.Ok(new Membership(code, player, credential));
        }
    }

    /// <summary>Finds a live room by what a person typed or a URL held; null when unknown, malformed or expired.</summary>
    public async Task<RoomSnapshot?> FindAsync(string? roomCode, CancellationToken ct = default)
    {
        var code = RoomCode.Normalize(roomCode);
        return code is null ? null : await store.GetAsync(code, ct);
    }

    /// <summary>
    /// <see cref="FindAsync"/> for the roll post: the room as read a few seconds ago on this instance when the store keeps such
    /// reads (<see cref="IRecentRooms"/>; the roll's start checks the member again atomically), else read now.
    /// </summary>
    public async Task<RoomSnapshot?> FindRecentAsync(string? roomCode, CancellationToken ct = default)
    {
        var code = RoomCode.Normalize(roomCode);
        return code is null ? null : recent is null ? await store.GetAsync(code, ct) : await recent.GetAsync(code, ct);
    }

    /// <summary>Drops this instance's kept read of the room (<see cref="FindRecentAsync"/>): the next one reads it afresh.</summary>
    public void ForgetRecent(string code) => recent?.Forget(code);

    /// <summary>The member the credential belongs to, or null.</summary>
    public static Player? Authenticate(RoomSnapshot room, PlayerCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (credential is null)
        {
            return null;
        }

        var player = room.FindPlayer(credential.PlayerId);
        return player is not null && credential.Matches(player) ? player : null;
    }

    /// <summary>The client seed the page script made (crypto.getRandomValues); without one (no JavaScript) the server makes it, and says so.</summary>
    private static (string Seed, bool ByServer) ClientSeedFrom(string? sent) =>
        Fairness.ClientSeed.IsValid(sent?.Trim()) ? (sent!.Trim(), false) : (Fairness.ClientSeed.Generate(), true);

    private static RoomError TooMany(string what, RateDecision rate)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(rate.RetryAfter.TotalSeconds));
        return new RoomError(ErrorCodes.RateLimit, $"{what}. Please try again in {Wait(seconds)}.") { RetryAfter = TimeSpan.FromSeconds(seconds) };
    }

    private static string Wait(int seconds) => seconds >= 90 ? $"{Math.Ceiling(seconds / 60.0):0} minutes" : $"{seconds} seconds";

    /// <summary>
    /// The server holds <see cref="RoomOptions.MaxRooms"/> rooms: SERVICE_UNAVAILABLE (503), in whole minutes (at least one)
    /// until the soonest room could expire.
    /// </summary>
    private static RoomError ServerFull(TimeSpan soonest)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(soonest.TotalMinutes));
        var wait = minutes == 1 ? "1 minute" : $"{minutes} minutes";
        return new RoomError(ErrorCodes.ServiceUnavailable,
            $"This server is full right now: it holds as many rooms as it can. Rooms already open keep working. Please try again in {wait}.")
        { RetryAfter = TimeSpan.FromMinutes(minutes) };
    }

    /// <summary>
    /// Counts a look at a room by someone who is not one of its players (any answer that could tell an existing room
    /// from a missing one) against the same per-address budget as joins, so codes cannot be guessed faster by peeking
    /// than by joining. Past the budget: RATE_LIMIT, worded the same for every code.
    /// </summary>
    public async Task<RoomError?> CountLookAsync(string address, CancellationToken ct = default)
    {
        var rate = await limiter.TryAcquireAsync(JoinBudgetKey(address), _options.JoinLimit, _options.JoinWindow, ct);
        return rate.Allowed ? null : TooMany("Too many room codes were tried from your network", rate);
    }

    /// <summary>The one per-address budget shared by joins and by non-members looking at rooms.</summary>
    private static string JoinBudgetKey(string address) => $"join:{address}";

    public static RoomError RoomNotFound(string? code) =>
        new(ErrorCodes.RoomNotFound, $"There is no live room {code}. It may have expired; check the code or create a new room.");

    public static RoomError NotInRoom(string code) =>
        new(ErrorCodes.NotInRoom, $"You are not a player in room {code}. Join it first.");

    internal static string NewId() => Guid.CreateVersion7().ToString("D");
}
