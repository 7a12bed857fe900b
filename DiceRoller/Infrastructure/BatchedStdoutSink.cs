using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace DiceRoller.Infrastructure;

/// <summary>
/// The production log's sink: the events of a batch (Serilog's batching, <see cref="Observability"/>) formatted one JSON
/// line each and written to stdout in one write. Serilog's console sink behind the async wrapper wrote and flushed stdout once
/// per event, and its worker woke and spun (a <c>SemaphoreSlim</c> wait, <c>sched_yield</c>) once per event: with a roll's own
/// event on every roll that was about 4% of the app's CPU under load (perf, 800 players). The lines and their format are the
/// same; they reach stdout up to <see cref="Observability.LogBatchTime"/> later, and what is queued is written when the logger
/// is disposed (the host's shutdown).
/// </summary>
internal sealed class BatchedStdoutSink(ITextFormatter formatter, Stream stdout) : IBatchedLogEventSink, IDisposable
{
    private readonly StringWriter _lines = new(new StringBuilder(16 * 1024), CultureInfo.InvariantCulture);
    private byte[] _bytes = new byte[16 * 1024];

    public async Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var text = _lines.GetStringBuilder().Clear();
        foreach (var logEvent in batch)
        {
            formatter.Format(logEvent, _lines);
        }

        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_bytes.Length < length)
        {
            _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
        }

        var written = 0;
        foreach (var chunk in text.GetChunks())
        {
            written += Encoding.UTF8.GetBytes(chunk.Span, _bytes.AsSpan(written));
        }

        await stdout.WriteAsync(_bytes.AsMemory(0, written));
        await stdout.FlushAsync();

        // A batch bigger than usual (a burst of errors) does not keep its buffers, once it is written.
        if (text.Capacity > 256 * 1024)
        {
            text.Clear().Capacity = 16 * 1024;
            _bytes = new byte[16 * 1024];
        }
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;

    public void Dispose() => stdout.Flush();
}
