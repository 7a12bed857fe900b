using System.Globalization;
using System.Text.Json.Serialization;
using DiceRoller.Shared;

namespace DiceRoller.Initiative;

/// <summary>
/// One place in the initiative order. A player's entry (<see cref="IsMonster"/> false) belongs to <see cref="PlayerId"/>; a
/// monster's to the DM who added it (<see cref="PlayerId"/> is who rolls its roll-offs). <see cref="RollId"/> is the roll that
/// gave <see cref="Total"/> (null once the DM typed a total); <see cref="Hidden"/> while that roll is a hidden roll not yet
/// revealed. <see cref="RollOff"/> is the result of the last roll-off against entries with the same total and bonus;
/// <see cref="Order"/> when the entry came in (the last word when nothing else separates two entries). <see cref="RequestId"/>:
/// the roll form's id of a player's initiative roll (null for monsters and entries saved before it was kept): the same request
/// sent again is answered with that roll instead of being refused as a second one.
/// </summary>
public sealed record InitiativeEntry(string EntryId, string Name, int Total, int Bonus, bool IsMonster, string PlayerId, string? RollId,
    bool Hidden, int Order, int? RollOff = null, string? RequestId = null);

/// <summary>
/// A player's place held while their initiative roll is being rolled (<see cref="InitiativeRules.Claim"/>): taken before the
/// dice, so a second initiative roll of theirs sent at the same instant is refused instead of rolled. <see cref="RequestId"/>
/// is the roll form's one-time id (a retry of the same request is not a second roll); <see cref="ClaimedAt"/> when it was taken
/// (a claim older than <see cref="InitiativeRules.ClaimTimeoutMs"/> is no longer trusted: its request broke off). A claim is
/// not an entry: no page shows it and it never gets a turn.
/// </summary>
public sealed record InitiativeClaim(string PlayerId, string? RequestId, long ClaimedAt);

/// <summary>
/// A running encounter: its entries (always in initiative order), the round, whose turn it is (null until the DM starts the
/// first turn with Next) and how many times the turn moved (<see cref="TurnChanges"/>: a page says each change once).
/// <see cref="RoomCreatedAt"/> ties it to the room it was started in. <see cref="Claims"/>: the places held for initiative rolls
/// being rolled (null in an encounter saved before claims existed: none).
/// </summary>
public sealed record Encounter(string StartedBy, long StartedAt, long RoomCreatedAt, int Round, string? CurrentEntryId,
    IReadOnlyList<InitiativeEntry> Entries, int TurnChanges = 0, int NextOrder = 1, IReadOnlyList<InitiativeClaim>? Claims = null)
{
    [JsonIgnore]
    public InitiativeEntry? Current => CurrentEntryId is null ? null : Entries.FirstOrDefault(e => e.EntryId == CurrentEntryId);

    public InitiativeEntry? Find(string entryId) => Entries.FirstOrDefault(e => e.EntryId == entryId);

    public InitiativeEntry? EntryOfPlayer(string playerId) => Entries.FirstOrDefault(e => !e.IsMonster && e.PlayerId == playerId);

    /// <summary>"Round 2: Bob's turn" ("Round 2: Orc's turn" for an Orc's), or what the tracker waits for before the first turn.</summary>
    public string TurnText(Func<InitiativeEntry, string> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var round = Round.ToString(CultureInfo.InvariantCulture);
        return Current is { } current ? $"Round {round}: {Possessive.Of(name(current))} turn" : $"Round {round}: waiting for the first turn";
    }
}
