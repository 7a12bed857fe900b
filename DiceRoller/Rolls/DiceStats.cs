using System.Globalization;
using System.Text.RegularExpressions;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;

namespace DiceRoller.Rolls;

/// <summary>How often each face of one die size came up, against a fair die's expectation.</summary>
public sealed record DieStats(int Faces, bool Fudge, IReadOnlyList<long> Counts)
{
    /// <summary><c>d6</c>, <c>d20</c>, <c>dF</c>.</summary>
    public string Name => Fudge ? "dF" : "d" + Faces.ToString(CultureInfo.InvariantCulture);

    public int MinFace => Fudge ? -1 : 1;

    public long Total => Counts.Sum();

    public double Expected => (double)Total / Faces;

    public int DegreesOfFreedom => Faces - 1;

    public double ChiSquareStatistic => ChiSquare.Statistic(Counts);

    public double PValue => ChiSquare.PValue(ChiSquareStatistic, DegreesOfFreedom);

    /// <summary>The chi-square approximation holds once every face is expected at least 5 times.</summary>
    public bool EnoughForTest => Expected >= 5;

    public int FaceAt(int index) => MinFace + index;

    public double Average => Total == 0 ? 0 : Counts.Select((c, i) => (double)c * FaceAt(i)).Sum() / Total;

    /// <summary>A fair die's average, e.g. 10.5 for a d20.</summary>
    public double ExpectedAverage => (MinFace + FaceAt(Faces - 1)) / 2.0;
}

/// <summary>The dice of one player (or of everyone, <see cref="PlayerId"/> null), per die size, smallest first.</summary>
public sealed record PlayerDiceStats(string? PlayerId, string Name, IReadOnlyList<DieStats> Dice, int Rolls)
{
    public DieStats? D20 => Dice.FirstOrDefault(d => d is { Faces: 20, Fudge: false });
}

/// <summary>The room's "are my dice cursed?" numbers: everyone first, then each player who rolled.</summary>
public sealed record RoomDiceStats(IReadOnlyList<PlayerDiceStats> Groups, int RollsCounted, int HiddenNotCounted);

/// <summary>
/// Counts every die drawn in a room's history (rerolled, dropped and exploded dice too: each is one fair draw; both
/// d20s of advantage), per die size and per player. Pure. Hidden rolls count only for viewers who may see them
/// (the DM, and the roller), exactly as the feed shows them.
/// </summary>
public static partial class DiceStats
{
    [GeneratedRegex(@"^-?\d+d(?<sides>\d+|F)")]
    private static partial Regex DiceNotation();

    public static RoomDiceStats Compute(IEnumerable<Roll> rolls, string? viewerPlayerId)
    {
        ArgumentNullException.ThrowIfNull(rolls);
        var everyone = new Dictionary<(int, bool), long[]>();
        var perPlayer = new Dictionary<string, (string Name, Dictionary<(int, bool), long[]> Dice, int Rolls)>(StringComparer.Ordinal);
        int counted = 0, hidden = 0;
        foreach (var roll in rolls.OrderBy(r => r.Sequence))
        {
            if (!roll.IsVisibleTo(viewerPlayerId))
            {
                hidden++;
                continue;
            }

            counted++;
            var player = perPlayer.TryGetValue(roll.PlayerId, out var p) ? p : (roll.PlayerName, new Dictionary<(int, bool), long[]>(), 0);
            perPlayer[roll.PlayerId] = (roll.PlayerName, player.Item2, player.Item3 + 1);
            foreach (var term in roll.DisplayTerms)
            {
                if (term.Dice.Count == 0 || DiceNotation().Match(term.Notation) is not { Success: true } match)
                {
                    continue;
                }

                var fudge = match.Groups["sides"].Value == "F";
                var faces = fudge ? 3 : int.Parse(match.Groups["sides"].Value, CultureInfo.InvariantCulture);
                var min = fudge ? -1 : 1;
                foreach (var die in term.Dice)
                {
                    var index = die.Value - min;
                    if (index < 0 || index >= faces)
                    {
                        continue;
                    }

                    Slot(everyone, faces, fudge)[index]++;
                    Slot(player.Item2, faces, fudge)[index]++;
                }
            }
        }

        var groups = new List<PlayerDiceStats> { new(null, "Everyone", Sizes(everyone), counted) };
        groups.AddRange(perPlayer.OrderBy(p => p.Value.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PlayerDiceStats(p.Key, p.Value.Name, Sizes(p.Value.Dice), p.Value.Rolls)));
        return new RoomDiceStats(groups, counted, hidden);
    }

    private static long[] Slot(Dictionary<(int, bool), long[]> dice, int faces, bool fudge) =>
        dice.TryGetValue((faces, fudge), out var counts) ? counts : dice[(faces, fudge)] = new long[faces];

    private static List<DieStats> Sizes(Dictionary<(int Faces, bool Fudge), long[]> dice) =>
        dice.OrderBy(d => d.Key.Fudge).ThenBy(d => d.Key.Faces).Select(d => new DieStats(d.Key.Faces, d.Key.Fudge, d.Value)).ToList();
}

/// <summary>An SVG bar chart of one <see cref="DieStats"/>: one bar per face and a line at the expected count.</summary>
public sealed record DiceChart(DieStats Stats)
{
    public const int Height = 160;
    public const int Top = 12;
    public const int Bottom = 22;
    public const int Left = 36;

    public int BarWidth => Stats.Faces <= 12 ? 28 : Stats.Faces <= 20 ? 20 : 6;

    public int Gap => Stats.Faces <= 20 ? 4 : 1;

    public int Width => Left + (Stats.Faces * (BarWidth + Gap)) + 8;

    /// <summary>The y axis runs to a round number at or above the largest count and the expected count.</summary>
    public long Scale
    {
        get
        {
            var max = Math.Max(Stats.Counts.DefaultIfEmpty(0).Max(), (long)Math.Ceiling(Stats.Expected));
            return Math.Max(1, max);
        }
    }

    private double PlotHeight => Height - Top - Bottom;

    public double BarX(int index) => Left + (index * (BarWidth + Gap)) + (Gap / 2.0);

    public double BarHeight(int index) => PlotHeight * Stats.Counts[index] / Scale;

    public double BarY(int index) => Top + PlotHeight - BarHeight(index);

    public double ExpectedY => Top + PlotHeight - (PlotHeight * Stats.Expected / Scale);

    public double Baseline => Top + PlotHeight;

    /// <summary>Which faces get a label under their bar (all up to a d20, then every tenth).</summary>
    public bool Labelled(int index) => Stats.Faces <= 20 || (index + 1) % 10 == 0 || index == 0;

    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
