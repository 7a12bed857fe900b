namespace DiceRoller.Fairness;

/// <summary>Pearson's chi-square goodness-of-fit test against equal face frequencies, and the special functions it needs.</summary>
public static class ChiSquare
{
    /// <summary>Σ (observed - expected)² / expected with every face expected <c>total / faces</c> times.</summary>
    public static double Statistic(IReadOnlyList<long> observed)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var total = observed.Sum();
        if (total == 0 || observed.Count < 2)
        {
            return 0;
        }

        var expected = (double)total / observed.Count;
        return observed.Sum(o => (o - expected) * (o - expected) / expected);
    }

    /// <summary>The chance of a statistic at least this large from fair dice: <c>Q(df / 2, x / 2)</c>.</summary>
    public static double PValue(double statistic, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return statistic <= 0 ? 1 : RegularizedUpperGamma(degreesOfFreedom / 2.0, statistic / 2);
    }

    /// <summary>
    /// <c>Q(a, x) = Γ(a, x) / Γ(a)</c>: by the series of P(a, x) below <c>x &lt; a + 1</c>, else by the continued
    /// fraction of Q (modified Lentz); both converge fast there (Numerical Recipes §6.2).
    /// </summary>
    public static double RegularizedUpperGamma(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        if (x == 0)
        {
            return 1;
        }

        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (var n = 1; n < 10_000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-15)
                {
                    break;
                }
            }

            return Math.Clamp(1 - (sum * Math.Exp(logPrefix)), 0, 1);
        }

        const double Tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 10_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logPrefix) * h, 0, 1);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, nine coefficients; about 15 significant digits).</summary>
    public static double LogGamma(double x)
    {
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var sum = c[0];
        for (var i = 1; i < c.Length; i++)
        {
            sum += c[i] / (x + i);
        }

        var t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
