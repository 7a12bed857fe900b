namespace DiceRoller.Rooms;

public enum RoomMode
{
    Open,
    DmLed,
}

public static class RoomModeNames
{
    public static string ToWire(this RoomMode mode) => mode == RoomMode.DmLed ? "dm-led" : "open";

    public static bool TryParse(string? value, out RoomMode mode)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "open":
                mode = RoomMode.Open;
                return true;
            case "dm-led":
                mode = RoomMode.DmLed;
                return true;
            default:
                mode = RoomMode.Open;
                return false;
        }
    }
}
