using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Permalinks;

/// <summary>
/// The permalink archive as the app uses it: the <see cref="IRollArchive"/> port the roll path writes to, plus what the
/// permalink pages, the health check, start-up and the retention job need. Implemented on SQLite
/// (<see cref="PermalinkStore"/>, the embedded default) and on PostgreSQL (<see cref="PostgresPermalinkStore"/>, for
/// app instances on several hosts); both pass one contract suite.
/// </summary>
public interface IPermalinkArchive : IRollArchive
{
    /// <summary>
    /// Brings the schema up to the newest version. Idempotent, and safe when several app instances start at once
    /// (each version is applied exactly once, under a lock).
    /// </summary>
    Task MigrateAsync(CancellationToken ct = default);

    /// <summary>The row if it exists and has not expired (whether or not it is public yet).</summary>
    Task<PermalinkRow?> FindAsync(string rollId, CancellationToken ct = default);

    /// <summary>
    /// Deletes expired rows and returns how many, or null when another app instance is running the cleanup right now
    /// (it deletes them; this one does not wait to do it again).
    /// </summary>
    Task<int?> DeleteExpiredAsync(CancellationToken ct = default);

    /// <summary>True when the database answers.</summary>
    Task<bool> PingAsync(CancellationToken ct = default);

    /// <summary>The schema version the database is at (the number of migrations applied).</summary>
    Task<int> SchemaVersionAsync(CancellationToken ct = default);
}

/// <summary>The providers <c>Permalinks:Provider</c> names.</summary>
public static class PermalinkProviders
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";
}

/// <summary>
/// The columns every provider writes for a roll, and their values: one list, so a new column is added once for both
/// (each provider's migration list still gets its own <c>ALTER TABLE</c>).
/// </summary>
internal static class PermalinkColumns
{
    public const string Names =
        """
        roll_id, room_code, room_mode, player_name, dice_formula, dice_type, dice_count,
          modifier, advantage, individual_results, total, dc_check, timestamp, created_at, expires_at, hidden, revealed, kept_index,
          terms, label, successes, cap_reached
        """;

    public const string Parameters =
        """
        @RollId, @RoomCode, @RoomMode, @PlayerName, @DiceFormula, @DiceType, @DiceCount,
          @Modifier, @Advantage, @IndividualResults, @Total, @DcCheck, @Timestamp, @CreatedAt, @ExpiresAt, @Hidden, @Revealed, @KeptIndex,
          @Terms, @Label, @Successes, @CapReached
        """;

    /// <summary>The values of <see cref="Names"/>, integers as <see cref="long"/> (SQLite INTEGER, PostgreSQL BIGINT).</summary>
    public static object Values(Roll roll, RoomMode roomMode, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(roll.Timestamp);
        return new
        {
            roll.RollId,
            roll.RoomCode,
            RoomMode = roomMode.ToWire(),
            roll.PlayerName,
            roll.DiceFormula,
            DiceType = (long)roll.DiceType,
            DiceCount = (long)roll.DiceCount,
            Modifier = (long)roll.Modifier,
            Advantage = roll.Advantage.ToWire(),
            IndividualResults = JsonSerializer.Serialize(roll.IndividualResults),
            Total = (long)roll.Total,
            DcCheck = roll.DcCheck is null ? null : RoomJson.Serialize(roll.DcCheck),
            roll.Timestamp,
            CreatedAt = Permalink.ToStored(created),
            ExpiresAt = Permalink.ToStored(created + retention),
            Hidden = roll.Hidden ? 1L : 0L,
            Revealed = roll.Revealed ? 1L : 0L,
            KeptIndex = (long?)roll.KeptIndex,
            Terms = roll.Terms is null ? null : RoomJson.Serialize(roll.Terms),
            roll.Label,
            Successes = (long?)roll.Successes,
            CapReached = roll.CapReached ? 1L : 0L,
        };
    }
}
