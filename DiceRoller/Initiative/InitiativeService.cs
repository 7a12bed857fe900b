using System.Globalization;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Initiative;

/// <summary>What the DM's "Add monsters" form sent, before validation.</summary>
public sealed record MonsterForm(
    [FromForm(Name = "name")] string? Name, [FromForm(Name = "bonus")] string? Bonus,
    [FromForm(Name = "count")] string? Count, [FromForm(Name = "hidden")] string? Hidden);

/// <summary>What the DM's edit of an entry sent, before validation: a new total, a new bonus, or both.</summary>
public sealed record EntryForm([FromForm(Name = "total")] string? Total, [FromForm(Name = "bonus")] string? Bonus);

/// <summary>
/// The initiative tracker: the DM's encounter (start, monsters, turn, edits, end) and the players' initiative rolls. Every
/// roll it makes is an ordinary roll (verifiable, with a permalink): a monster's is the DM's roll (hidden when the monster is),
/// a roll-off is the roll of the entry's player (the DM for a monster). Each change is a compare-and-set on the stored
/// encounter, then every page is told (<see cref="RoomEvent.ForInitiative"/>).
/// </summary>
public sealed class InitiativeService(IEncounters store, RollService rolls, IRoomEventPublisher events, TimeProvider time,
    ILogger<InitiativeService> logger) : IInitiativeRolls
{
    /// <summary>How often a roll-off is rolled again while it ties again.</summary>
    private const int RollOffRounds = 5;

    private const int SaveAttempts = 20;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// The encounter as every page shows it (and every change starts from): none when it belongs to an earlier room of the same
    /// code; without the players who are no longer members.
    /// </summary>
    public static Encounter? Current(EncounterState? state, RoomSnapshot room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return state?.Encounter is { } encounter && encounter.RoomCreatedAt == room.Room.CreatedAt
            ? InitiativeRules.WithoutAbsent(encounter, room.Players.Select(p => p.PlayerId))
            : null;
    }

    public async Task<Encounter?> ReadAsync(RoomSnapshot room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        return Current(await store.GetEncounterAsync(room.Room.Code, ct), room);
    }

    public Task<Result<Encounter?>> StartAsync(RoomSnapshot room, Player me, CancellationToken ct = default) =>
        DmAsync(room, me, ct, encounter => encounter is not null
            ? new RoomError(ErrorCodes.EncounterRunning, "An encounter is running already. End it before starting another.")
            : Result<Encounter?>.Ok(InitiativeRules.Start(me.PlayerId, Now, room.Room.CreatedAt)), mayStart: true);

    public Task<Result<Encounter?>> EndAsync(RoomSnapshot room, Player me, CancellationToken ct = default) =>
        DmAsync(room, me, ct, _ => Result<Encounter?>.Ok(null));

    public Task<Result<Encounter?>> NextAsync(RoomSnapshot room, Player me, CancellationToken ct = default) =>
        DmAsync(room, me, ct, e => Widen(InitiativeRules.Next(e!)));

    public Task<Result<Encounter?>> PreviousAsync(RoomSnapshot room, Player me, CancellationToken ct = default) =>
        DmAsync(room, me, ct, e => Widen(InitiativeRules.Previous(e!)));

    public Task<Result<Encounter?>> RemoveAsync(RoomSnapshot room, Player me, string entryId, CancellationToken ct = default) =>
        DmAsync(room, me, ct, e => Widen(InitiativeRules.Remove(e!, entryId)));

    /// <summary>The DM's edit: a new total and/or bonus (empty keeps it); the order settles again, with a roll-off on a new tie.</summary>
    public async Task<Result<Encounter?>> EditAsync(RoomSnapshot room, Player me, string entryId, string? total, string? bonus, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        var newTotal = InitiativeRules.ReadNumber(total, InitiativeRules.MinTotal, InitiativeRules.MaxTotal, null,
            $"The total must be a whole number from {InitiativeRules.MinTotal} to {InitiativeRules.MaxTotal}.");
        var newBonus = InitiativeRules.ReadNumber(bonus, InitiativeRules.MinBonus, InitiativeRules.MaxBonus, null, InitiativeRules.BonusRange);
        if ((newTotal.Error ?? newBonus.Error) is { } error)
        {
            return error;
        }

        var result = await DmAsync(room, me, ct, e => Widen(InitiativeRules.Edit(e!, entryId, newTotal.Value, newBonus.Value)));
        return result.Error is null ? await RollOffsAsync(room, ct) ?? result : result;
    }

    /// <summary>
    /// Adds <c>count</c> monsters ("Goblin 1", "Goblin 2"...), each with its own initiative roll of the DM's (hidden when the
    /// monster is). All checks come first, so bad input changes nothing; a roll refused on the way (the DM's roll limit) keeps the
    /// monsters rolled before it, and says so.
    /// </summary>
    public async Task<Result<Encounter?>> AddMonstersAsync(RoomSnapshot room, Player me, MonsterForm form, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        ArgumentNullException.ThrowIfNull(form);
        if (NotDm(room, me) is { } notDm)
        {
            return notDm;
        }

        var name = InitiativeRules.ReadName(form.Name);
        var bonus = InitiativeRules.ReadNumber(form.Bonus, InitiativeRules.MinBonus, InitiativeRules.MaxBonus, 0, InitiativeRules.BonusRange);
        var count = InitiativeRules.ReadNumber(form.Count, 1, InitiativeRules.MaxCount, 1, $"Add from 1 to {InitiativeRules.MaxCount} monsters at once.");
        var hidden = form.Hidden?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" or "off" or "0" => (bool?)false,
            "true" or "on" or "1" => true,
            _ => null,
        };
        if ((name.Error ?? bonus.Error ?? count.Error) is { } error)
        {
            return error;
        }

        if (hidden is null)
        {
            return new RoomError(ErrorCodes.InvalidHidden, "Hidden must be true or false.");
        }

        var encounter = await ReadAsync(room, ct);
        if (encounter is null)
        {
            return NoEncounter();
        }

        // The places held for players' rolls being rolled count: the monsters must not take them.
        var held = InitiativeRules.LiveClaims(encounter, Now).Count;
        if (encounter.Entries.Count + held + count.Value!.Value > InitiativeRules.MaxEntries)
        {
            return new RoomError(ErrorCodes.InvalidInitiative,
                $"An encounter holds at most {InitiativeRules.MaxEntries} entries; it has {encounter.Entries.Count}"
                + (held > 0 ? $" and {held} being rolled" : "") + ". Remove some first.");
        }

        var names = InitiativeRules.MonsterNames(name.Value!, count.Value.Value, encounter.Entries.Select(e => e.Name));
        var entries = new List<InitiativeEntry>();
        RoomError? refused = null;
        foreach (var monster in names)
        {
            var dice = "1d20" + (bonus.Value is 0 ? "" : bonus.Value!.Value.ToString("+0;-0", CultureInfo.InvariantCulture)) + $" {monster} initiative";
            var roll = await rolls.RollAsync(room, me, new RollForm(dice, "0", "none", hidden.Value ? "true" : "false"), ct);
            if (roll.Error is { } rollError)
            {
                refused = rollError;
                break;
            }

            entries.Add(new InitiativeEntry(RoomService.NewId(), monster, roll.Value!.Total, bonus.Value!.Value, IsMonster: true, me.PlayerId,
                roll.Value.RollId, hidden.Value, Order: 0));
        }

        if (entries.Count == 0)
        {
            return refused!;
        }

        var added = await MutateAsync(room, e => e is null ? NoEncounter() : Widen(InitiativeRules.Add(e, entries, Now)), ct);
        if (added.Error is not null)
        {
            return added;
        }

        var settled = await RollOffsAsync(room, ct) ?? added;
        return refused is null ? settled
            : refused with { Message = $"Added {string.Join(", ", entries.Select(e => e.Name))}; the rest were not rolled: {refused.Message}" };
    }

    /// <summary>
    /// Holds the player's place in the order (a claim, saved with the encounter's compare-and-set) before the dice are rolled: of
    /// two initiative rolls of theirs sent at the same instant only one gets here, the other is refused and rolls nothing.
    /// </summary>
    public async Task<Result<RollForm>> PrepareAsync(RoomSnapshot room, Player player, RollForm form, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(form);
        // A d20 with the pad's modifier and advantage; the typed formula, a die button and the crit box play no part.
        var initiative = form with { Dice = "1d20 initiative", Die = null, Count = null, Crit = null };
        if (!RollRequestId.TryRead(form.RequestId, out var requestId))
        {
            return Result<RollForm>.Ok(initiative); // the roll refuses it (INVALID_REQUEST_ID): nothing is rolled, nothing held
        }

        // Nothing a page shows changes with a claim: no event.
        var claimed = await MutateAsync(room, e => e is null
            ? new RoomError(ErrorCodes.NoEncounter, "No encounter is running: initiative is rolled once the DM starts one.")
            : Widen(InitiativeRules.Claim(e, player.PlayerId, requestId, Now)), cancellationToken, publish: false);
        return claimed.Error is { } error ? error : Result<RollForm>.Ok(initiative);
    }

    /// <summary>
    /// The roll made takes the place held for it (ties rolled off); a roll refused (the roll limit, an error) gives the place
    /// back. A roll that cannot take its place (the DM ended the encounter meanwhile) stands in the feed with its permalink.
    /// </summary>
    public async Task FinishAsync(RoomSnapshot room, Player player, RollForm form, Result<Roll> roll, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(player);
        ArgumentNullException.ThrowIfNull(form);
        if (!RollRequestId.TryRead(form.RequestId, out var requestId))
        {
            return; // nothing was held (PrepareAsync) and the roll refused the id
        }

        if (roll.Value is not { } made)
        {
            await ReleaseAsync(room, player, requestId, cancellationToken);
            return;
        }

        var entry = new InitiativeEntry(RoomService.NewId(), player.Name, made.Total, made.Modifier, IsMonster: false, player.PlayerId, made.RollId,
            made.Hidden && !made.Revealed, Order: 0, RequestId: requestId);
        var entered = await MutateAsync(room, e => e is null ? NoEncounter() : Widen(InitiativeRules.Enter(e, entry, requestId, Now)), cancellationToken);
        if (entered.Error is { } error)
        {
            // The roll stands (it is in the feed with its permalink); only its place in the order could not be taken.
            logger.LogInformation("Initiative roll {RollId} in {RoomCode} not entered: {Code}", made.RollId, room.Room.Code, error.Code);
            await ReleaseAsync(room, player, requestId, cancellationToken);
            return;
        }

        await RollOffsAsync(room, cancellationToken);
    }

    private Task<Result<Encounter?>> ReleaseAsync(RoomSnapshot room, Player player, string? requestId, CancellationToken ct) =>
        MutateAsync(room, e => Result<Encounter?>.Ok(e is null ? null : InitiativeRules.Release(e, player.PlayerId, requestId) ?? e), ct, publish: false);

    public async Task RevealedAsync(RoomSnapshot room, Roll roll, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        await MutateAsync(room, e => Result<Encounter?>.Ok(e is null ? null : InitiativeRules.Reveal(e, roll.RollId) ?? e), cancellationToken);
    }

    /// <summary>
    /// Settles ties: each entry that must roll off (<see cref="InitiativeRules.NeedingRollOff"/>) rolls a d20 as an ordinary roll
    /// the table sees (hidden for a hidden entry), again while results tie. Null when nothing was rolled, else the settled encounter.
    /// </summary>
    private async Task<Result<Encounter?>?> RollOffsAsync(RoomSnapshot room, CancellationToken ct)
    {
        Result<Encounter?>? last = null;
        for (var round = 0; round < RollOffRounds; round++)
        {
            var encounter = await ReadAsync(room, ct);
            var needing = encounter is null ? [] : InitiativeRules.NeedingRollOff(encounter);
            if (needing.Count == 0)
            {
                return last;
            }

            var results = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in needing)
            {
                var roller = room.FindPlayer(entry.IsMonster ? room.Room.DmPlayerId ?? entry.PlayerId : entry.PlayerId);
                var label = entry.IsMonster ? $"{entry.Name} roll-off" : "initiative roll-off";
                var roll = roller is null ? new RoomError(ErrorCodes.PlayerNotFound, "The roller is no longer in the room.")
                    : await rolls.RollAsync(room, roller, new RollForm($"1d20 {label}", "0", "none", entry.Hidden ? "true" : "false"), ct);
                if (roll.Value is not { } made)
                {
                    logger.LogInformation("Initiative roll-off in {RoomCode} not rolled for {EntryId}: {Code}", room.Room.Code, entry.EntryId,
                        roll.Error?.Code);
                    return last;
                }

                results[entry.EntryId] = made.Total;
            }

            last = await MutateAsync(room, e => Result<Encounter?>.Ok(e is null ? null : InitiativeRules.RecordRollOffs(e, results)), ct);
        }

        return last;
    }

    private Task<Result<Encounter?>> DmAsync(RoomSnapshot room, Player me, CancellationToken ct, Func<Encounter?, Result<Encounter?>> change,
        bool mayStart = false)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        if (NotDm(room, me) is { } notDm)
        {
            return Task.FromResult<Result<Encounter?>>(notDm);
        }

        return MutateAsync(room, e => e is null && !mayStart ? NoEncounter() : change(e), ct);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the encounter as it is now and saves it if nobody changed it meanwhile (else reads and
    /// applies again); then tells every page (unless <paramref name="publish"/> is false: a change no page shows, a claim). A change
    /// that gives back the same encounter saves nothing.
    /// </summary>
    private async Task<Result<Encounter?>> MutateAsync(RoomSnapshot room, Func<Encounter?, Result<Encounter?>> change, CancellationToken ct,
        bool publish = true)
    {
        var code = room.Room.Code;
        for (var attempt = 0; attempt < SaveAttempts; attempt++)
        {
            var state = await store.GetEncounterAsync(code, ct);
            if (state is null)
            {
                return RoomService.RoomNotFound(code);
            }

            var current = Current(state, room);
            var result = change(current);
            if (result.Error is not null || ReferenceEquals(result.Value, current))
            {
                return result;
            }

            switch (await store.SaveEncounterAsync(code, state.Version, result.Value, Now, ct))
            {
                case EncounterSave.Saved:
                    if (publish)
                    {
                        await events.PublishAsync(RoomEvent.ForInitiative(code), ct);
                    }

                    return result;
                case EncounterSave.RoomNotFound:
                    return RoomService.RoomNotFound(code);
            }
        }

        return new RoomError(ErrorCodes.ServiceUnavailable, "The initiative order is changing too fast right now. Try again.");
    }

    private static RoomError? NotDm(RoomSnapshot room, Player me) =>
        room.IsDm(me.PlayerId) ? null : new RoomError(ErrorCodes.NotDm, "Only the DM of a DM-led room runs the initiative tracker.");

    private static RoomError NoEncounter() => new(ErrorCodes.NoEncounter, "No encounter is running. The DM starts one with \"Start encounter\".");

    private static Result<Encounter?> Widen(Result<Encounter> result) =>
        result.Error is { } error ? error : Result<Encounter?>.Ok(result.Value);
}
