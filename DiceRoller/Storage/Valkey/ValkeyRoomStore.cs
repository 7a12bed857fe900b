using System.Globalization;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Rooms in Valkey: a meta hash, a players hash, a name index and the roll history as a sorted set
/// scored by sequence. Every write is one Lua script, so appends and their sequence numbers are atomic
/// across app instances; nothing is read, modified and written back.
/// </summary>
public sealed class ValkeyRoomStore(IConnectionMultiplexer redis, IOptions<RoomOptions> options, TimeProvider time,
    IOptions<ValkeyOptions>? valkeyOptions = null, ILogger<ValkeyRoomStore>? logger = null) : IRoomStore
{
    private readonly int _historyLimit = options.Value.HistoryLimit;
    private readonly ValkeyOptions _valkey = valkeyOptions?.Value ?? new ValkeyOptions();

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(creator);
        var seed = RoomSeedSecret.New();
        var result = await Db.ScriptEvaluateAsync(ValkeyScripts.Create, ValkeyKeys.All(room.Code),
        [
            room.TtlSeconds, room.Code, room.Mode.ToWire(), room.CreatorPlayerId, room.DmPlayerId ?? "",
            room.CreatedAt, creator.PlayerId, RoomJson.Serialize(creator), NameKey(creator.Name), seed.StoredHex, seed.Commitment,
            room.FullTtlSeconds?.ToString(CultureInfo.InvariantCulture) ?? "",
        ]);
        return (int)result == 1;
    }

    public async Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        var db = Db;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var metaTask = db.HashGetAllAsync(ValkeyKeys.Meta(code));
        var playersTask = db.HashValuesAsync(ValkeyKeys.Players(code));
        var modesTask = db.ListRangeAsync(ValkeyKeys.Modes(code));
        var kickedTask = db.SetMembersAsync(ValkeyKeys.Kicked(code));
        var presenceTask = db.SortedSetRangeByScoreWithScoresAsync(ValkeyKeys.Presence(code), now, double.PositiveInfinity, Exclude.Start);
        var ttlTask = db.KeyTimeToLiveAsync(ValkeyKeys.Meta(code));
        var meta = (await metaTask).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        var players = await playersTask;
        var modes = await modesTask;
        var kicked = await kickedTask;
        var presence = await presenceTask;
        var ttl = await ttlTask;
        if (meta.Count == 0 || !meta.ContainsKey("code"))
        {
            return null;
        }

        var room = new Room(
            meta["code"],
            RoomModeNames.TryParse(meta["mode"], out var mode) ? mode : RoomMode.Open,
            meta["creator"],
            string.IsNullOrEmpty(meta.GetValueOrDefault("dm")) ? null : meta["dm"],
            int.TryParse(meta.GetValueOrDefault("dc"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var dc) ? dc : null,
            long.Parse(meta["created_at"], CultureInfo.InvariantCulture),
            long.Parse(meta["last_activity"], CultureInfo.InvariantCulture),
            int.Parse(meta["ttl"], CultureInfo.InvariantCulture),
            Locked: meta.GetValueOrDefault("locked") == "1")
        {
            FullTtlSeconds = int.TryParse(meta.GetValueOrDefault("full_ttl"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var full) ? full : null,
        };
        var list = players.Select(p => RoomJson.Deserialize<Player>(p.ToString())!).OrderBy(p => p.JoinedAt).ThenBy(p => p.PlayerId, StringComparer.Ordinal).ToList();
        var connected = presence
            .Select(e => (PlayerId: e.Element.ToString().Split('|')[0], ExpiresAt: (long)e.Score))
            .GroupBy(e => e.PlayerId)
            .ToDictionary(g => g.Key, g => g.Max(e => e.ExpiresAt), StringComparer.Ordinal);
        var withoutStream = PagePresence.PlayersWithoutStream(presence.Select(e => e.Element.ToString().Split('|', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")));
        return new RoomSnapshot(room, list,
            modes.Select(m => RoomJson.Deserialize<ModeChange>(m.ToString())!).ToList(),
            kicked.Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal),
            connected)
        {
            ExpiresAt = ttl is { } left ? now + (long)left.TotalMilliseconds : null,
            WithoutLiveUpdates = withoutStream,
            SharesRolls = !string.IsNullOrEmpty(meta.GetValueOrDefault(ValkeyRoomSharing.WebhookField)),
            ContinueSeals = meta.Where(e => e.Key.StartsWith(ContinuePrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[ContinuePrefix.Length..], e => e.Value, StringComparer.Ordinal),
            Commitment = string.IsNullOrEmpty(meta.GetValueOrDefault("commitment")) ? null : meta["commitment"],
            ClientSeeds = meta.Where(e => e.Key.StartsWith(ClientSeedPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[ClientSeedPrefix.Length..], e => e.Value, StringComparer.Ordinal),
            ClientSeedCommitments = meta.Where(e => e.Key.StartsWith(ClientSeedAtPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[ClientSeedAtPrefix.Length..], e => e.Value, StringComparer.Ordinal),
        };
    }

    public async Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(ValkeyKeys.Rolls(code),
            start: afterSequence, stop: double.PositiveInfinity, exclude: Exclude.Start, order: Order.Ascending, skip: 0, take: limit);
        return entries.Select(ToRoll).ToList();
    }

    public async Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(ValkeyKeys.Rolls(code),
            start: double.NegativeInfinity, stop: beforeSequence, exclude: Exclude.Stop, order: Order.Descending, skip: 0, take: limit);
        return entries.Select(ToRoll).ToList();
    }

    public async Task<Roll?> GetRollAsync(string code, string rollId, CancellationToken cancellationToken = default)
    {
        var all = await GetRollsAfterAsync(code, 0, int.MaxValue, cancellationToken);
        return all.FirstOrDefault(r => r.RollId == rollId);
    }

    public async Task<bool> ReplaceRollAsync(Roll current, Roll updated, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(updated);
        if (updated.Sequence != current.Sequence)
        {
            return false;
        }

        var result = await Db.ScriptEvaluateAsync(ValkeyScripts.ReplaceRoll, ValkeyKeys.All(current.RoomCode),
            [current.Sequence, Member(current), Member(updated), now]);
        return (int)result == 1;
    }

    public async Task<bool> SetDcAsync(string code, int? dc, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SetDc, ValkeyKeys.All(code), [dc?.ToString(CultureInfo.InvariantCulture) ?? "", now]) == 1;

    public async Task<PromoteOutcome> PromoteAsync(string code, ModeChange change, int ttlSeconds, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.Promote, ValkeyKeys.All(code),
            [change.DmPlayerId, RoomJson.Serialize(change with { AfterSequence = -1 }), ttlSeconds, now]);
        return result switch
        {
            "OK" => PromoteOutcome.Promoted,
            "ALREADY" => PromoteOutcome.AlreadyDmLed,
            "NO_PLAYER" => PromoteOutcome.PlayerNotFound,
            _ => PromoteOutcome.RoomNotFound,
        };
    }

    public async Task<bool> KickAsync(string code, Player player, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        return (int)await Db.ScriptEvaluateAsync(ValkeyScripts.Kick, ValkeyKeys.Door(code),
            [player.PlayerId, NameKey(player.Name), DeviceKey(player), player.AddressHash ?? "", now]) == 1;
    }

    public async Task DeleteAsync(string code, CancellationToken cancellationToken = default)
    {
        await Db.KeyDeleteAsync(ValkeyKeys.All(code));
        await Db.SortedSetRemoveAsync(ValkeyKeys.LiveRooms, code);
    }

    public async Task SetPresenceAsync(string code, string playerId, string streamId, long expiresAt, CancellationToken cancellationToken = default) =>
        await Db.ScriptEvaluateAsync(ValkeyScripts.SetPresence, ValkeyKeys.All(code),
            [$"{playerId}|{streamId}", expiresAt, time.GetUtcNow().ToUnixTimeMilliseconds()]);

    public async Task<bool> RemovePresenceAsync(string code, string playerId, string streamId, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.RemovePresence, ValkeyKeys.All(code), [$"{playerId}|{streamId}", playerId, now]) == 1;

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Db.PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    public async Task<LeaveResult> LeaveAsync(string code, Player player, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ValkeyScripts.Leave, ValkeyKeys.All(code), [player.PlayerId, NameKey(player.Name), now]))!;
        if ((string?)result[0] == "CLOSED")
        {
            await Db.SortedSetRemoveAsync(ValkeyKeys.LiveRooms, code);
        }

        return (string?)result[0] switch
        {
            "OK" => new LeaveResult(LeaveOutcome.Left, string.IsNullOrEmpty((string?)result[1]) ? null : (string?)result[1]),
            "CLOSED" => new LeaveResult(LeaveOutcome.RoomClosed),
            "DM" => new LeaveResult(LeaveOutcome.DmMustHandOver),
            "NO_PLAYER" => new LeaveResult(LeaveOutcome.PlayerNotFound),
            _ => new LeaveResult(LeaveOutcome.RoomNotFound),
        };
    }

    public async Task<HandOverOutcome> HandOverDmAsync(string code, ModeChange change, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.HandOverDm, ValkeyKeys.All(code),
            [change.InitiatedBy, change.DmPlayerId, RoomJson.Serialize(change with { AfterSequence = -1 }), now]);
        return result switch
        {
            "OK" => HandOverOutcome.HandedOver,
            "NOT_DM" => HandOverOutcome.NotDm,
            "NO_PLAYER" => HandOverOutcome.PlayerNotFound,
            _ => HandOverOutcome.RoomNotFound,
        };
    }

    public async Task<bool> SetContinueSealAsync(string code, string playerId, string seal, bool replace, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SetContinueSeal, ValkeyKeys.All(code), [playerId, seal, replace ? "1" : "0"]) == 1;

    private const string ContinuePrefix = "continue:";
    private const string ClientSeedPrefix = "client_seed:";
    private const string ClientSeedAtPrefix = "client_seed_at:";
    public async Task<JoinOutcome> JoinOrKnockAsync(string code, Knock knock, int maxPlayers, long kickedSince, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(knock);
        var player = knock.Player;
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.JoinOrKnock, ValkeyKeys.Door(code),
        [
            maxPlayers, player.PlayerId, RoomJson.Serialize(player), NameKey(player.Name), now, DeviceKey(player), player.AddressHash ?? "",
            kickedSince, knock.KnockId, RoomJson.Serialize(knock),
        ]);
        return result switch
        {
            "OK" => JoinOutcome.Joined,
            "KNOCK" => JoinOutcome.Knocking,
            "KICKED" => JoinOutcome.Kicked,
            "FULL" => JoinOutcome.RoomFull,
            "NAME_TAKEN" => JoinOutcome.NameTaken,
            _ => JoinOutcome.RoomNotFound,
        };
    }

    public async Task<Knock?> GetKnockAsync(string code, string knockId, CancellationToken cancellationToken = default)
    {
        var json = await Db.HashGetAsync(ValkeyKeys.Knocks(code), knockId);
        return json.IsNullOrEmpty ? null : RoomJson.Deserialize<Knock>(json.ToString());
    }

    public async Task<IReadOnlyList<Knock>> GetWaitingKnocksAsync(string code, long now, CancellationToken cancellationToken = default)
    {
        var all = await Db.HashValuesAsync(ValkeyKeys.Knocks(code));
        return all.Select(k => RoomJson.Deserialize<Knock>(k.ToString())!).Where(k => k.IsWaiting(now)).OrderBy(k => k.CreatedAt).ThenBy(k => k.KnockId, StringComparer.Ordinal).ToList();
    }

    public async Task<KnockOutcome> ResolveKnockAsync(string code, string knockId, bool admit, int maxPlayers, long now, CancellationToken cancellationToken = default)
    {
        var current = await Db.HashGetAsync(ValkeyKeys.Knocks(code), knockId);
        var knock = current.IsNullOrEmpty ? null : RoomJson.Deserialize<Knock>(current.ToString());
        if (knock is null || !knock.IsWaiting(now))
        {
            return await Db.KeyExistsAsync(ValkeyKeys.Meta(code)) ? KnockOutcome.KnockNotFound : KnockOutcome.RoomNotFound;
        }

        var player = knock.Player with { JoinedAt = now };
        var answered = knock with { State = admit ? KnockState.Admitted : KnockState.Refused };
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.ResolveKnock, ValkeyKeys.Door(code),
        [
            knockId, current, RoomJson.Serialize(answered), admit ? "1" : "0", maxPlayers, player.PlayerId, RoomJson.Serialize(player),
            NameKey(player.Name), DeviceKey(player), now,
        ]);
        return result switch
        {
            "ADMITTED" => KnockOutcome.Admitted,
            "REFUSED" => KnockOutcome.Refused,
            "KICKED" => KnockOutcome.Kicked,
            "FULL" => KnockOutcome.RoomFull,
            "NAME_TAKEN" => KnockOutcome.NameTaken,
            "CHANGED" => KnockOutcome.KnockNotFound,
            _ => KnockOutcome.RoomNotFound,
        };
    }

    public async Task<bool> SetLockedAsync(string code, bool locked, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SetLocked, ValkeyKeys.Door(code), [locked ? "1" : "0", now]) == 1;

    public async Task<long?> GetLastAddressKickAsync(string code, CancellationToken cancellationToken = default)
    {
        var times = await Db.HashValuesAsync(ValkeyKeys.KickedAddresses(code));
        return times.Length == 0 ? null : times.Max(t => (long)t);
    }

    public async Task<bool> ForgetKickedAddressesAsync(string code, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.ForgetKickedAddresses, ValkeyKeys.Door(code), [now]) == 1;

    /// <summary>How a player's device is kept in the kicked set ('' when the record has none, as in rooms from before devices).</summary>
    private static string DeviceKey(Player player) =>
        string.IsNullOrEmpty(player.DeviceId) ? "" : RoomSnapshot.KickedDeviceKey(player.DeviceId);

    /// <summary>How a roll is kept in the history set: its JSON without the sequence (the score carries it).</summary>
    private static string Member(Roll roll) => RoomJson.Serialize(roll with { Sequence = 0 });

    private static Roll ToRoll(SortedSetEntry entry) =>
        RoomJson.Deserialize<Roll>(entry.Element.ToString())! with { Sequence = (long)entry.Score };

    private static string NameKey(string name) => name.ToUpperInvariant();

    public async Task ReleaseRollRequestAsync(string code, string requestKey, CancellationToken cancellationToken = default) =>
        await Db.ScriptEvaluateAsync(ValkeyScripts.ReleaseRollRequest, [ValkeyKeys.RollRequest(code, requestKey), ValkeyKeys.Meta(code)],
            [RollRequest.PlayerOf(requestKey)]);

    /// <summary>WAIT on the room's primary (the same connection the append went through) for <see cref="ValkeyOptions.RollReplicaAcks"/>.</summary>
    private async Task WaitForReplicasAsync(Roll roll)
    {
        var timeoutMs = (long)_valkey.RollReplicaTimeout.TotalMilliseconds;
        var acks = (long)await redis.GetServer(ValkeyKeys.Meta(roll.RoomCode)).ExecuteAsync("WAIT", _valkey.RollReplicaAcks, timeoutMs);
        if (acks < _valkey.RollReplicaAcks)
        {
            logger?.LogWarning("Roll {RollId} in {RoomCode} reached {Acks} of {Wanted} replicas within {TimeoutMs} ms",
                roll.RollId, roll.RoomCode, acks, _valkey.RollReplicaAcks, timeoutMs);
        }
    }

    public async Task<RoomSeedSecret?> GetSeedAsync(string code, CancellationToken cancellationToken = default)
    {
        var values = await Db.HashGetAsync(ValkeyKeys.Meta(code), ["seed", "commitment"]);
        return SeedOf(values[0], values[1]);
    }

    public async Task<SeedRotation?> RotateSeedAsync(string code, RoomSeedSecret newSeed, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newSeed);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ValkeyScripts.RotateSeed, ValkeyKeys.All(code), [newSeed.StoredHex, newSeed.Commitment, now]))!;
        return result.Length == 0 ? null : new SeedRotation(SeedOf((string?)result[0], (string?)result[1]), newSeed);
    }

    public async Task<bool> SetClientSeedAsync(string code, string playerId, string clientSeed, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SetClientSeed, ValkeyKeys.All(code), [playerId, clientSeed, now]) == 1;

    /// <summary>A saved roll as the saved-rolls hash keeps it: with its name upper-cased, which the scripts match on.</summary>
    private sealed record StoredSavedRoll(string Key, string Name, string Formula, string Advantage, bool Hidden);

    public async Task<IReadOnlyList<SavedRoll>> GetSavedRollsAsync(string code, string playerId, CancellationToken cancellationToken = default)
    {
        var json = await Db.HashGetAsync(ValkeyKeys.SavedRolls(code), playerId);
        return json.IsNullOrEmpty
            ? []
            : (RoomJson.Deserialize<List<StoredSavedRoll>>(json.ToString()) ?? []).Select(s => new SavedRoll(s.Name, s.Formula, s.Advantage, s.Hidden)).ToList();
    }

    public async Task<SaveRollOutcome> SaveRollAsync(string code, string playerId, SavedRoll roll, int max, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var entry = RoomJson.Serialize(new StoredSavedRoll(NameKey(roll.Name), roll.Name, roll.Formula, roll.Advantage, roll.Hidden));
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.SaveRoll, ValkeyKeys.All(code), [playerId, NameKey(roll.Name), entry, max, now]);
        return result switch
        {
            "OK" => SaveRollOutcome.Saved,
            "FULL" => SaveRollOutcome.Full,
            _ => SaveRollOutcome.NotMember,
        };
    }

    public async Task<bool> RemoveSavedRollAsync(string code, string playerId, string name, long now, CancellationToken cancellationToken = default) =>
        (int)await Db.ScriptEvaluateAsync(ValkeyScripts.RemoveSavedRoll, ValkeyKeys.All(code), [playerId, NameKey(name), now]) == 1;

    private static RoomSeedSecret? SeedOf(string? seedHex, string? commitment) =>
        RoomSeedSecret.FromStored(seedHex, commitment);

    public async Task<RollStart> StartRollAsync(string code, RollAttempt attempt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (ValkeyKeys.RoomOfRateLimit(attempt.Limit.Key) != code)
        {
            throw new ArgumentException($"The roll limit {attempt.Limit.Key} is not one of room {code}'s (its counter must share the room's slot).", nameof(attempt));
        }

        RedisKey[] keys = attempt.Request is { } request
            ? [ValkeyKeys.Meta(code), ValkeyKeys.Players(code), ValkeyKeys.RateLimit(attempt.Limit.Key), ValkeyKeys.RollRequest(code, request.Key)]
            : [ValkeyKeys.Meta(code), ValkeyKeys.Players(code), ValkeyKeys.RateLimit(attempt.Limit.Key)];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ValkeyScripts.StartRoll, keys,
        [
            attempt.PlayerId, attempt.Now, attempt.Request?.AbandonAfterMs ?? 0, attempt.Request?.KeepForMs ?? 0,
            attempt.Limit.Limit, (long)attempt.Limit.Window.TotalMilliseconds, attempt.FallbackClientSeed, attempt.KeepFallback ? "1" : "0",
            attempt.CandidateSeed.StoredHex, attempt.CandidateSeed.Commitment, Fairness.RollHash.Genesis, attempt.Hidden ? "1" : "0",
            Fairness.HiddenSecrets.Count, attempt.SecretHash ?? "",
        ]))!;
        return (string?)result[0] switch
        {
            "OK" => new RollStart(RollRequestState.Claimed, new RollTicket((long)result[1], (string)result[2]!, SeedOf((string?)result[3], (string?)result[4])!,
                new ChainHead(long.Parse((string)result[5]!, CultureInfo.InvariantCulture), (string)result[6]!),
                ClientSeedCommitment: (string?)result[7] is { Length: > 0 } at ? at : null,
                HiddenIndex: (long)result[8] is var index and >= 0 ? (int)index : null, ServerClientSeed: (string?)result[9])),
            "HIDDEN_USED_UP" => new RollStart(RollRequestState.HiddenSecretsUsedUp),
            "DONE" => new RollStart(RollRequestState.Done, RollId: (string?)result[1]),
            "IN_FLIGHT" => new RollStart(RollRequestState.InFlight),
            "NOT_MEMBER" => new RollStart(RollRequestState.NotMember),
            "RATE_LIMITED" => new RollStart(RollRequestState.RateLimited, RetryAfter: TimeSpan.FromMilliseconds((long)result[1])),
            _ => new RollStart(RollRequestState.RoomNotFound),
        };
    }

    private static ChainedAppend AlreadyAppended(Roll roll, long sequence, string? storedJson, bool announced)
    {
        var stored = string.IsNullOrEmpty(storedJson) ? roll : RoomJson.Deserialize<Roll>(storedJson)!;
        return new ChainedAppend(ChainedAppendStatus.Appended, stored with { Sequence = sequence }, new ChainHead(sequence, stored.Proof?.Hash ?? ""), announced);
    }

    public async Task<ChainedAppend> AppendChainedRollAsync(Roll roll, long now, RollRequest? request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(roll.Proof);
        // The roll is announced by the append itself (one round trip fewer, and always in sequence order), unless it must
        // first reach replicas (RollReplicaAcks): then the caller publishes after the WAIT. Stored, the roll is exactly this one.
        var announce = _valkey.RollReplicaAcks == 0;
        RedisKey[] keys = request is null ? ValkeyKeys.All(roll.RoomCode) : [.. ValkeyKeys.All(roll.RoomCode), ValkeyKeys.RollRequest(roll.RoomCode, request.Key)];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ValkeyScripts.AppendChainedRoll, keys,
        [
            Member(roll), roll.Sequence, roll.Proof.PrevHash, roll.Proof.Hash, _historyLimit, now, Fairness.RollHash.Genesis,
            request is null ? "" : roll.RollId, request?.KeepForMs ?? 0,
            ValkeyKeys.EventsName(roll.RoomCode), announce ? ValkeyKeys.EventMessage(RoomEvent.ForRoll(roll)) : "", roll.RollId,
            roll.PlayerId, roll.Proof.Nonce,
        ]))!;
        if ((string?)result[0] == "OK" && !announce)
        {
            await WaitForReplicasAsync(roll);
        }

        return (string?)result[0] switch
        {
            "OK" => new ChainedAppend(ChainedAppendStatus.Appended, roll with { Sequence = (long)result[1] }, new ChainHead((long)result[1], roll.Proof.Hash), announce),
            "STALE" => new ChainedAppend(ChainedAppendStatus.Stale, null, new ChainHead((long)result[1], (string)result[2]!)),
            // Sent again after it was appended: the roll as stored, announced then (or by the caller, after its WAIT).
            "ALREADY" => AlreadyAppended(roll, (long)result[1], (string?)result[2], announce),
            _ => new ChainedAppend(ChainedAppendStatus.RoomNotFound, null, default),
        };
    }
}
