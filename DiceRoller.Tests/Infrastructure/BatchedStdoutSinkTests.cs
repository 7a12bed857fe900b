using System.Text;
using System.Text.Json;
using DiceRoller.Infrastructure;
using Serilog.Events;
using Serilog.Parsing;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The production log's batched stdout sink: every event of a batch is written, one JSON line each, in order, as the
/// production formatter writes it, also for a burst bigger than the buffers it keeps between batches, and the next batch
/// after such a burst too.
/// </summary>
public sealed class BatchedStdoutSinkTests
{
    private static readonly MessageTemplateParser Parser = new();

    private static LogEvent Event(int number, int padding = 0) => new(
        DateTimeOffset.UnixEpoch.AddSeconds(number), LogEventLevel.Information, null,
        Parser.Parse("Roll {Number} {Padding}"),
        [new LogEventProperty("Number", new ScalarValue(number)), new LogEventProperty("Padding", new ScalarValue(new string('x', padding)))]);

    private static List<int> Numbers(MemoryStream stdout) =>
        [.. Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Number").GetInt32())];

    [Fact]
    public async Task A_batch_is_written_one_json_line_per_event_in_order()
    {
        using var stdout = new MemoryStream();
        using var sink = new BatchedStdoutSink(Observability.JsonFormatter, stdout);

        await sink.EmitBatchAsync([Event(1), Event(2), Event(3)]);

        Assert.Equal([1, 2, 3], Numbers(stdout));
    }

    [Fact]
    public async Task A_burst_bigger_than_the_kept_buffers_is_written_whole_and_so_is_the_next_batch()
    {
        using var stdout = new MemoryStream();
        using var sink = new BatchedStdoutSink(Observability.JsonFormatter, stdout);
        var burst = Enumerable.Range(1, 300).Select(n => Event(n, padding: 1_000)).ToList(); // about 330 KB of JSON

        await sink.EmitBatchAsync(burst);
        await sink.EmitBatchAsync([Event(301), Event(302)]);

        Assert.True(stdout.Length > 256 * 1024, $"the burst wrote {stdout.Length} bytes");
        Assert.Equal(Enumerable.Range(1, 302), Numbers(stdout));
    }
}
