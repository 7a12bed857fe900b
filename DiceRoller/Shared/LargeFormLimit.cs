namespace DiceRoller.Shared;

/// <summary>
/// Endpoint metadata: this form may be larger than <c>Limits:MaxRequestBodyBytes</c> (e.g. a pasted room log on the
/// verify page), up to what <see cref="MaxBytes"/> reads from the options.
/// </summary>
public sealed record LargeFormLimit(Func<IServiceProvider, long> MaxBytes, string? TooLargeMessage = null);
