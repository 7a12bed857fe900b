using System.Globalization;
using DiceRoller.Rooms;

namespace DiceRoller.Initiative;

/// <summary>
/// The initiative tracker as one viewer sees it (Initiative/_Initiative.cshtml: the page, the htmx answer and the SSE event).
/// The DM sees every total and the controls; a player sees a hidden monster's total and place as "?" (listed apart, after the
/// known order) until its roll is revealed.
/// </summary>
/// <param name="Encounter">The encounter as pages show it (<see cref="InitiativeService.Current"/>), or null when none runs.</param>
public sealed record InitiativeModel(string Code, Encounter? Encounter, Viewer Viewer)
{
    public bool ViewerIsDm => Viewer.IsDm;

    public string FormToken => Viewer.FormToken ?? "";

    /// <summary>A player sees nothing while no encounter runs; the DM sees the Start button.</summary>
    public bool Visible => Encounter is not null || ViewerIsDm;

    public bool ShowsTotal(InitiativeEntry entry) => ViewerIsDm || !(entry?.Hidden ?? true);

    public string TotalText(InitiativeEntry entry) => ShowsTotal(entry) ? entry.Total.ToString(CultureInfo.InvariantCulture) : "?";

    /// <summary>The entries whose place this viewer knows, in order.</summary>
    public IReadOnlyList<InitiativeEntry> Ordered => Encounter?.Entries.Where(ShowsTotal).ToList() ?? [];

    /// <summary>For players: the hidden entries, whose place is not known until revealed.</summary>
    public IReadOnlyList<InitiativeEntry> PlaceUnknown => Encounter?.Entries.Where(e => !ShowsTotal(e)).ToList() ?? [];

    public bool IsCurrent(InitiativeEntry entry) => Encounter?.CurrentEntryId == entry?.EntryId;

    /// <summary>"Round 2: Bob's turn": said once per turn change (room.js keys it by <see cref="TurnKey"/>).</summary>
    public string TurnText => Encounter?.TurnText(e => e.Name) ?? "No encounter";

    public string TurnKey => Encounter is null ? "" : $"{Encounter.StartedAt.ToString(CultureInfo.InvariantCulture)}:{Encounter.TurnChanges.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A member not in the order yet may roll initiative (the DM adds monsters instead).</summary>
    public bool CanRollInitiative => Encounter is not null && !ViewerIsDm && Viewer.PlayerId is { } me && Encounter.EntryOfPlayer(me) is null;

    public string Base => $"/rooms/{Code}/initiative";

    public static string Signed(int value) => value.ToString("+0;-0;+0", CultureInfo.InvariantCulture);
}
