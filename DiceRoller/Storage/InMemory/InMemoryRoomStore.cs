using System.Collections.Concurrent;
using DiceRoller.Initiative;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Storage;

/// <summary>
/// The embedded default: rooms in this process's memory, with the same rules as the Valkey store
/// (atomic appends, sequence numbers, history limit, time-to-live refreshed on activity). Each room has
/// one lock; every operation runs under it.
/// </summary>
public sealed partial class InMemoryRoomStore(TimeProvider time, IOptions<RoomOptions> options, InMemoryRateLimiter? limiter = null) : IRoomStore, IRoomCapacity, IEncounters
{
    /// <summary>The app's in-process limiter (one set of counters for <see cref="IRateLimiter"/> and for rolls).</summary>
    private readonly InMemoryRateLimiter _limiter = limiter ?? new InMemoryRateLimiter(time);

    private readonly ConcurrentDictionary<string, RoomData> _rooms = new(StringComparer.Ordinal);
    private readonly int _historyLimit = options.Value.HistoryLimit;

    private sealed class RoomData(Room room, Player creator)
    {
        public object Gate { get; } = new();
        public Room Room { get; set; } = room;
        public List<Player> Players { get; } = [creator];
        public List<Roll> Rolls { get; } = [];
        public List<ModeChange> ModeChanges { get; } = [];
        public HashSet<string> Kicked { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> KickedAddresses { get; } = new(StringComparer.Ordinal);
        public List<Knock> Knocks { get; } = [];
        public Dictionary<string, (string PlayerId, long ExpiresAt)> Presence { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> ContinueSeals { get; } = new(StringComparer.Ordinal);

        /// <summary>Each member's saved rolls, in the order saved.</summary>
        public Dictionary<string, List<SavedRoll>> SavedRolls { get; } = new(StringComparer.Ordinal);
        public long Sequence { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }

        /// <summary>Roll request ids (per player): the roll they made (null while rolling), when claimed, until when kept.</summary>
        public Dictionary<string, (string? RollId, long ClaimedAt, long KeptUntil)> Requests { get; } = new(StringComparer.Ordinal);

        /// <summary>The room's secret seed (drawn at creation), the client seeds members set, their last nonces, the chain head's hash.</summary>
        public RoomSeedSecret? Seed { get; set; }

        public Dictionary<string, string> ClientSeeds { get; } = new(StringComparer.Ordinal);

        /// <summary>The commitment current when each client seed was set; the hidden-roll secrets the current seed gave out.</summary>
        public Dictionary<string, string> ClientSeedCommitments { get; } = new(StringComparer.Ordinal);

        public int HiddenTaken { get; set; }

        public Dictionary<string, long> Nonces { get; } = new(StringComparer.Ordinal);

        /// <summary>Each member's open claim (with a request id) until its roll is appended; Released once given up.</summary>
        public Dictionary<string, OpenClaim> Claims { get; } = new(StringComparer.Ordinal);

        public string LastHash { get; set; } = Fairness.RollHash.Genesis;
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>What a member's unfinished claim took: the next claim of that member takes it again (see <see cref="StartRollAsync"/>).</summary>
    private sealed record OpenClaim(string RequestKey, long ClaimedAt, bool Released, long Nonce, int? HiddenIndex, string Commitment, string ServerClientSeed);

    /// <summary>Creations that count the live rooms go one at a time, so two cannot both take the last place.</summary>
    private readonly Lock _capacityGate = new();

    public Task<CreateResult> TryCreateAsync(Room room, Player creator, int maxRooms, CancellationToken cancellationToken = default)
    {
        lock (_capacityGate)
        {
            if (Full(maxRooms) is { } wait)
            {
                return Task.FromResult(new CreateResult(CreateOutcome.Full, wait));
            }

            return TryCreateAsync(room, creator, cancellationToken).Result
                ? Task.FromResult(new CreateResult(CreateOutcome.Created))
                : Task.FromResult(new CreateResult(CreateOutcome.CodeTaken));
        }
    }

    public Task<TimeSpan?> FullAsync(int maxRooms, CancellationToken cancellationToken = default)
    {
        lock (_capacityGate)
        {
            return Task.FromResult(Full(maxRooms));
        }
    }

    /// <summary>Counts the live rooms (dropping expired ones): null below <paramref name="maxRooms"/>, else the time until the soonest expiry.</summary>
    private TimeSpan? Full(int maxRooms)
    {
        var now = time.GetUtcNow();
        var live = 0;
        var soonest = DateTimeOffset.MaxValue;
        foreach (var entry in _rooms)
        {
            var expiresAt = entry.Value.ExpiresAt;
            if (expiresAt <= now)
            {
                _rooms.TryRemove(entry);
                continue;
            }

            live++;
            soonest = expiresAt < soonest ? expiresAt : soonest;
        }

        return live >= maxRooms ? soonest - now : null;
    }

    public Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        var data = new RoomData(room, creator) { ExpiresAt = time.GetUtcNow().AddSeconds(room.TtlSeconds), Seed = RoomSeedSecret.New() };
        while (true)
        {
            if (_rooms.TryAdd(room.Code, data))
            {
                return Task.FromResult(true);
            }

            if (Live(room.Code) is not null)
            {
                return Task.FromResult(false);
            }
        }
    }

    public Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default) =>
        Locked<RoomSnapshot?>(code, null, data =>
        {
            // One pass over the presences, no grouping (every roll post reads the room on this store).
            var now = Now;
            var connected = new Dictionary<string, long>(StringComparer.Ordinal);
            var current = new List<(string PlayerId, string StreamId)>(data.Presence.Count);
            foreach (var (streamId, (playerId, expiresAt)) in data.Presence)
            {
                if (expiresAt > now)
                {
                    connected[playerId] = connected.TryGetValue(playerId, out var latest) ? Math.Max(latest, expiresAt) : expiresAt;
                    current.Add((playerId, streamId));
                }
            }

            var withoutStream = PagePresence.PlayersWithoutStream(current);
            return new RoomSnapshot(data.Room, [.. data.Players], [.. data.ModeChanges],
                new HashSet<string>(data.Kicked, StringComparer.Ordinal), connected)
            {
                ExpiresAt = data.ExpiresAt.ToUnixTimeMilliseconds(),
                WithoutLiveUpdates = withoutStream,
                ContinueSeals = new Dictionary<string, string>(data.ContinueSeals, StringComparer.Ordinal),
                Commitment = data.Seed?.Commitment,
                ClientSeeds = new Dictionary<string, string>(data.ClientSeeds, StringComparer.Ordinal),
                ClientSeedCommitments = new Dictionary<string, string>(data.ClientSeedCommitments, StringComparer.Ordinal),
            };
        });

    /// <summary>Why <paramref name="player"/> may not join now (kicked, full, name taken), or null.</summary>
    private static JoinOutcome? Refusal(RoomData data, Player player, int maxPlayers)
    {
        if (data.Kicked.Contains(player.PlayerId) || (!string.IsNullOrEmpty(player.DeviceId) && data.Kicked.Contains(RoomSnapshot.KickedDeviceKey(player.DeviceId))))
        {
            return JoinOutcome.Kicked;
        }

        if (data.Players.Count >= maxPlayers)
        {
            return JoinOutcome.RoomFull;
        }

        return data.Players.Exists(p => string.Equals(p.Name, player.Name, StringComparison.OrdinalIgnoreCase)) ? JoinOutcome.NameTaken : null;
    }

    public Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<Roll>>(code, [], data => data.Rolls.Where(r => r.Sequence > afterSequence).Take(limit).ToList());

    public Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<Roll>>(code, [], data => data.Rolls.Where(r => r.Sequence < beforeSequence).Reverse().Take(limit).ToList());

    public Task<Roll?> GetRollAsync(string code, string rollId, CancellationToken cancellationToken = default) =>
        Locked(code, null, data => data.Rolls.Find(r => r.RollId == rollId));

    public Task<bool> ReplaceRollAsync(Roll current, Roll updated, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        return Changed(current.RoomCode, now, data =>
        {
            var index = data.Rolls.FindIndex(r => r.RollId == current.RollId && r.Sequence == current.Sequence && r.Revealed == current.Revealed);
            if (index < 0 || updated.Sequence != current.Sequence)
            {
                return false;
            }

            data.Rolls[index] = updated;
            return true;
        });
    }

    public Task<bool> SetDcAsync(string code, int? dc, long now, CancellationToken cancellationToken = default) =>
        Changed(code, now, data =>
        {
            data.Room = data.Room with { Dc = dc };
            return true;
        });

    public Task<PromoteOutcome> PromoteAsync(string code, ModeChange change, int ttlSeconds, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Locked(code, PromoteOutcome.RoomNotFound, data =>
        {
            if (data.Room.Mode == RoomMode.DmLed)
            {
                return PromoteOutcome.AlreadyDmLed;
            }

            if (!data.Players.Exists(p => p.PlayerId == change.DmPlayerId))
            {
                return PromoteOutcome.PlayerNotFound;
            }

            // A room nobody else joined yet keeps its lonely TTL; the DM-led TTL waits for a second player.
            data.Room = data.Room.FullTtlSeconds is null
                ? data.Room with { Mode = RoomMode.DmLed, DmPlayerId = change.DmPlayerId, TtlSeconds = ttlSeconds }
                : data.Room with { Mode = RoomMode.DmLed, DmPlayerId = change.DmPlayerId, TtlSeconds = Math.Min(data.Room.TtlSeconds, ttlSeconds), FullTtlSeconds = ttlSeconds };
            data.ModeChanges.Add(change with { AfterSequence = data.Sequence });
            Touch(data, now);
            return PromoteOutcome.Promoted;
        });
    }

    public Task<bool> KickAsync(string code, Player player, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        return Changed(code, now, data =>
        {
            if (data.Players.RemoveAll(p => p.PlayerId == player.PlayerId) == 0)
            {
                return false;
            }

            data.Kicked.Add(player.PlayerId);
            if (!string.IsNullOrEmpty(player.DeviceId))
            {
                data.Kicked.Add(RoomSnapshot.KickedDeviceKey(player.DeviceId));
            }

            if (!string.IsNullOrEmpty(player.AddressHash))
            {
                data.KickedAddresses[player.AddressHash] = now;
            }

            Forget(data, player.PlayerId);
            return true;
        });
    }

    public Task DeleteAsync(string code, CancellationToken cancellationToken = default)
    {
        _rooms.TryRemove(code, out _);
        return Task.CompletedTask;
    }

    /// <summary>An open page holds the room: it lives at least its TTL past the page's presence (so a crashed instance's pages let go).</summary>
    public Task SetPresenceAsync(string code, string playerId, string streamId, long expiresAt, CancellationToken cancellationToken = default) =>
        Locked(code, false, data =>
        {
            data.Presence[streamId] = (playerId, expiresAt);
            var held = DateTimeOffset.FromUnixTimeMilliseconds(expiresAt).AddSeconds(data.Room.TtlSeconds);
            if (held > data.ExpiresAt)
            {
                data.ExpiresAt = held;
            }

            return true;
        });

    /// <summary>When the room's last open page goes, its clock starts: it lives its TTL from now.</summary>
    public Task<bool> RemovePresenceAsync(string code, string playerId, string streamId, long now, CancellationToken cancellationToken = default) =>
        Locked(code, false, data =>
        {
            data.Presence.Remove(streamId);
            if (!data.Presence.Values.Any(p => p.ExpiresAt > now))
            {
                data.ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(now).AddSeconds(data.Room.TtlSeconds);
            }

            return data.Presence.Values.Any(p => p.PlayerId == playerId && p.ExpiresAt > now);
        });

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    public Task<LeaveResult> LeaveAsync(string code, Player player, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        return Locked(code, new LeaveResult(LeaveOutcome.RoomNotFound), data =>
        {
            if (!data.Players.Exists(p => p.PlayerId == player.PlayerId))
            {
                return new LeaveResult(LeaveOutcome.PlayerNotFound);
            }

            if (data.Players.Count == 1)
            {
                data.ExpiresAt = DateTimeOffset.MinValue;
                _rooms.TryRemove(new KeyValuePair<string, RoomData>(code, data));
                return new LeaveResult(LeaveOutcome.RoomClosed);
            }

            var room = data.Room;
            if (room.Mode == RoomMode.DmLed && room.DmPlayerId == player.PlayerId)
            {
                return new LeaveResult(LeaveOutcome.DmMustHandOver);
            }

            data.Players.RemoveAll(p => p.PlayerId == player.PlayerId);
            Forget(data, player.PlayerId);
            string? heir = null;
            if (room.CreatorPlayerId == player.PlayerId)
            {
                heir = room.Mode == RoomMode.DmLed && room.DmPlayerId is not null ? room.DmPlayerId : data.Players.MinBy(p => p.JoinedAt)!.PlayerId;
                data.Room = room with { CreatorPlayerId = heir };
            }

            Touch(data, now);
            return new LeaveResult(LeaveOutcome.Left, heir);
        });
    }

    public Task<HandOverOutcome> HandOverDmAsync(string code, ModeChange change, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Locked(code, HandOverOutcome.RoomNotFound, data =>
        {
            if (data.Room.Mode != RoomMode.DmLed || data.Room.DmPlayerId != change.InitiatedBy)
            {
                return HandOverOutcome.NotDm;
            }

            if (!data.Players.Exists(p => p.PlayerId == change.DmPlayerId))
            {
                return HandOverOutcome.PlayerNotFound;
            }

            data.Room = data.Room with { DmPlayerId = change.DmPlayerId };
            data.ModeChanges.Add(change with { AfterSequence = data.Sequence });
            Touch(data, now);
            return HandOverOutcome.HandedOver;
        });
    }

    public Task<bool> SetContinueSealAsync(string code, string playerId, string seal, bool replace, CancellationToken cancellationToken = default) =>
        Locked(code, false, data =>
        {
            if (!data.Players.Exists(p => p.PlayerId == playerId) || (!replace && data.ContinueSeals.ContainsKey(playerId)))
            {
                return false;
            }

            data.ContinueSeals[playerId] = seal;
            return true;
        });

    /// <summary>Forgets a player who is no longer a member: their open pages and their continue link.</summary>
    private static void Forget(RoomData data, string playerId)
    {
        foreach (var stream in data.Presence.Where(p => p.Value.PlayerId == playerId).Select(p => p.Key).ToList())
        {
            data.Presence.Remove(stream);
        }

        data.ContinueSeals.Remove(playerId);
        data.SavedRolls.Remove(playerId);
    }

    public Task<IReadOnlyList<SavedRoll>> GetSavedRollsAsync(string code, string playerId, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<SavedRoll>>(code, [], data => data.SavedRolls.TryGetValue(playerId, out var list) ? [.. list] : []);

    public Task<SaveRollOutcome> SaveRollAsync(string code, string playerId, SavedRoll roll, int max, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        return Locked(code, SaveRollOutcome.NotMember, data =>
        {
            if (!data.Players.Exists(p => p.PlayerId == playerId))
            {
                return SaveRollOutcome.NotMember;
            }

            var list = data.SavedRolls.TryGetValue(playerId, out var saved) ? saved : [];
            var index = list.FindIndex(r => string.Equals(r.Name, roll.Name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                list[index] = roll;
            }
            else if (list.Count >= max)
            {
                return SaveRollOutcome.Full;
            }
            else
            {
                list.Add(roll);
            }

            data.SavedRolls[playerId] = list;
            Touch(data, now);
            return SaveRollOutcome.Saved;
        });
    }

    public Task<bool> RemoveSavedRollAsync(string code, string playerId, string name, long now, CancellationToken cancellationToken = default) =>
        Changed(code, now, data => data.SavedRolls.TryGetValue(playerId, out var list)
            && list.RemoveAll(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) > 0);

    public Task<JoinOutcome> JoinOrKnockAsync(string code, Knock knock, int maxPlayers, long kickedSince, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(knock);
        return Locked(code, JoinOutcome.RoomNotFound, data =>
        {
            var player = knock.Player;
            var refusal = Refusal(data, player, maxPlayers);
            if (refusal is not null)
            {
                return refusal.Value;
            }

            var recentKick = !string.IsNullOrEmpty(player.AddressHash)
                && data.KickedAddresses.TryGetValue(player.AddressHash, out var kickedAt) && kickedAt >= kickedSince;
            if (data.Room.Locked || recentKick)
            {
                data.Knocks.RemoveAll(k => k.ExpiresAt <= now);
                data.Knocks.Add(knock);
                Touch(data, now);
                return JoinOutcome.Knocking;
            }

            data.Players.Add(player);
            Befriend(data);
            Touch(data, now);
            return JoinOutcome.Joined;
        });
    }

    public Task<Knock?> GetKnockAsync(string code, string knockId, CancellationToken cancellationToken = default) =>
        Locked(code, null, data => data.Knocks.Find(k => k.KnockId == knockId));

    public Task<long?> GetLastAddressKickAsync(string code, CancellationToken cancellationToken = default) =>
        Locked<long?>(code, null, data => data.KickedAddresses.Count == 0 ? null : data.KickedAddresses.Values.Max());

    public Task<bool> ForgetKickedAddressesAsync(string code, long now, CancellationToken cancellationToken = default) =>
        Changed(code, now, data =>
        {
            data.KickedAddresses.Clear();
            return true;
        });

    public Task<IReadOnlyList<Knock>> GetWaitingKnocksAsync(string code, long now, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<Knock>>(code, [], data => data.Knocks.Where(k => k.IsWaiting(now)).OrderBy(k => k.CreatedAt).ToList());

    public Task<KnockOutcome> ResolveKnockAsync(string code, string knockId, bool admit, int maxPlayers, long now, CancellationToken cancellationToken = default) =>
        Locked(code, KnockOutcome.RoomNotFound, data =>
        {
            var index = data.Knocks.FindIndex(k => k.KnockId == knockId && k.IsWaiting(now));
            if (index < 0)
            {
                return KnockOutcome.KnockNotFound;
            }

            var knock = data.Knocks[index];
            if (!admit)
            {
                data.Knocks[index] = knock with { State = KnockState.Refused };
                return KnockOutcome.Refused;
            }

            switch (Refusal(data, knock.Player, maxPlayers))
            {
                case JoinOutcome.RoomFull:
                    return KnockOutcome.RoomFull;
                case JoinOutcome.NameTaken:
                    return KnockOutcome.NameTaken;
                case JoinOutcome.Kicked:
                    return KnockOutcome.Kicked;
            }

            data.Players.Add(knock.Player with { JoinedAt = now });
            data.Knocks[index] = knock with { State = KnockState.Admitted };
            Befriend(data);
            Touch(data, now);
            return KnockOutcome.Admitted;
        });

    public Task<bool> SetLockedAsync(string code, bool locked, long now, CancellationToken cancellationToken = default) =>
        Changed(code, now, data =>
        {
            data.Room = data.Room with { Locked = locked };
            return true;
        });

    /// <summary>Runs <paramref name="body"/> under the room's lock; <paramref name="missing"/> when there is no live room.</summary>
    private Task<T> Locked<T>(string code, T missing, Func<RoomData, T> body)
    {
        var data = Live(code);
        if (data is null)
        {
            return Task.FromResult(missing);
        }

        lock (data.Gate)
        {
            return Task.FromResult(body(data));
        }
    }

    /// <summary>Like <see cref="Locked{T}"/>, and refreshes the room's TTL when <paramref name="change"/> reports a change.</summary>
    private Task<bool> Changed(string code, long now, Func<RoomData, bool> change) =>
        Locked(code, false, data =>
        {
            var changed = change(data);
            if (changed)
            {
                Touch(data, now);
            }

            return changed;
        });

    /// <summary>A second player joined: the room leaves its lonely TTL for the mode's own, for good.</summary>
    private static void Befriend(RoomData data)
    {
        if (data.Room.FullTtlSeconds is { } full)
        {
            data.Room = data.Room with { TtlSeconds = full, FullTtlSeconds = null };
        }
    }

    private void Touch(RoomData data, long now)
    {
        data.Room = data.Room with { LastActivity = now };
        data.ExpiresAt = time.GetUtcNow().AddSeconds(data.Room.TtlSeconds);
    }

    /// <summary>The room if it exists and has not expired; an expired room is removed on sight.</summary>
    private RoomData? Live(string code)
    {
        if (!_rooms.TryGetValue(code, out var data))
        {
            return null;
        }

        if (time.GetUtcNow() < data.ExpiresAt)
        {
            return data;
        }

        _rooms.TryRemove(new KeyValuePair<string, RoomData>(code, data));
        return null;
    }

    public Task ReleaseRollRequestAsync(string code, string requestKey, CancellationToken cancellationToken = default) =>
        Locked(code, false, data =>
        {
            if (data.Requests.TryGetValue(requestKey, out var request) && request.RollId is not null)
            {
                return false;
            }

            data.Requests.Remove(requestKey);
            var player = RollRequest.PlayerOf(requestKey);
            if (data.Claims.TryGetValue(player, out var open) && open.RequestKey == requestKey)
            {
                data.Claims[player] = open with { Released = true };
            }

            return true;
        });

    public Task<RoomSeedSecret?> GetSeedAsync(string code, CancellationToken cancellationToken = default) =>
        Locked(code, null, data => data.Seed);

    public Task<SeedRotation?> RotateSeedAsync(string code, RoomSeedSecret newSeed, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newSeed);
        return Locked<SeedRotation?>(code, null, data =>
        {
            var old = data.Seed;
            data.Seed = newSeed;
            data.HiddenTaken = 0;
            Touch(data, now);
            return new SeedRotation(old, newSeed);
        });
    }

    public Task<bool> SetClientSeedAsync(string code, string playerId, string clientSeed, long now, CancellationToken cancellationToken = default) =>
        Changed(code, now, data =>
        {
            if (!data.Players.Exists(p => p.PlayerId == playerId))
            {
                return false;
            }

            data.ClientSeeds[playerId] = clientSeed;
            if (data.Seed is { } seed)
            {
                data.ClientSeedCommitments[playerId] = seed.Commitment;
            }
            else
            {
                data.ClientSeedCommitments.Remove(playerId);
            }

            return true;
        });

    public Task<RollStart> StartRollAsync(string code, RollAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return Locked(code, new RollStart(RollRequestState.RoomNotFound), data =>
        {
            var clock = Now;
            if (attempt.SecretHash is { } secretHash && (data.Players.Find(p => p.PlayerId == attempt.PlayerId) is not { } member
                || member.SecretHash != secretHash || (attempt.Hidden && !(data.Room.Mode == RoomMode.DmLed && data.Room.DmPlayerId == attempt.PlayerId))))
            {
                return new RollStart(RollRequestState.NotMember);
            }

            if (attempt.Request is { } request)
            {
                foreach (var expired in data.Requests.Where(r => r.Value.KeptUntil <= clock).Select(r => r.Key).ToList())
                {
                    data.Requests.Remove(expired);
                }

                if (data.Requests.TryGetValue(request.Key, out var earlier))
                {
                    if (earlier.RollId is not null)
                    {
                        return new RollStart(RollRequestState.Done, RollId: earlier.RollId);
                    }

                    if (attempt.Now - earlier.ClaimedAt < request.AbandonAfterMs)
                    {
                        return new RollStart(RollRequestState.InFlight);
                    }
                }
            }

            var hiddenSecrets = attempt.Hidden && (data.Seed ?? attempt.CandidateSeed).HiddenKey is not null;
            var current = (data.Seed ?? attempt.CandidateSeed).Commitment;
            // The member's open claim that made no roll: this very request's (taken over), released or abandoned. Taken again.
            var kept = attempt.Request is { } mine && data.Claims.TryGetValue(attempt.PlayerId, out var open)
                && (open.RequestKey == mine.Key || open.Released || attempt.Now - open.ClaimedAt >= mine.AbandonAfterMs) ? open : null;
            var keptHidden = hiddenSecrets && kept?.HiddenIndex is not null && kept.Commitment == current;
            if (hiddenSecrets && !keptHidden && data.HiddenTaken >= Fairness.HiddenSecrets.Count)
            {
                return new RollStart(RollRequestState.HiddenSecretsUsedUp);
            }

            var rate = _limiter.Acquire(attempt.Limit.Key, attempt.Limit.Limit, attempt.Limit.Window);
            if (!rate.Allowed)
            {
                return new RollStart(RollRequestState.RateLimited, RetryAfter: rate.RetryAfter);
            }

            if (attempt.Request is { } claimed)
            {
                data.Requests[claimed.Key] = (null, attempt.Now, clock + claimed.KeepForMs);
            }

            data.Seed ??= attempt.CandidateSeed;
            var nonce = kept?.Nonce ?? data.Nonces.GetValueOrDefault(attempt.PlayerId) + 1;
            data.Nonces[attempt.PlayerId] = Math.Max(nonce, data.Nonces.GetValueOrDefault(attempt.PlayerId));
            int? hiddenIndex = keptHidden ? kept!.HiddenIndex : hiddenSecrets ? data.HiddenTaken++ : null;
            var fallback = kept?.ServerClientSeed ?? attempt.FallbackClientSeed;
            if (attempt.Request is { } claim)
            {
                data.Claims[attempt.PlayerId] = new OpenClaim(claim.Key, attempt.Now, Released: false, nonce, hiddenIndex, current, fallback);
            }

            var clientSeedCommitment = data.ClientSeedCommitments.GetValueOrDefault(attempt.PlayerId);
            if (!data.ClientSeeds.TryGetValue(attempt.PlayerId, out var clientSeed))
            {
                clientSeedCommitment = null;
                clientSeed = fallback;
                if (attempt.KeepFallback && data.Players.Exists(p => p.PlayerId == attempt.PlayerId))
                {
                    data.ClientSeeds[attempt.PlayerId] = clientSeed;
                }
            }

            return new RollStart(RollRequestState.Claimed,
                new RollTicket(nonce, clientSeed, data.Seed, new ChainHead(data.Sequence, data.LastHash), clientSeedCommitment, hiddenIndex, fallback));
        });
    }

    public Task<ChainedAppend> AppendChainedRollAsync(Roll roll, long now, RollRequest? request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(roll.Proof);
        return Locked(roll.RoomCode, new ChainedAppend(ChainedAppendStatus.RoomNotFound, null, default), data =>
        {
            // Idempotent by roll id: a roll sent again after it was appended answers as stored, and is not added twice.
            if (data.Rolls.Find(r => r.RollId == roll.RollId) is { } appended)
            {
                return new ChainedAppend(ChainedAppendStatus.Appended, appended, new ChainHead(appended.Sequence, appended.Proof?.Hash ?? ""));
            }

            var head = new ChainHead(data.Sequence, data.LastHash);
            if (roll.Sequence != head.Sequence + 1 || roll.Proof.PrevHash != head.Hash)
            {
                return new ChainedAppend(ChainedAppendStatus.Stale, null, head);
            }

            data.Sequence = roll.Sequence;
            data.LastHash = roll.Proof.Hash;
            data.Rolls.Add(roll);
            if (data.Rolls.Count > _historyLimit)
            {
                data.Rolls.RemoveRange(0, data.Rolls.Count - _historyLimit);
            }

            Touch(data, now);
            if (data.Claims.TryGetValue(roll.PlayerId, out var open) && open.Nonce == roll.Proof.Nonce)
            {
                data.Claims.Remove(roll.PlayerId);
            }

            data.Nonces[roll.PlayerId] = Math.Max(roll.Proof.Nonce, data.Nonces.GetValueOrDefault(roll.PlayerId));

            if (request is not null)
            {
                var claimedAt = data.Requests.TryGetValue(request.Key, out var claim) ? claim.ClaimedAt : now;
                data.Requests[request.Key] = (roll.RollId, claimedAt, Now + request.KeepForMs);
            }

            return new ChainedAppend(ChainedAppendStatus.Appended, roll, new ChainHead(roll.Sequence, roll.Proof.Hash));
        });
    }
}
