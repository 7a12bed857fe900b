namespace DiceRoller.Rolls;

public sealed record EarlierLinkModel(string RoomCode, long BeforeSequence);

public sealed record EarlierRollsModel(IReadOnlyList<DiceRoller.Rooms.RollEntryModel> Rows, EarlierLinkModel? Next);
