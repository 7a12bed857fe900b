using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Permalinks;

public sealed class PermalinkOptions
{
    public const string Section = "Permalinks";

    /// <summary>How long a roll's permalink lives.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired permalinks are deleted.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromDays(1);
}
