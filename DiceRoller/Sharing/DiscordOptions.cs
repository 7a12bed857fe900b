using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Sharing;

/// <summary>
/// Sharing rolls to a Discord channel (<c>Discord</c> section): which webhook hosts a DM may paste, and how the posting queue
/// behaves. Every duration is an option, so tests can make them short.
/// </summary>
public sealed class DiscordOptions : IValidatableObject
{
    public const string Section = "Discord";

    /// <summary>
    /// Hosts a webhook URL may name, exactly (no subdomains), as configured; empty when none are (then <see cref="DefaultHosts"/>
    /// apply: see <see cref="EffectiveHosts"/>). A configured list replaces the defaults: the configuration binder adds a
    /// configured array's items to the property's starting value, so the defaults are not that value, else
    /// <c>Discord__AllowedHosts__0=127.0.0.1</c> would still let both Discord hosts through. A loopback host listed here
    /// (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>) may also be reached over plain http on any port: for a test's receiver.
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>Discord's two hosts: the allowed hosts when none are configured.</summary>
    public static readonly string[] DefaultHosts = ["discord.com", "discordapp.com"];

    /// <summary>The hosts a webhook URL may name: the configured ones, or Discord's two when none are configured.</summary>
    public IReadOnlyList<string> EffectiveHosts => AllowedHosts.Length > 0 ? AllowedHosts : DefaultHosts;

    /// <summary>Rolls waiting to be posted on this app instance, all rooms together; past it a roll is not posted (and a warning logged).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Attempts per roll that fail with a server error or no answer (429 waits do not count).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after the first failed attempt; it doubles with each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A roll still not posted this long after it was made is given up (however many 429s it waited through).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one post may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var host in EffectiveHosts)
        {
            if (string.IsNullOrWhiteSpace(host) || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
            {
                yield return new ValidationResult($"Discord:AllowedHosts: '{host}' is not a host name.", [nameof(AllowedHosts)]);
            }
        }

        if (MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult("Discord:MaxRetryDelay must be at least Discord:RetryDelay.", [nameof(MaxRetryDelay)]);
        }
    }
}
