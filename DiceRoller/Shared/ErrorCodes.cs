namespace DiceRoller.Shared;

/// <summary>The architecture's error codes. The HTTP edge maps each to a status (see Shared/ErrorStatus).</summary>
public static class ErrorCodes
{
    public const string RoomNotFound = "ROOM_NOT_FOUND";
    public const string PlayerNotFound = "PLAYER_NOT_FOUND";
    public const string RollNotFound = "ROLL_NOT_FOUND";
    public const string Kicked = "KICKED";
    public const string NotInRoom = "NOT_IN_ROOM";
    public const string HiddenNotAllowed = "HIDDEN_NOT_ALLOWED";
    public const string NotDm = "NOT_DM";
    public const string NotRoomCreator = "NOT_ROOM_CREATOR";
    public const string NotAdmin = "NOT_ADMIN";
    public const string RoomFull = "ROOM_FULL";
    public const string AlreadyDmLed = "ALREADY_DM_LED";
    public const string RollNotHidden = "ROLL_NOT_HIDDEN";
    public const string NameTaken = "NAME_TAKEN";
    public const string InvalidName = "INVALID_NAME";
    public const string InvalidDiceFormat = "INVALID_DICE_FORMAT";
    public const string InvalidModifier = "INVALID_MODIFIER";
    public const string InvalidAdvantage = "INVALID_ADVANTAGE";
    public const string InvalidHidden = "INVALID_HIDDEN";
    public const string InvalidMode = "INVALID_MODE";
    public const string InvalidRoomCode = "INVALID_ROOM_CODE";
    public const string InvalidDc = "INVALID_DC";
    public const string CannotKickSelf = "CANNOT_KICK_SELF";
    public const string RateLimit = "RATE_LIMIT";
    public const string BadRequest = "BAD_REQUEST";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string ServerError = "SERVER_ERROR";
    public const string NotFound = "NOT_FOUND";
    public const string TooLarge = "TOO_LARGE";
    public const string InvalidRequestId = "INVALID_REQUEST_ID";
    public const string RollInProgress = "ROLL_IN_PROGRESS";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string DmMustHandOver = "DM_MUST_HAND_OVER";
    public const string AlreadyDm = "ALREADY_DM";
    public const string RoomLocked = "ROOM_LOCKED";
    public const string KnockNotFound = "KNOCK_NOT_FOUND";
    public const string InvalidLock = "INVALID_LOCK";
    public const string InvalidClientSeed = "INVALID_CLIENT_SEED";
    public const string HiddenSecretsUsedUp = "HIDDEN_SECRETS_USED_UP";
    public const string InvalidVerifyInput = "INVALID_VERIFY_INPUT";
    public const string InvalidInitiative = "INVALID_INITIATIVE";
    public const string NoEncounter = "NO_ENCOUNTER";
    public const string EncounterRunning = "ENCOUNTER_RUNNING";
    public const string EntryNotFound = "ENTRY_NOT_FOUND";
    public const string InvalidWebhook = "INVALID_WEBHOOK";
    public const string TooManySavedRolls = "TOO_MANY_SAVED_ROLLS";
}

/// <summary>A rule the request broke: an error code from <see cref="ErrorCodes"/> and a message for people.</summary>
public sealed record RoomError(string Code, string Message)
{
    /// <summary>For RATE_LIMIT: how long until trying again can work (sent as <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>For RATE_LIMIT on creating a room: a solved proof of work lifts it (the burst, not the hourly limit).</summary>
    public bool ProofHelps { get; init; }
}

/// <summary>Either a value or a <see cref="RoomError"/>; errors stay values until the HTTP edge.</summary>
public readonly record struct Result<T>
{
    private Result(T? value, RoomError? error) => (Value, Error) = (value, error);

    public T? Value { get; }

    public RoomError? Error { get; }

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(RoomError error) => new(default, error);

    public static Result<T> Fail(string code, string message) => new(default, new RoomError(code, message));

    public static implicit operator Result<T>(RoomError error) => Fail(error);
}
