using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using DiceRoller.Live;

namespace DiceRoller.Tests.Live;

/// <summary>The app's SSE writer sends the same bytes as the framework's formatter (System.Net.ServerSentEvents).</summary>
public sealed class SseStreamResultTests
{
    public static TheoryData<string, string?, string?, int?> Events => new()
    {
        { "<li>one line</li>", "roll", "7", null },
        { "ok", "connected", null, 2000 },
        { "<div>\n  <p>two</p>\n</div>\n", "roster", null, null },
        { "crlf\r\nline\rlone cr\n\nblank line above", "notice", "12", 1500 },
        { "", "reload", null, null },
        { "ünïcödé <b>ß</b>", "dc", "3", null },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task An_event_is_written_byte_for_byte_as_the_framework_writes_it(string data, string? type, string? id, int? retryMs)
    {
        var item = new SseItem<byte[]>(Encoding.UTF8.GetBytes(data), type)
        {
            EventId = id,
            ReconnectionInterval = retryMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        };

        using var expected = new MemoryStream();
        await SseFormatter.WriteAsync(One(item), expected, (e, writer) => writer.Write(e.Data));
        using var actual = new MemoryStream();
        var pipe = PipeWriter.Create(actual);
        SseStreamResult.Format(pipe, item);
        await pipe.FlushAsync();

        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(actual.ToArray()));
    }

    private static async IAsyncEnumerable<SseItem<byte[]>> One(SseItem<byte[]> item)
    {
        await Task.Yield();
        yield return item;
    }
}
