using DiceRoller.Rooms;

namespace DiceRoller.Shared;

/// <summary>The HTTP edge's one mapping from the architecture's error codes to status codes.</summary>
public static class ErrorStatus
{
    public static int For(string code) => code switch
    {
        ErrorCodes.RoomNotFound or ErrorCodes.PlayerNotFound or ErrorCodes.RollNotFound or ErrorCodes.NotFound
            or ErrorCodes.KnockNotFound or ErrorCodes.InvalidToken or ErrorCodes.EntryNotFound => StatusCodes.Status404NotFound,
        ErrorCodes.Kicked or ErrorCodes.NotInRoom or ErrorCodes.HiddenNotAllowed or ErrorCodes.NotDm
            or ErrorCodes.NotRoomCreator or ErrorCodes.NotAdmin or ErrorCodes.RoomLocked => StatusCodes.Status403Forbidden,
        ErrorCodes.RoomFull or ErrorCodes.AlreadyDmLed or ErrorCodes.RollNotHidden or ErrorCodes.NameTaken
            or ErrorCodes.RollInProgress or ErrorCodes.HiddenSecretsUsedUp or ErrorCodes.DmMustHandOver or ErrorCodes.AlreadyDm
            or ErrorCodes.NoEncounter or ErrorCodes.EncounterRunning or ErrorCodes.TooManySavedRolls => StatusCodes.Status409Conflict,
        ErrorCodes.RateLimit => StatusCodes.Status429TooManyRequests,
        ErrorCodes.BadRequest or ErrorCodes.InvalidVerifyInput => StatusCodes.Status400BadRequest,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.ServerError => StatusCodes.Status500InternalServerError,
        ErrorCodes.InvalidClientSeed => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status422UnprocessableEntity,
    };
}
