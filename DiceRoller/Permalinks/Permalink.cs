using System.Globalization;
using System.Text.Json;
using DiceRoller.Rooms;

namespace DiceRoller.Permalinks;

/// <summary>One row of <c>roll_permalinks</c>.</summary>
public sealed record PermalinkRow
{
    public required string RollId { get; init; }
    public required string RoomCode { get; init; }
    public required string RoomMode { get; init; }
    public required string PlayerName { get; init; }
    public required string DiceFormula { get; init; }
    public required long DiceType { get; init; }
    public required long DiceCount { get; init; }
    public required long Modifier { get; init; }
    public required string Advantage { get; init; }
    public required string IndividualResults { get; init; }
    public required long Total { get; init; }
    public string? DcCheck { get; init; }
    public required long Timestamp { get; init; }
    public required string CreatedAt { get; init; }
    public required string ExpiresAt { get; init; }
    public long Hidden { get; init; }
    public long Revealed { get; init; }
    public long? KeptIndex { get; init; }

    /// <summary>Hidden rolls have no public content until the DM reveals them.</summary>
    public bool IsPublic => Hidden == 0 || Revealed != 0;
}

/// <summary>The public view of a roll (the JSON of <c>/api/permalink/{roll_id}</c>, and the page's model).</summary>
public sealed record Permalink(
    string RollId,
    string RoomCode,
    string RoomMode,
    string PlayerName,
    string DiceFormula,
    string Advantage,
    IReadOnlyList<int> IndividualResults,
    int Total,
    DcCheck? DcCheck,
    long Timestamp,
    string CreatedAt,
    string ExpiresAt)
{
    internal int? KeptIndex { get; init; }
    internal int Modifier { get; init; }

    public static Permalink From(PermalinkRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new Permalink(
            row.RollId,
            Anonymise(row.RoomCode),
            row.RoomMode,
            row.PlayerName,
            row.DiceFormula,
            row.Advantage,
            JsonSerializer.Deserialize<int[]>(row.IndividualResults) ?? [],
            (int)row.Total,
            row.DcCheck is null ? null : RoomJson.Deserialize<DcCheck>(row.DcCheck),
            row.Timestamp,
            ToIso(row.CreatedAt),
            ToIso(row.ExpiresAt))
        {
            KeptIndex = (int?)row.KeptIndex,
            Modifier = (int)row.Modifier,
        };
    }

    /// <summary><c>ALPHA-1234</c> becomes <c>ALPH****</c>.</summary>
    public static string Anonymise(string roomCode) => roomCode.Length <= 4 ? "****" : string.Concat(roomCode.AsSpan(0, 4), "****");

    public const string StoredFormat = "yyyy-MM-dd HH:mm:ss";

    public static string ToStored(DateTimeOffset time) => time.UtcDateTime.ToString(StoredFormat, CultureInfo.InvariantCulture);

    private static string ToIso(string stored) =>
        DateTime.TryParseExact(stored, StoredFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : stored;
}
