using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Fairness;

/// <summary>Limits of the verify page (section <c>Verify</c>).</summary>
public sealed class VerifyOptions
{
    public const string Section = "Verify";

    /// <summary>
    /// Largest room log the page checks (pasted or uploaded); larger logs are for <c>scripts/verify.py</c>. The default holds the
    /// largest page <c>log.json</c> serves (500 rolls of <c>100d1000</c>: about 2.2 MB) with room to spare.
    /// </summary>
    [Range(1_024, 16_777_216)]
    public int MaxLogBytes { get; set; } = 4_194_304;

    /// <summary>Checks one IP address may ask for per <see cref="Window"/> (each may verify a thousand signatures).</summary>
    [Range(1, 100_000)]
    public int Limit { get; set; } = 30;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Finds a roll's public permalink (as its JSON) by id: null when unknown, expired or still hidden. Implemented by Permalinks/.</summary>
public interface IPermalinkLookup
{
    Task<VerifiableRoll?> FindPublicAsync(string rollId, CancellationToken cancellationToken = default);
}

public static class VerifyRegistration
{
    public static IServiceCollection AddFairnessChecks(this IServiceCollection services)
    {
        services.AddOptions<VerifyOptions>().BindConfiguration(VerifyOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Window >= TimeSpan.FromSeconds(1), "Verify:Window must be at least one second.")
            .ValidateOnStart();
        return services;
    }
}
