namespace DiceRoller.Dice;

public enum Advantage
{
    None,
    Advantage,
    Disadvantage,
}

/// <summary>A validated request for dice: <c>Count</c>d<c>Sides</c> plus <c>Modifier</c>.</summary>
public sealed record DiceSpec(int Count, int Sides, int Modifier, Advantage Advantage)
{
    public const int MinCount = 1;
    public const int MaxCount = 100;
    public const int MinModifier = -10;
    public const int MaxModifier = 20;
    public static readonly IReadOnlyList<int> AllowedSides = [4, 6, 8, 10, 12, 20, 100];

    /// <summary>The display formula, e.g. <c>1d20+5</c>, <c>3d6</c>, <c>2d8-1</c>.</summary>
    public string Formula => Modifier switch
    {
        0 => $"{Count}d{Sides}",
        > 0 => $"{Count}d{Sides}+{Modifier}",
        _ => $"{Count}d{Sides}{Modifier}",
    };
}

/// <summary>A parse or validation failure, returned as a value (never thrown).</summary>
public sealed record DiceError(string Code, string Message);
