using System.Text.RegularExpressions;

namespace DiceRoller.Rooms;

/// <summary>Player names: 1-20 characters of letters, digits and spaces, trimmed.</summary>
public static partial class PlayerName
{
    public const int MaxLength = 20;

    [GeneratedRegex(@"^[\p{L}\p{Nd} ]+$")]
    private static partial Regex Allowed();

    public static Result<string> Validate(string? text)
    {
        var name = text?.Trim() ?? "";
        if (name.Length == 0)
        {
            return Result<string>.Fail(ErrorCodes.InvalidName, "Enter a name of 1 to 20 letters, digits or spaces.");
        }

        if (name.Length > MaxLength)
        {
            return Result<string>.Fail(ErrorCodes.InvalidName, $"That name is {name.Length} characters long; use at most {MaxLength}.");
        }

        if (!Allowed().IsMatch(name))
        {
            return Result<string>.Fail(ErrorCodes.InvalidName, "Names may contain only letters, digits and spaces.");
        }

        return Result<string>.Ok(name);
    }
}
