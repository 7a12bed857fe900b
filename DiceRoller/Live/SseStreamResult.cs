using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace DiceRoller.Live;

/// <summary>
/// A Server-Sent Events response (the same bytes and headers as <c>TypedResults.ServerSentEvents</c>) that formats each
/// event straight into the response's pipe, whose pooled blocks go back to Kestrel once the event is sent. The framework's
/// result formats through two buffers per stream that grow to the stream's largest event (a room's roster or door, a few KB)
/// and stay rented for the stream's whole life: with thousands of idle room pages open that was most of their memory.
/// </summary>
internal sealed class SseStreamResult(IAsyncEnumerable<SseItem<byte[]>> events) : IResult
{
    private static ReadOnlySpan<byte> EventPrefix => "event: "u8;

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> IdPrefix => "id: "u8;

    private static ReadOnlySpan<byte> RetryPrefix => "retry: "u8;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        var writer = response.BodyWriter;
        await foreach (var item in events.WithCancellation(httpContext.RequestAborted))
        {
            Format(writer, item);
            // Each event goes out at once: the page shows it live.
            var flushed = await writer.FlushAsync(httpContext.RequestAborted);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>One event: its type, its data line by line (CR, LF and CRLF all end a line), its id and retry hint, a blank line.</summary>
    internal static void Format(PipeWriter writer, SseItem<byte[]> item)
    {
        writer.Write(EventPrefix);
        Encoding.UTF8.GetBytes(item.EventType, writer);
        writer.Write("\n"u8);

        ReadOnlySpan<byte> data = item.Data ?? [];
        while (true)
        {
            writer.Write(DataPrefix);
            var end = data.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                writer.Write(data);
                writer.Write("\n"u8);
                break;
            }

            writer.Write(data[..end]);
            writer.Write("\n"u8);
            var next = end + 1;
            if (data[end] == '\r' && next < data.Length && data[next] == '\n')
            {
                next++;
            }

            data = data[next..];
        }

        if (item.EventId is { } id)
        {
            writer.Write(IdPrefix);
            Encoding.UTF8.GetBytes(id, writer);
            writer.Write("\n"u8);
        }

        if (item.ReconnectionInterval is { } retry)
        {
            writer.Write(RetryPrefix);
            var span = writer.GetSpan(20);
            ((long)retry.TotalMilliseconds).TryFormat(span, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
            writer.Advance(written);
            writer.Write("\n"u8);
        }

        writer.Write("\n"u8);
    }
}
