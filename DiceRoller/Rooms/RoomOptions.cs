using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Rooms;

public sealed class RoomOptions : IValidatableObject
{
    public const string Section = "Rooms";

    [Range(1, 64)]
    public int MaxPlayers { get; set; } = 8;

    public TimeSpan OpenRoomTtl { get; set; } = TimeSpan.FromSeconds(18000);

    public TimeSpan DmLedRoomTtl { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>How many of the most recent rolls a room keeps (at least 500).</summary>
    [Range(500, 100_000)]
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>How many rolls the room page renders at first; earlier ones load on demand.</summary>
    [Range(1, 500)]
    public int FeedPageSize { get; set; } = 50;

    /// <summary>Rolls a player may make per <see cref="RollWindow"/>.</summary>
    [Range(1, 10_000)]
    public int RollLimit { get; set; } = 10;

    public TimeSpan RollWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Rooms one IP address may create per <see cref="CreateWindow"/> without a proof of work (a small burst: 3 per 5 minutes).</summary>
    [Range(1, 100_000)]
    public int CreateLimit { get; set; } = 3;

    public TimeSpan CreateWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Join attempts one IP address may make per <see cref="JoinWindow"/>, to slow down guessing codes.</summary>
    [Range(1, 100_000)]
    public int JoinLimit { get; set; } = 20;

    public TimeSpan JoinWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Warnings sent before a room expires, in seconds remaining.</summary>
    public int[] ExpiryWarnings { get; set; } = [180, 30];

    /// <summary>How long a roll request's one-time id is remembered: a repeat within it answers the same roll.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan RollRequestRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a repeat waits for the first request with its id to finish rolling (then ROLL_IN_PROGRESS, 409).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RollRequestWait { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Leading zero bits the browser's proof of work needs beyond the creation burst (each bit doubles the work).</summary>
    [Range(1, 32)]
    public int ProofDifficulty { get; set; } = 14;

    /// <summary>How long a proof-of-work challenge may be solved and used (once).</summary>
    public TimeSpan ProofTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long after a kick joins from the kicked player's address knock instead of coming straight in (a new browser there
    /// may be the same person; on one home Wi-Fi it is everyone). The admin can end it at once ("Let them in freely").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan KickKnockWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a knock waits for the room's admin before it lapses.</summary>
    public TimeSpan KnockTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the waiting page checks whether its knock was answered.</summary>
    [Range(1, 60)]
    public int KnockRefreshSeconds { get; set; } = 3;

    public int TtlSecondsFor(RoomMode mode) => (int)Math.Ceiling((mode == RoomMode.DmLed ? DmLedRoomTtl : OpenRoomTtl).TotalSeconds);

    /// <summary>
    /// Rooms the server holds at once; creation past it answers 503 with <c>Retry-After</c>. At most a tenth of the code
    /// space (<see cref="RoomCode.Space"/>), so a random code is free nine times in ten or more.
    /// </summary>
    [Range(1, RoomCode.Space / 10)]
    public int MaxRooms { get; set; } = 1_000;

    /// <summary>Rooms one IP address may create per hour, proofs of work or not (429 with <c>Retry-After</c> past it).</summary>
    [Range(1, 100_000)]
    public int CreateHourlyLimit { get; set; } = 20;

    /// <summary>
    /// The time-to-live of a room nobody but its creator ever joined (while one of its pages is open it does not expire);
    /// once a second player joins, the mode's TTL applies for good. Never longer than the mode's TTL.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan LonelyRoomTtl { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Rooms created on the whole server per <see cref="ProofRateWindow"/> that add one bit to the proof of work.</summary>
    [Range(1, 1_000_000)]
    public int ProofDifficultyStep { get; set; } = 30;

    /// <summary>The most bits the proof of work asks for, however fast rooms are being created.</summary>
    [Range(1, 32)]
    public int ProofDifficultyMax { get; set; } = 20;

    /// <summary>The window over which the server-wide creation rate is counted for <see cref="ProofDifficultyStep"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ProofRateWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The TTL a new room starts with: <see cref="LonelyRoomTtl"/>, unless the mode's own TTL is shorter.</summary>
    public int LonelyTtlSecondsFor(RoomMode mode) => Math.Min(TtlSecondsFor(mode), (int)Math.Ceiling(LonelyRoomTtl.TotalSeconds));

    /// <summary>The proof-of-work difficulty while <paramref name="createdInWindow"/> rooms were created server-wide in the current window.</summary>
    public int ProofBitsFor(long createdInWindow) =>
        (int)Math.Min(ProofDifficultyMax, ProofDifficulty + (Math.Max(0, createdInWindow) / ProofDifficultyStep));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ProofDifficultyMax < ProofDifficulty)
        {
            yield return new ValidationResult(
                $"Rooms:ProofDifficultyMax ({ProofDifficultyMax}) must be at least Rooms:ProofDifficulty ({ProofDifficulty}).",
                [nameof(ProofDifficultyMax)]);
        }
    }
}
