using System.Text;

namespace DiceRoller.Tests.Infrastructure;

public sealed record SseEvent(string Type, string? Id, string Data)
{
    private static readonly AngleSharp.Html.Parser.HtmlParser Parser = new();

    /// <summary>The event's data parsed as HTML: its first element (the row, roster or notice the page swaps in).</summary>
    public AngleSharp.Dom.IElement Element() =>
        Parser.ParseFragment(Data, Parser.ParseDocument("").Body!).OfType<AngleSharp.Dom.IElement>().First();
}

/// <summary>Reads a text/event-stream response event by event (comments are collected separately).</summary>
public sealed class SseReader : IAsyncDisposable
{
    /// <summary>
    /// How long a read waits for an expected event unless told otherwise: generous for a loaded 2-core CI machine (a full
    /// suite, Chromium and Valkey beside it); a read that succeeds returns as soon as the event arrives, so this costs
    /// nothing when green. Checks that nothing arrives use <see cref="AssertNoEventAsync"/> with their own window.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    public List<string> Comments { get; } = [];

    public static async Task<SseReader> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event (skipping <paramref name="skipTypes"/>), or an exception after <paramref name="timeout"/>.</summary>
    public async Task<SseEvent> NextAsync(TimeSpan? timeout = null, params string[] skipTypes)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var next = await ReadEventAsync(cts.Token);
            if (!skipTypes.Contains(next.Type))
            {
                return next;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> events of type <paramref name="type"/>, ignoring others.</summary>
    public async Task<List<SseEvent>> NextOfTypeAsync(string type, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            var next = await ReadEventAsync(cts.Token);
            if (next.Type == type)
            {
                events.Add(next);
            }
        }

        return events;
    }

    /// <summary>Fails if any event of <paramref name="type"/> arrives within <paramref name="window"/>.</summary>
    public async Task AssertNoEventAsync(string type, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            while (true)
            {
                var next = await ReadEventAsync(cts.Token);
                Assert.False(next.Type == type, $"unexpected {type} event id={next.Id}");
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException) when (cts.IsCancellationRequested)
        {
            // The in-memory test server reports a cancelled read as an IOException.
        }
    }

    /// <summary>The events that come before the next comment line (a heartbeat), in order: none when the comment comes first.</summary>
    public async Task<List<SseEvent>> EventsUntilCommentAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var events = new List<SseEvent>();
        var comments = Comments.Count;
        while (true)
        {
            var next = await ReadEventAsync(cts.Token, stopOnComment: true);
            if (Comments.Count > comments)
            {
                return events;
            }

            events.Add(next);
        }
    }

    public async Task<string> NextCommentAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var before = Comments.Count;
        while (Comments.Count == before)
        {
            await ReadEventAsync(cts.Token, stopOnComment: true);
        }

        return Comments[^1];
    }

    private async Task<SseEvent> ReadEventAsync(CancellationToken ct, bool stopOnComment = false)
    {
        string? type = null, id = null;
        var data = new StringBuilder();
        var hasData = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (hasData || type is not null)
                {
                    return new SseEvent(type ?? "message", id, data.ToString());
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                Comments.Add(line);
                if (stopOnComment)
                {
                    return new SseEvent("comment", null, line);
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    type = value;
                    break;
                case "id":
                    id = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
