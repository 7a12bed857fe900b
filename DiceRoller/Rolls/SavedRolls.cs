using System.Globalization;
using System.Text;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;

namespace DiceRoller.Rolls;

/// <summary>
/// The save form of the Saved rolls section: a name, the formula and how to roll it (advantage, hidden for a DM). Those two
/// keep the names they had when saved rolls lived in the browser (<c>preset-advantage</c>, <c>preset-hidden</c>): the pad's
/// <c>advantage</c> and <c>hidden</c> stay the page's only fields of those names.
/// </summary>
public sealed record SaveRollForm([FromForm(Name = "name")] string? Name, [FromForm(Name = "formula")] string? Formula,
    [FromForm(Name = "preset-advantage")] string? Advantage = null, [FromForm(Name = "preset-hidden")] string? Hidden = null);

/// <summary>The remove form of the Saved rolls section: the name of the saved roll to remove.</summary>
public sealed record RemoveSavedRollForm([FromForm(Name = "name")] string? Name);

/// <summary>
/// The rules of a member's saved rolls ("Longsword: 1d20+5"): at most <see cref="MaxPerPlayer"/> per member and room, a name
/// of at most <see cref="MaxNameLength"/> characters, a formula the roll form would accept (same parser, same limits).
/// Pure: the store keeps them (<see cref="ISavedRolls"/>).
/// </summary>
public static class SavedRolls
{
    public const int MaxPerPlayer = 20;

    public const int MaxNameLength = 40;

    /// <summary>Checks a save form into the saved roll to keep (name and formula trimmed, inner spaces collapsed), or why not.</summary>
    public static Result<SavedRoll> Validate(SaveRollForm form, bool canRollHidden)
    {
        ArgumentNullException.ThrowIfNull(form);
        var name = Collapse(form.Name);
        if (name.Length == 0)
        {
            return Result<SavedRoll>.Fail(ErrorCodes.InvalidName, "Give the saved roll a name, like Longsword.");
        }

        if (!name.IsNormalized(NormalizationForm.FormC))
        {
            try
            {
                name = name.Normalize(NormalizationForm.FormC);
            }
            catch (ArgumentException)
            {
                return Result<SavedRoll>.Fail(ErrorCodes.InvalidName, "That name has characters a saved roll cannot keep.");
            }
        }

        var length = new StringInfo(name).LengthInTextElements;
        if (length > MaxNameLength)
        {
            return Result<SavedRoll>.Fail(ErrorCodes.InvalidName, $"That name is {length} characters long; a saved roll's name has at most {MaxNameLength}.");
        }

        if (name.Any(char.IsControl))
        {
            return Result<SavedRoll>.Fail(ErrorCodes.InvalidName, "A saved roll's name cannot hold control characters.");
        }

        var formula = Collapse(form.Formula);
        var advantage = string.IsNullOrWhiteSpace(form.Advantage) ? "none" : form.Advantage.Trim().ToLowerInvariant();
        if (formula.Length == 0)
        {
            return Result<SavedRoll>.Fail(ErrorCodes.InvalidDiceFormat, "Give the saved roll a formula, like 1d20+5.");
        }

        var (_, error) = DiceNotation.Parse(formula, null, advantage);
        if (error is not null)
        {
            return Result<SavedRoll>.Fail(error.Code, $"Not saved: {error.Message}");
        }

        var hidden = form.Hidden?.Trim().ToLowerInvariant() is "true" or "on" or "1";
        if (hidden && !canRollHidden)
        {
            return Result<SavedRoll>.Fail(ErrorCodes.HiddenNotAllowed, "Only the DM can save a hidden roll.");
        }

        return Result<SavedRoll>.Ok(new SavedRoll(name, formula, advantage, hidden));
    }

    /// <summary>Saves a checked roll for the member: the store's answer as an error, or the sentence to show.</summary>
    public static async Task<Result<string>> SaveAsync(ISavedRolls store, RoomSnapshot room, Player me, SaveRollForm form, long now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        var valid = Validate(form, room.IsDm(me.PlayerId));
        if (valid.Error is { } error)
        {
            return error;
        }

        var saved = valid.Value!;
        return await store.SaveRollAsync(room.Room.Code, me.PlayerId, saved, MaxPerPlayer, now, cancellationToken) switch
        {
            SaveRollOutcome.Saved => Result<string>.Ok($"Saved {saved.Name}."),
            SaveRollOutcome.Full => Result<string>.Fail(ErrorCodes.TooManySavedRolls,
                $"You have {MaxPerPlayer} saved rolls, the most there can be. Remove one to save {saved.Name}."),
            _ => RoomService.NotInRoom(room.Room.Code),
        };
    }

    /// <summary>Removes the member's saved roll of that name: an error when there is none, or the sentence to show.</summary>
    public static async Task<Result<string>> RemoveAsync(ISavedRolls store, RoomSnapshot room, Player me, string? name, long now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(me);
        var wanted = Collapse(name);
        return wanted.Length > 0 && await store.RemoveSavedRollAsync(room.Room.Code, me.PlayerId, wanted, now, cancellationToken)
            ? Result<string>.Ok($"Removed {wanted}.")
            : Result<string>.Fail(ErrorCodes.NotFound, wanted.Length == 0 ? "Say which saved roll to remove." : $"You have no saved roll named {wanted}.");
    }

    /// <summary>Trimmed, with every run of white space one space.</summary>
    private static string Collapse(string? text) =>
        string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
