using DiceRoller.Initiative;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Pages;

/// <summary>The room page: its players, the newest rolls (newest first) and the roll form.</summary>
public sealed record RoomPageModel(
    RoomSnapshot Room,
    Player Me,
    IReadOnlyList<Roll> Rolls,
    bool HasEarlier,
    long LastSequence,
    string FormToken,
    RollFormModel Form)
{
    public Viewer Viewer => new(Me.PlayerId, Room.IsDm(Me.PlayerId), FormToken);

    public string Code => Room.Room.Code;

    /// <summary>A refused DM or admin action (a plain form post) to show at the top of the page.</summary>
    public RoomError? ActionError { get; init; }

    public int MaxPlayers { get; init; } = 8;

    /// <summary>The Invite panel (join link and its QR code).</summary>
    public InvitePanelModel? Invite { get; init; }

    /// <summary>The viewer's own continue link (shown only to them), or null when it could not be made.</summary>
    public ContinuePanelModel? Continue { get; init; }

    /// <summary>The DM of a DM-led room with others in it must hand the role over before leaving.</summary>
    public bool MustHandOverToLeave => Room.IsDm(Me.PlayerId) && Room.Players.Count > 1;

    public RosterModel Roster => new(Room, Me.PlayerId, FormToken, MaxPlayers);

    public DcModel DcStatus => new(Room, Me.PlayerId, FormToken);

    public FairnessPanelModel Fairness => FairnessPanelModel.For(Room, Me.PlayerId, FormToken);

    /// <summary>The knocks waiting for this viewer to answer (empty unless they are the room's admin).</summary>
    public IReadOnlyList<Knock> Knocks { get; init; } = [];

    /// <summary>For the admin: until when joins from a kicked player's network knock (null: no such window).</summary>
    public long? KnockUntil { get; init; }

    /// <summary>The DM's Share panel (Discord, stream overlay); null for everyone else.</summary>
    public Sharing.SharingPanelModel? Sharing { get; init; }

    public DoorModel Door => new(Room, Me.PlayerId, FormToken, Knocks, KnockUntil);

    /// <summary>The mode change to show just below <c>Rolls[index]</c>: it happened between that roll and the older one under it.</summary>
    public ModeChange? MarkerBelow(int index) => Room.ModeChanges.FirstOrDefault(m =>
        Rolls[index].Sequence > m.AfterSequence && (index + 1 >= Rolls.Count || Rolls[index + 1].Sequence <= m.AfterSequence));

    /// <summary>Mode changes made before any roll shown (or with no rolls after them yet), shown at the top of the feed.</summary>
    public IEnumerable<ModeChange> MarkersOnTop => Room.ModeChanges.Where(m => Rolls.Count == 0 || Rolls[0].Sequence <= m.AfterSequence);

    /// <summary>How many of the others' newest rolls the phone's "At the table" strip shows.</summary>
    public const int TableRollCount = 3;

    /// <summary>The others' newest rolls for the phone's "At the table" strip (none on a page of earlier rolls).</summary>
    public IReadOnlyList<Roll> TableRolls { get; init; } = [];

    /// <summary>The running initiative encounter (null: none), and the tracker as this viewer sees it.</summary>
    public Encounter? Encounter { get; init; }

    public InitiativeModel Initiative => new(Code, Encounter, Viewer);

    public string StreamUrl => $"/rooms/{Code}/events";
}
