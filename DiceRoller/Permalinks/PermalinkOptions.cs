using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Permalinks;

public sealed class PermalinkOptions
{
    public const string Section = "Permalinks";

    /// <summary>
    /// Where permalinks are kept: <c>sqlite</c> (a file beside the app, the embedded default) or <c>postgresql</c> (one
    /// database shared by app instances on several hosts). <c>ConnectionStrings:Permalinks</c> holds that provider's
    /// connection string.
    /// </summary>
    [RegularExpression("^(sqlite|postgresql)$", ErrorMessage = "Permalinks:Provider must be sqlite or postgresql.")]
    public string Provider { get; set; } = PermalinkProviders.Sqlite;

    /// <summary>How long a roll's permalink lives.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Permalinks:Retention must be between 1 minute and 10 years.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired permalinks are deleted (a timer's limit: at most 49 days).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "49.00:00:00", ErrorMessage = "Permalinks:CleanupInterval must be between 1 second and 49 days.")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// SQLite's <c>synchronous</c> setting for the permalink file (WAL mode): <c>normal</c> (default) syncs the log at
    /// checkpoints, so a committed permalink survives the app crashing or being killed, and only a power cut or OS crash can
    /// lose the last commits; <c>full</c> also syncs at every commit (a disk flush per group commit).
    /// </summary>
    [RegularExpression("^(normal|full)$", ErrorMessage = "Permalinks:SqliteSynchronous must be normal or full.")]
    public string SqliteSynchronous { get; set; } = "normal";

    /// <summary>The most rolls one page of a room's <c>log.json</c> holds (the newest page by default, links to the others).</summary>
    [Range(1, 500, ErrorMessage = "Permalinks:LogPageSize must be between 1 and 500.")]
    public int LogPageSize { get; set; } = 500;

    /// <summary>Pages of <c>log.json</c> one member may fetch per <see cref="LogWindow"/> (a 304 counts too).</summary>
    [Range(1, 100_000, ErrorMessage = "Permalinks:LogLimit must be between 1 and 100000.")]
    public int LogLimit { get; set; } = 30;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Permalinks:LogWindow must be between 1 second and 1 day.")]
    public TimeSpan LogWindow { get; set; } = TimeSpan.FromMinutes(1);
}
