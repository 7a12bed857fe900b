namespace DiceRoller.Tests.E2E;

public static class FeedAssert
{
    /// <summary>Each roll once, newest first, sequence numbers one apart (no gap, no duplicate).</summary>
    public static void NewestFirstWithoutGaps(IReadOnlyList<FeedRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var duplicates = rows.GroupBy(r => r.RollId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"Rolls shown more than once: {string.Join(", ", duplicates)}");
        var sequences = rows.Select(r => r.Sequence).ToList();
        for (var i = 1; i < sequences.Count; i++)
        {
            Assert.True(sequences[i] == sequences[i - 1] - 1,
                $"Feed sequences top to bottom should count down by one, but are: {string.Join(", ", sequences)}");
        }
    }
}
