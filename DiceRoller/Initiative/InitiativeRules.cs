using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Initiative;

/// <summary>
/// The pure rules of the initiative tracker (no I/O): the order, ties, the turn pointer, edits and removal, and the bounds of
/// what the DM may type. Every change answers the new encounter or an error (and then nothing changed).
/// </summary>
/// <remarks>
/// Order: higher total first; on equal totals the higher bonus; on equal bonus the higher roll-off (an entry without one
/// yet sorts after those with one); then who came in first. The turn: Next moves to the following entry, after the last to
/// the first of the next round; Previous moves back, before the first to the last of the round before (never before round
/// 1's first turn). Removing the entry whose turn it is passes the turn on as Next would.
/// </remarks>
public static class InitiativeRules
{
    /// <summary>The longest monster name (text elements): "Goblin 12 initiative" still fits a roll's 40-character label.</summary>
    public const int MaxNameLength = 24;

    public const int MinBonus = -20;
    public const int MaxBonus = 30;

    /// <summary>Most monsters added at once (each is a roll of the DM's).</summary>
    public const int MaxCount = 10;

    /// <summary>Most entries in one encounter.</summary>
    public const int MaxEntries = 40;

    /// <summary>The range of a total the DM types (a d20 plus the widest bonus, with room for house rules).</summary>
    public const int MinTotal = -40;
    public const int MaxTotal = 99;

    /// <summary>A fresh encounter: round 1, nobody in the order yet, no turn started.</summary>
    public static Encounter Start(string dmPlayerId, long now, long roomCreatedAt) => new(dmPlayerId, now, roomCreatedAt, Round: 1, CurrentEntryId: null, Entries: []);

    /// <summary>The entries in initiative order (see the class remarks).</summary>
    public static IReadOnlyList<InitiativeEntry> Sort(IEnumerable<InitiativeEntry> entries) =>
        [.. entries.OrderByDescending(e => e.Total).ThenByDescending(e => e.Bonus).ThenByDescending(e => e.RollOff ?? int.MinValue).ThenBy(e => e.Order)];

    /// <summary>How long a claim (<see cref="InitiativeClaim"/>) holds a place: a roll takes well under a second, so a claim this old
    /// belongs to a request that broke off (a crash between the claim and the roll's entry) and may be taken over.</summary>
    public const long ClaimTimeoutMs = 30_000;

    /// <summary>
    /// Adds entries (each gets the next <see cref="InitiativeEntry.Order"/>); a player already in the order is refused, and so is
    /// an order that would hold more than <see cref="MaxEntries"/>, counting the places held for rolls being rolled.
    /// </summary>
    public static Result<Encounter> Add(Encounter encounter, IReadOnlyList<InitiativeEntry> entries, long now)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        ArgumentNullException.ThrowIfNull(entries);
        var held = LiveClaims(encounter, now).Count(c => !entries.Any(e => !e.IsMonster && e.PlayerId == c.PlayerId));
        if (encounter.Entries.Count + held + entries.Count > MaxEntries)
        {
            return Invalid($"An encounter holds at most {MaxEntries} entries; it has {encounter.Entries.Count}"
                + (held > 0 ? $" and {held} being rolled" : "") + ". Remove some first.");
        }

        if (entries.FirstOrDefault(e => !e.IsMonster && encounter.EntryOfPlayer(e.PlayerId) is not null) is { } again)
        {
            var earlier = encounter.EntryOfPlayer(again.PlayerId)!;
            return Invalid($"{again.Name} is in the order already (initiative {earlier.Total}). The DM can edit or remove the entry.");
        }

        var order = encounter.NextOrder;
        var added = entries.Select(e => e with { Order = order++ }).ToList();
        return Result<Encounter>.Ok(encounter with { Entries = Sort(encounter.Entries.Concat(added)), NextOrder = order });
    }

    /// <summary>The claims still trusted at <paramref name="now"/> (see <see cref="ClaimTimeoutMs"/>).</summary>
    public static IReadOnlyList<InitiativeClaim> LiveClaims(Encounter encounter, long now)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        return [.. (encounter.Claims ?? []).Where(c => now - c.ClaimedAt < ClaimTimeoutMs)];
    }

    /// <summary>
    /// Holds the player's place before their initiative roll is rolled. Refused (nothing to roll) when they are in the order
    /// already, when another initiative roll of theirs is being rolled (two tabs, a double submit), or when the order is full
    /// counting the places held. The same request again (its <paramref name="requestId"/>) keeps its claim: the roll answers it
    /// with the roll the first one made. A claim past <see cref="ClaimTimeoutMs"/> is taken over (and any such claim dropped).
    /// </summary>
    public static Result<Encounter> Claim(Encounter encounter, string playerId, string? requestId, long now)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        if (encounter.EntryOfPlayer(playerId) is { } entry)
        {
            if (requestId is not null && entry.RequestId == requestId)
            {
                return Result<Encounter>.Ok(encounter); // the request that took this place, sent again: the roll answers it with its roll
            }

            return Invalid($"You are in the order already (initiative {(entry.Hidden ? "hidden" : entry.Total.ToString(System.Globalization.CultureInfo.InvariantCulture))}). "
                + "The DM can edit or remove your entry.");
        }

        var live = LiveClaims(encounter, now);
        if (live.FirstOrDefault(c => c.PlayerId == playerId) is { } held)
        {
            return requestId is not null && held.RequestId == requestId
                ? Result<Encounter>.Ok(encounter)
                : Invalid("Your initiative is being rolled already (from another tab or a second click): it takes its place in the order in a moment.");
        }

        if (encounter.Entries.Count + live.Count >= MaxEntries)
        {
            // Refused before the roll: a roll that could not take its place would stand in the feed for nothing.
            return Invalid($"The order is full ({MaxEntries} entries). The DM can remove an entry first.");
        }

        return Result<Encounter>.Ok(encounter with { Claims = [.. live, new InitiativeClaim(playerId, requestId, now)] });
    }

    /// <summary>
    /// A player's initiative roll takes the place its claim held (the claim of <paramref name="requestId"/> goes; stale ones too).
    /// The same roll again (a retried request) changes nothing. Refused as <see cref="Add"/> refuses: then the caller releases
    /// the claim (<see cref="Release"/>), the roll stands in the feed without a place.
    /// </summary>
    public static Result<Encounter> Enter(Encounter encounter, InitiativeEntry entry, string? requestId, long now)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        ArgumentNullException.ThrowIfNull(entry);
        if (encounter.Entries.Any(e => e.RollId == entry.RollId
            || (requestId is not null && e.PlayerId == entry.PlayerId && e.RequestId == requestId)))
        {
            return Result<Encounter>.Ok(encounter); // the same roll again, or its request again after the DM typed a total
        }

        var rest = LiveClaims(encounter, now).Where(c => !IsClaimOf(c, entry.PlayerId, requestId)).ToList();
        return Add(encounter with { Claims = rest }, [entry], now);
    }

    /// <summary>Gives back the place held for a roll that was not made (refused, or it could not take its place); null when none is held.</summary>
    public static Encounter? Release(Encounter encounter, string playerId, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        var claims = encounter.Claims ?? [];
        return claims.Any(c => IsClaimOf(c, playerId, requestId))
            ? encounter with { Claims = [.. claims.Where(c => !IsClaimOf(c, playerId, requestId))] }
            : null;
    }

    private static bool IsClaimOf(InitiativeClaim claim, string playerId, string? requestId) =>
        claim.PlayerId == playerId && claim.RequestId == requestId;

    /// <summary>
    /// The entries that must roll off: within a group of equal total and equal bonus, each entry without a roll-off or whose
    /// roll-off equals another's in the group. Empty when the order is settled.
    /// </summary>
    public static IReadOnlyList<InitiativeEntry> NeedingRollOff(Encounter encounter)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        return [.. encounter.Entries
            .GroupBy(e => (e.Total, e.Bonus))
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Where(e => e.RollOff is null || g.Count(o => o.RollOff == e.RollOff) > 1))
            .OrderBy(e => e.Order)];
    }

    /// <summary>Records roll-off results (entry id -> result); entries gone meanwhile are skipped.</summary>
    public static Encounter RecordRollOffs(Encounter encounter, IReadOnlyDictionary<string, int> results)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        ArgumentNullException.ThrowIfNull(results);
        return encounter with { Entries = Sort(encounter.Entries.Select(e => results.TryGetValue(e.EntryId, out var r) ? e with { RollOff = r } : e)) };
    }

    /// <summary>The turn passes to the next entry; after the last, round + 1 starts at the first.</summary>
    public static Result<Encounter> Next(Encounter encounter)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        var entries = encounter.Entries;
        if (entries.Count == 0)
        {
            return Invalid("Nobody is in the order yet: players roll initiative (and the DM adds monsters) first.");
        }

        var index = IndexOfCurrent(encounter);
        if (index < 0)
        {
            return Turn(encounter, entries[0].EntryId, encounter.Round);
        }

        return index + 1 < entries.Count
            ? Turn(encounter, entries[index + 1].EntryId, encounter.Round)
            : Turn(encounter, entries[0].EntryId, encounter.Round + 1);
    }

    /// <summary>The turn goes back to the entry before; before the first, to the last of the round before.</summary>
    public static Result<Encounter> Previous(Encounter encounter)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        var index = IndexOfCurrent(encounter);
        if (index < 0)
        {
            return Invalid("The first turn has not started yet: Next starts it.");
        }

        if (index > 0)
        {
            return Turn(encounter, encounter.Entries[index - 1].EntryId, encounter.Round);
        }

        return encounter.Round > 1
            ? Turn(encounter, encounter.Entries[^1].EntryId, encounter.Round - 1)
            : Invalid("This is the first turn of round 1: there is no turn before it.");
    }

    /// <summary>Removes an entry; the turn passes on when it was theirs.</summary>
    public static Result<Encounter> Remove(Encounter encounter, string entryId)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        if (encounter.Find(entryId) is null)
        {
            return EntryNotFound();
        }

        return Result<Encounter>.Ok(Without(encounter, e => e.EntryId == entryId));
    }

    /// <summary>
    /// Drops the entries (and claims) of players who are no longer members (they left or were kicked): they never get a turn
    /// again, and a turn that was theirs passes on. Monsters stay. Pages render the encounter through this too, so what they
    /// show is what the DM's next change starts from.
    /// </summary>
    public static Encounter WithoutAbsent(Encounter encounter, IEnumerable<string> memberIds)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        var members = memberIds.ToHashSet(StringComparer.Ordinal);
        var present = encounter.Entries.Any(e => !e.IsMonster && !members.Contains(e.PlayerId))
            ? Without(encounter, e => !e.IsMonster && !members.Contains(e.PlayerId))
            : encounter;
        // A place held for someone who is gone is given back too (their roll, if it comes, finds them gone).
        return present.Claims is { } claims && claims.Any(c => !members.Contains(c.PlayerId))
            ? present with { Claims = [.. claims.Where(c => members.Contains(c.PlayerId))] }
            : present;
    }

    /// <summary>The DM's edit of an entry's total and/or bonus (null keeps it); the entry's roll-off starts over, the turn stays.</summary>
    public static Result<Encounter> Edit(Encounter encounter, string entryId, int? total, int? bonus)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        if (encounter.Find(entryId) is not { } entry)
        {
            return EntryNotFound();
        }

        if (total is null && bonus is null)
        {
            return Invalid("Give a new total or a new bonus.");
        }

        if (total is < MinTotal or > MaxTotal)
        {
            return Invalid($"The total must be a whole number from {MinTotal} to {MaxTotal}.");
        }

        if (bonus is < MinBonus or > MaxBonus)
        {
            return Invalid(BonusRange);
        }

        var edited = entry with
        {
            Total = total ?? entry.Total,
            Bonus = bonus ?? entry.Bonus,
            RollOff = null,
            // A typed total is the DM's own: it no longer comes from the roll. A hidden entry stays hidden (players see "?") and
            // keeps its roll, so revealing that roll shows the entry with the DM's total.
            RollId = total is null || entry.Hidden ? entry.RollId : null,
            Hidden = entry.Hidden,
        };
        return Result<Encounter>.Ok(encounter with { Entries = Sort(encounter.Entries.Select(e => e.EntryId == entryId ? edited : e)) });
    }

    /// <summary>A hidden roll was revealed: entries it gave a total show it. Null when no entry came from the roll.</summary>
    public static Encounter? Reveal(Encounter encounter, string rollId)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        return encounter.Entries.Any(e => e.RollId == rollId && e.Hidden)
            ? encounter with { Entries = [.. encounter.Entries.Select(e => e.RollId == rollId ? e with { Hidden = false } : e)] }
            : null;
    }

    /// <summary>Checks a monster name: 1 to <see cref="MaxNameLength"/> characters of plain text on one line.</summary>
    public static Result<string> ReadName(string? raw)
    {
        var name = string.Join(' ', (raw ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (name.Length == 0)
        {
            return Invalid("Give the monster a name, like Goblin.");
        }

        if (name.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format || c == '#'))
        {
            return Invalid("A monster's name must be plain text on one line (no #).");
        }

        // The name is the label of the monster's initiative roll (1d20+2 Goblin 1 initiative): the dice language must read it so.
        if (DiceRoller.Dice.DiceParser.Parse($"1d20 {name} 10 initiative").Error is not null)
        {
            return Invalid("A monster's name must start with a letter and be plain words, like Goblin or Orc Boss.");
        }

        if (new System.Globalization.StringInfo(name).LengthInTextElements > MaxNameLength)
        {
            return Invalid($"A monster's name can be at most {MaxNameLength} characters long.");
        }

        return Result<string>.Ok(name);
    }

    /// <summary>Reads a whole number within bounds; empty answers <paramref name="empty"/>.</summary>
    public static Result<int?> ReadNumber(string? raw, int min, int max, int? empty, string message)
    {
        var text = raw?.Trim() ?? "";
        if (text.Length == 0)
        {
            return Result<int?>.Ok(empty);
        }

        return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
               && value >= min && value <= max
            ? Result<int?>.Ok(value)
            : Invalid(message);
    }

    public static string BonusRange => $"The bonus must be a whole number from {MinBonus} to +{MaxBonus}.";

    /// <summary>The names of <paramref name="count"/> monsters called <paramref name="name"/>: "Goblin 1", "Goblin 2"... (one alone keeps its name).</summary>
    public static IReadOnlyList<string> MonsterNames(string name, int count, IEnumerable<string> taken)
    {
        var used = taken.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (count == 1 && !used.Contains(name))
        {
            return [name];
        }

        var names = new List<string>();
        for (var n = 1; names.Count < count; n++)
        {
            var candidate = $"{name} {n.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            if (used.Add(candidate))
            {
                names.Add(candidate);
            }
        }

        return names;
    }

    private static int IndexOfCurrent(Encounter encounter) =>
        encounter.CurrentEntryId is null ? -1 : encounter.Entries.ToList().FindIndex(e => e.EntryId == encounter.CurrentEntryId);

    private static Result<Encounter> Turn(Encounter encounter, string? entryId, int round) => Result<Encounter>.Ok(Moved(encounter, entryId, round));

    private static Encounter Moved(Encounter encounter, string? entryId, int round) =>
        encounter with { CurrentEntryId = entryId, Round = round, TurnChanges = encounter.TurnChanges + 1 };

    /// <summary>The encounter without the matching entries; a current one among them passes the turn to the next one left.</summary>
    private static Encounter Without(Encounter encounter, Func<InitiativeEntry, bool> gone)
    {
        var index = IndexOfCurrent(encounter);
        var kept = encounter.Entries.Where(e => !gone(e)).ToList();
        var trimmed = encounter with { Entries = kept };
        if (index < 0 || !gone(encounter.Entries[index]))
        {
            return trimmed;
        }

        // The next entry after the current one that stays; none after it: the first of the next round; nobody left: no turn.
        var after = encounter.Entries.Skip(index + 1).FirstOrDefault(e => !gone(e));
        return after is not null ? Moved(trimmed, after.EntryId, encounter.Round)
            : kept.Count > 0 ? Moved(trimmed, kept[0].EntryId, encounter.Round + 1)
            : Moved(trimmed, null, encounter.Round);
    }

    private static RoomError Invalid(string message) => new(ErrorCodes.InvalidInitiative, message);

    private static RoomError EntryNotFound() => new(ErrorCodes.EntryNotFound, "There is no such entry in the order (it may have been removed).");
}
