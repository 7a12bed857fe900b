using System.Globalization;
using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>Who is looking at a page: decides which values and controls a template shows.</summary>
public sealed record Viewer(string? PlayerId, bool IsDm, string? FormToken)
{
    public static readonly Viewer Anonymous = new(null, false, null);
}

/// <param name="Proof">A proof-of-work challenge for the create form (beyond the creation burst); <paramref name="SolveNow"/>: pow.js solves and sends it at once.</param>
public sealed record HomePageModel(string FormToken, RoomError? CreateError = null, string? PlayerName = null, string? Mode = null,
    ProofChallenge? Proof = null, bool SolveNow = false)
{
    /// <summary>The room this browser has just left ("You left ALPHA-1234"), shown once.</summary>
    public string? LeftRoom { get; init; }
}

/// <summary>The waiting page of someone who knocked.</summary>
public sealed record KnockPageModel(Knock Knock, int RefreshSeconds)
{
    public string Code => Knock.RoomCode;

    public string Url => $"/rooms/{Knock.RoomCode}/knocks/{Knock.KnockId}";
}

/// <summary>The room's door as one viewer sees it: the lock, and for the admin the knocks to answer.</summary>
/// <param name="KnockUntil">For the admin: until when (Unix ms) joins from a kicked player's network knock; null when they come straight in.</param>
public sealed record DoorModel(RoomSnapshot Room, string ViewerPlayerId, string? FormToken, IReadOnlyList<Knock> Knocks, long? KnockUntil = null)
{
    public bool ViewerIsAdmin => Room.IsAdmin(ViewerPlayerId);

    public bool Locked => Room.Room.Locked;

    public string Code => Room.Room.Code;

    /// <summary>Players see the panel only while the room is locked; the admin always (to lock it).</summary>
    /// <summary>
    /// Shown at the top of the page only when it matters now: the room is locked, or someone waits for this admin's
    /// answer. (An idle admin's "Lock the room" button sits with the room's other controls, below.)
    /// </summary>
    public bool Visible => Locked || (ViewerIsAdmin && (Knocks.Count > 0 || KnockUntil is not null));
}

public sealed record JoinPageModel(string FormToken, string? RoomCode, string? PlayerName = null, RoomError? Error = null, bool KnownRoom = false);

/// <summary>
/// The roll form with what was typed and the error it got, if any. A fresh form is the reset pad (1 die, +0, Normal,
/// not hidden unless the DM pinned "Keep hidden on", an empty formula field), with a new one-time <see cref="RequestId"/>.
/// </summary>
public sealed record RollFormModel(string RoomCode, string FormToken, bool CanRollHidden,
    string Dice = "", string Modifier = "0", string Advantage = "none", RoomError? Error = null, string Count = "1")
{
    /// <summary>The one-time id of the next roll (a repeat of it answers the same roll).</summary>
    public string RequestId { get; init; } = "";

    /// <summary>The DM's "Hidden roll" box is ticked.</summary>
    public bool Hidden { get; init; }

    /// <summary>The DM pinned "Keep hidden on": the pad stays hidden after each roll.</summary>
    public bool KeepHidden { get; init; }

    /// <summary>The member's own latest roll, shown next to the pad (null before their first roll).</summary>
    public RollEntryModel? OwnLatest { get; init; }

    /// <summary>The member's saved rolls under the pad (null: the section is not shown).</summary>
    public SavedRollsModel? SavedRolls { get; init; }

    /// <summary>
    /// What a die button rolls with the pad as it is, e.g. <c>("4d6+3", null)</c>, <c>("1d20+5", "adv")</c>, and for the
    /// other dice while advantage is on, <c>("1d6", "no adv")</c>: advantage is a d20 toggle. A hidden roll says so.
    /// </summary>
    public (string Formula, string? Note) DieLabel(int sides)
    {
        var count = Count.Trim().Length == 0 ? "1" : Count.Trim();
        var modifier = int.TryParse(Modifier.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m)
            ? m switch { 0 => "", > 0 => $"+{m.ToString(CultureInfo.InvariantCulture)}", _ => m.ToString(CultureInfo.InvariantCulture) }
            : Modifier.Trim().Length == 0 ? "" : Modifier.Trim().StartsWith('-') ? Modifier.Trim() : "+" + Modifier.Trim();
        var advantage = Advantage switch
        {
            "advantage" => sides == 20 ? "adv" : "no adv",
            "disadvantage" => sides == 20 ? "dis" : "no dis",
            _ => null,
        };
        string?[] notes = [advantage, Hidden || KeepHidden ? "hidden" : null];
        var note = string.Join(" · ", notes.OfType<string>());
        return ($"{count}d{sides.ToString(CultureInfo.InvariantCulture)}{modifier}", note.Length == 0 ? null : note);
    }
}

/// <summary>
/// The Saved rolls section: the member's saved rolls (each a form that rolls it, and one that removes it) and the form that
/// saves one; a refused save shows its <see cref="Error"/> with what was typed. <see cref="RequestId"/> is the one-time id
/// a saved roll's own form rolls with (a new one each time the section is drawn).
/// </summary>
public sealed record SavedRollsModel(string RoomCode, string FormToken, bool CanRollHidden, IReadOnlyList<SavedRoll> Rolls, string RequestId)
{
    public RoomError? Error { get; init; }

    /// <summary>What the last save or removal did ("Saved Longsword."), said once in the section's status line.</summary>
    public string? Status { get; init; }

    public string Name { get; init; } = "";

    public string Formula { get; init; } = "";

    public string Advantage { get; init; } = "none";

    public bool Hidden { get; init; }

    /// <summary>How a saved roll reads on its button: <c>Longsword: 1d20+5 adv · hidden</c>.</summary>
    public static string Label(SavedRoll roll)
    {
        ArgumentNullException.ThrowIfNull(roll);
        string?[] notes = [roll.Advantage switch { "advantage" => "adv", "disadvantage" => "dis", _ => null }, roll.Hidden ? "hidden" : null];
        var note = string.Join(" · ", notes.OfType<string>());
        return $"{roll.Name}: {roll.Formula}" + (note.Length == 0 ? "" : " " + note);
    }
}

/// <summary>One roll as one viewer sees it.</summary>
public sealed record RollEntryModel(Roll Roll, Viewer Viewer, bool OutOfBand = false)
{
    public bool ShowValues => Roll.IsVisibleTo(Viewer.PlayerId);
}

/// <summary>The player list as one viewer sees it (admins get kick buttons, an open room's creator promote buttons).</summary>
/// <summary>Who joined or left (and why: disconnect, kicked) when a roster is sent live.</summary>
public sealed record RosterChange(string PlayerId, string? Reason)
{
    /// <summary>The player's name (a player who left is no longer in the room to look it up).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// A page without JavaScript that closed: its heartbeats stopped and its presence lapsed (a stream that ends may be a reload,
    /// said by the mark alone; a lapse comes three heartbeat intervals after the page's last one, so the player has gone).
    /// </summary>
    public bool Lapsed { get; init; }

    /// <summary>What the roster says about the change, or null when the online/offline mark says it all.</summary>
    public string? Sentence => Name is null ? null : Reason switch
    {
        null => $"{Name} joined the room.",
        RoomEvent.Reasons.Left => $"{Name} left the room.",
        RoomEvent.Reasons.Kicked => $"{Name} was removed from the room.",
        RoomEvent.Reasons.Disconnect when Lapsed => $"{Name} is offline.",
        _ => null,
    };
}

public sealed record RosterModel(RoomSnapshot Room, string ViewerPlayerId, string? FormToken, int MaxPlayers)
{
    public RosterChange? Change { get; init; }

    /// <summary>
    /// What this viewer's page says about the change: the others' joins, leaves and removals, never the viewer's own join.
    /// Their page opened because they joined, and its stream, opened a moment later, can still get the join's event when
    /// the machine is slow; a screen reader would then tell them they joined.
    /// </summary>
    public string? Sentence => Change is { Reason: null } change && change.PlayerId == ViewerPlayerId ? null : Change?.Sentence;

    public bool ViewerIsAdmin => Room.IsAdmin(ViewerPlayerId);

    public bool ViewerCanPromote => Room.Room.Mode == RoomMode.Open && Room.Room.CreatorPlayerId == ViewerPlayerId;

    public bool ViewerIsDm => Room.IsDm(ViewerPlayerId);

    public string Code => Room.Room.Code;
}

/// <summary>A line of the roster.</summary>
public sealed record PlayerEntryModel(Player Player, RosterModel Roster)
{
    public RoomSnapshot Room => Roster.Room;

    public bool IsCreator => Room.Room.CreatorPlayerId == Player.PlayerId;

    public bool IsDm => Room.IsDm(Player.PlayerId);

    public bool IsMe => Roster.ViewerPlayerId == Player.PlayerId;

    public bool IsConnected => Room.IsConnected(Player.PlayerId);

    /// <summary>Present with a live stream (false for a page without JavaScript, which is present but not live).</summary>
    public bool HasLiveUpdates => Room.HasLiveUpdates(Player.PlayerId);
}

/// <summary>The room's current DC; the DM also gets the form to change it.</summary>
public sealed record DcModel(RoomSnapshot Room, string ViewerPlayerId, string? FormToken)
{
    public bool ViewerIsDm => Room.IsDm(ViewerPlayerId);
}

/// <summary>The room page's fairness panel for one viewer: the commitment, their client seed (and whether the server made it), the admin's rotate form.</summary>
public sealed record FairnessPanelModel(string Code, string? Commitment, string? ClientSeed, bool ByServer, bool ViewerIsAdmin, string FormToken)
{
    /// <summary>Rules 2 (docs/fairness.md): hidden rolls keep their own secrets, and a client seed counts only under the commitment it was set under.</summary>
    public bool RulesTwo => Fairness.RoomSeed.RulesOf(Commitment) == 2;

    /// <summary>Rules 2 and the viewer has no client seed set under the current commitment: the server picks one per roll until they set one.</summary>
    public bool ServerPicks => RulesTwo && ClientSeed is null;

    public static FairnessPanelModel For(RoomSnapshot room, string viewerPlayerId, string formToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        var seed = room.ClientSeedOf(viewerPlayerId);
        return new(room.Room.Code, room.Commitment, seed?.Seed, seed?.ByServer ?? false, room.IsAdmin(viewerPlayerId), formToken);
    }
}

/// <summary>The room seed's commitment element; out of band when sent live after a rotation.</summary>
public sealed record CommitmentModel(string? Commitment, bool OutOfBand = false);

/// <summary>The feed's marker where an open room became DM-led.</summary>
public sealed record ModeMarkerModel(ModeChange Change, string? DmName);

/// <summary>The room page's Invite panel: the absolute join link, to copy, share or show as a QR code.</summary>
public sealed record InvitePanelModel(string Code, string JoinUrl);

/// <summary>A member's own "use on another device" panel: their private continue link, its QR code and the renew form.</summary>
public sealed record ContinuePanelModel(string Code, string Url, string FormToken, bool Renewed = false);

/// <summary>The confirm page behind a continue link: a GET only shows it, the button's POST signs the device in.</summary>
public sealed record ContinuePageModel(string Code, string PlayerName, string Path, string FormToken, bool AlreadyThisPlayer)
{
    /// <summary>The name this browser plays under in the room now, when it is another member (continuing switches it).</summary>
    public string? CurrentName { get; init; }
}
