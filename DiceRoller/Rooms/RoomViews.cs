namespace DiceRoller.Rooms;

/// <summary>Who is looking at a page: decides which values and controls a template shows.</summary>
public sealed record Viewer(string? PlayerId, bool IsDm, string? FormToken)
{
    public static readonly Viewer Anonymous = new(null, false, null);
}

public sealed record HomePageModel(string FormToken, RoomError? CreateError = null, string? PlayerName = null, string? Mode = null);

public sealed record JoinPageModel(string FormToken, string? RoomCode, string? PlayerName = null, RoomError? Error = null, bool KnownRoom = false);

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

    public string StreamUrl => $"/rooms/{Code}/events";
}

/// <summary>The roll form with what was typed and the error it got, if any.</summary>
public sealed record RollFormModel(string RoomCode, string FormToken, bool CanRollHidden,
    string Dice = "1d20", string Modifier = "0", string Advantage = "none", RoomError? Error = null);

/// <summary>One roll as one viewer sees it.</summary>
public sealed record RollEntryModel(Roll Roll, Viewer Viewer)
{
    public bool ShowValues => Roll.IsVisibleTo(Viewer.PlayerId, Viewer.IsDm);
}

/// <summary>A line of the roster.</summary>
public sealed record PlayerEntryModel(Player Player, RoomSnapshot Room, string? ViewerPlayerId)
{
    public bool IsCreator => Room.Room.CreatorPlayerId == Player.PlayerId;

    public bool IsDm => Room.IsDm(Player.PlayerId);

    public bool IsMe => ViewerPlayerId == Player.PlayerId;
}
