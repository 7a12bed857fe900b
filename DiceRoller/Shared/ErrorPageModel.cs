using DiceRoller.Rooms;

namespace DiceRoller.Shared;

public sealed record ErrorPageModel(RoomError Error, string Title = "Something went wrong", string BackUrl = "/", string BackLabel = "Back to the start");
