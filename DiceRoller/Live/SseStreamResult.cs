using System.Buffers;
using System.IO.Pipelines;
using System.Net.ServerSentEvents;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace DiceRoller.Live;

/// <summary>
/// A Server-Sent Events response (the same bytes and headers as <c>TypedResults.ServerSentEvents</c>) that formats each
/// event straight into the response's pipe, whose pooled blocks go back to Kestrel once the event is sent. The framework's
/// result formats through two buffers per stream that grow to the stream's largest event (a room's roster or door, a few KB)
/// and stay rented for the stream's whole life: with thousands of idle room pages open that was most of their memory.
/// A write that waits longer than <paramref name="stalledAfter"/> for the reader (which happens only once the stream's unsent
/// bytes pass Kestrel's response buffer) cuts the stream off: a frozen tab holds a bounded buffer for a bounded time.
/// </summary>
internal sealed class SseStreamResult(IAsyncEnumerable<SseItem<byte[]>> events, TimeSpan stalledAfter, TimeProvider time) : IResult
{
    /// <summary>The kernel send buffer of a stream's own connection (Linux doubles it for bookkeeping).</summary>
    internal const int SocketSendBuffer = 16 * 1024;

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
        BoundSocketBuffer(httpContext);

        var writer = response.BodyWriter;
        await foreach (var item in events.WithCancellation(httpContext.RequestAborted))
        {
            Format(writer, item);
            // Each event goes out at once: the page shows it live.
            if (!await FlushOrCutAsync(httpContext, stalledAfter, time))
            {
                return;
            }
        }
    }

    /// <summary>
    /// On a connection of its own (HTTP/1.x), the stream's socket gets a small, set send buffer: the kernel's autotuning would let a
    /// reader that never reads swallow megabytes (on loopback about 4 MB) before any write waits, so a frozen tab was never noticed.
    /// With it a stream holds at most this plus Kestrel's response buffer (64 KB) unsent.
    /// </summary>
    private static void BoundSocketBuffer(HttpContext httpContext)
    {
        if (!HttpMethods.IsGet(httpContext.Request.Method) || !(HttpProtocol.IsHttp11(httpContext.Request.Protocol) || HttpProtocol.IsHttp10(httpContext.Request.Protocol)))
        {
            return;
        }

        if (httpContext.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.SendBufferSize = SocketSendBuffer;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The connection is going away; the stream ends on its own.
            }
        }
    }

    /// <summary>
    /// Flushes the response; false when the stream ended, or when its reader took longer than <paramref name="stalledAfter"/>
    /// (the connection is then aborted, which ends the request and frees its place). Only this stream's request waits.
    /// </summary>
    internal static async Task<bool> FlushOrCutAsync(HttpContext httpContext, TimeSpan stalledAfter, TimeProvider time)
    {
        var flush = httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        if (flush.IsCompletedSuccessfully)
        {
            var done = flush.Result;
            return !done.IsCompleted && !done.IsCanceled;
        }

        try
        {
            var flushed = await flush.AsTask().WaitAsync(stalledAfter, time);
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        catch (TimeoutException)
        {
            httpContext.Abort();
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
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
