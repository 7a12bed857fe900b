using System.Globalization;
using System.Text;
using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>
/// Player names: 1-20 characters after Unicode NFC normalisation and trimming; letters of ONE script (so "Аlma" with
/// a Cyrillic А cannot pass for "Alma"), combining marks, ASCII digits, spaces and the punctuation of real names
/// (apostrophe, hyphen, period). Han, Hiragana and Katakana count as one script (Japanese names mix them).
/// Names are stored normalised; the stores compare them ignoring case (ordinal, invariant culture).
/// </summary>
public static class PlayerName
{
    public const int MaxLength = 20;

    public static Result<string> Validate(string? text)
    {
        var name = (text ?? "").Trim();
        if (name.Length > 0 && !name.IsNormalized(NormalizationForm.FormC))
        {
            try
            {
                name = name.Normalize(NormalizationForm.FormC);
            }
            catch (ArgumentException)
            {
                return Result<string>.Fail(ErrorCodes.InvalidName, "Names may contain only letters, digits, spaces, apostrophes, hyphens and periods.");
            }
        }

        if (name.Length == 0)
        {
            return Result<string>.Fail(ErrorCodes.InvalidName, "Enter a name of 1 to 20 letters, digits or spaces.");
        }

        var length = new StringInfo(name).LengthInTextElements;
        if (length > MaxLength)
        {
            return Result<string>.Fail(ErrorCodes.InvalidName, $"That name is {length} characters long; use at most {MaxLength}.");
        }

        string? script = null;
        foreach (var rune in name.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark || rune.Value is ' ' or '\'' or '-' or '.' or '\u2019' || rune.Value is >= '0' and <= '9')
            {
                continue;
            }

            if (!Rune.IsLetter(rune))
            {
                return Result<string>.Fail(ErrorCodes.InvalidName, "Names may contain only letters, digits, spaces, apostrophes, hyphens and periods.");
            }

            var letterScript = ScriptOf(rune.Value);
            if (script is null)
            {
                script = letterScript;
            }
            else if (script != letterScript)
            {
                return Result<string>.Fail(ErrorCodes.InvalidName,
                    "Use the letters of one alphabet in a name: this one mixes scripts (for example a Cyrillic \u201cА\u201d among Latin letters), which would let it pass for someone else's.");
            }
        }

        return Result<string>.Ok(name);
    }

    /// <summary>The script a letter belongs to, by Unicode block; blocks of one script share a name.</summary>
    private static string ScriptOf(int c) => c switch
    {
        <= 0x024F or (>= 0x1E00 and <= 0x1EFF) or (>= 0x2C60 and <= 0x2C7F) or (>= 0xA720 and <= 0xA7FF) or (>= 0xFF21 and <= 0xFF5A) or (>= 0x0250 and <= 0x02AF) => "Latin",
        (>= 0x0370 and <= 0x03FF) or (>= 0x1F00 and <= 0x1FFF) => "Greek",
        (>= 0x0400 and <= 0x052F) or (>= 0x2DE0 and <= 0x2DFF) or (>= 0xA640 and <= 0xA69F) or (>= 0x1C80 and <= 0x1C8F) => "Cyrillic",
        (>= 0x0530 and <= 0x058F) => "Armenian",
        (>= 0x0590 and <= 0x05FF) => "Hebrew",
        (>= 0x0600 and <= 0x06FF) or (>= 0x0750 and <= 0x077F) or (>= 0x08A0 and <= 0x08FF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFF) => "Arabic",
        (>= 0x0900 and <= 0x097F) => "Devanagari",
        (>= 0x0E00 and <= 0x0E7F) => "Thai",
        (>= 0x10A0 and <= 0x10FF) => "Georgian",
        (>= 0x1100 and <= 0x11FF) or (>= 0x3130 and <= 0x318F) or (>= 0xAC00 and <= 0xD7AF) => "Hangul",
        (>= 0x3040 and <= 0x30FF) or (>= 0x31F0 and <= 0x31FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFF66 and <= 0xFF9F) or (>= 0x20000 and <= 0x3134F) or 0x3005 or 0x30FC => "Han-Kana",
        _ => $"block-{c >> 7:X}",
    };
}
