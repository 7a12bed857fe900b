using DiceRoller.Dice;

namespace DiceRoller.Rooms;

public sealed record DcCheck(int Dc, bool Passed);

/// <summary>
/// One roll as recorded in the room's history. Immutable; <see cref="Sequence"/> is assigned by the
/// store when the roll is appended (1, 2, 3... per room, gap-free).
/// </summary>
public sealed record Roll(
    string RollId,
    string RoomCode,
    long Sequence,
    string PlayerId,
    string PlayerName,
    long Timestamp,
    string DiceFormula,
    int DiceType,
    int DiceCount,
    int Modifier,
    Advantage Advantage,
    IReadOnlyList<int> IndividualResults,
    int? KeptIndex,
    int Total,
    bool Hidden,
    bool Revealed,
    DcCheck? DcCheck)
{
    public string Permalink => $"/roll/{RollId}";

    /// <summary>Whether <paramref name="viewerPlayerId"/> may see the dice and total.</summary>
    public bool IsVisibleTo(string? viewerPlayerId, bool viewerIsDm) =>
        !Hidden || Revealed || viewerIsDm || viewerPlayerId == PlayerId;
}
