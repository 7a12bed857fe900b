using System.Collections.Concurrent;

namespace DiceRoller.Shared;

/// <summary>
/// The antiforgery token pairs (the browser's <c>dr_af</c> cookie token and the form's request token) this instance has found
/// valid lately, so a page's later posts (every roll) are not checked again with two Data Protection decryptions each (issue 22:
/// about 140 µs and 5.5 KB a post). It weakens nothing: the check is a pure function of the two tokens (no user identity in this
/// app, no extra data), so a pair that was valid is valid again; only a pair byte-for-byte equal to one that passed the full check
/// is taken, for at most <see cref="Lifetime"/> (so a key revoked in the key ring stops working here within that time, as the form
/// token it made would fail the full check). Bounded: past <see cref="Capacity"/> pairs, the expired ones go, then all of them.
/// </summary>
public sealed class ValidatedFormTokens(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<(string Cookie, string Form), long> _valid = new();

    /// <summary>True when this pair passed the full check less than <see cref="Lifetime"/> ago.</summary>
    public bool Contains(string cookieToken, string requestToken) =>
        _valid.TryGetValue((cookieToken, requestToken), out var until) && until > time.GetTimestamp();

    /// <summary>Records a pair that just passed the full check.</summary>
    public void Add(string cookieToken, string requestToken)
    {
        var now = time.GetTimestamp();
        if (_valid.Count >= Capacity)
        {
            foreach (var (pair, until) in _valid)
            {
                if (until <= now)
                {
                    _valid.TryRemove(pair, out _);
                }
            }

            if (_valid.Count >= Capacity)
            {
                _valid.Clear();
            }
        }

        _valid[(cookieToken, requestToken)] = now + (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
    }
}
