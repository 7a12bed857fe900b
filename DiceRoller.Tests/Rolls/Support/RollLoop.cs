using System.Net;
using System.Text;

namespace DiceRoller.Tests.Rolls.Support;

/// <summary>
/// A room of players, each with the room's event stream open, and a closed loop of rolls for the cost budgets
/// (<c>RollCostBudgetTests</c>, <c>ValkeyRoundTripBudgetTests</c>): each roll is the host's htmx post as the page's form sends it
/// (a fresh request id per tap), its answer read to the end, and then its event read by every stream, before the next is sent.
/// The client side stays small and the same every roll: one request, its answer and the events read into fixed buffers.
/// </summary>
public sealed class RollLoop : IAsyncDisposable
{
    private readonly Table<Browser> _table;
    private readonly List<EventCounter> _streams;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly Uri _url;
    private readonly string _token;
    private int _sent;

    private RollLoop(Table<Browser> table, List<EventCounter> streams, string token)
    {
        _table = table;
        _streams = streams;
        _token = token;
        _url = new Uri($"/rooms/{table.Code}/rolls", UriKind.Relative);
    }

    public string Code => _table.Code;

    /// <summary>An open room of <paramref name="members"/> (host first) with one open stream each.</summary>
    public static async Task<RollLoop> OpenAsync(AppFactory app, int members)
    {
        var table = await Table.Open("P1").Players([.. Enumerable.Range(2, members - 1).Select(i => $"P{i}")]).BuildAsync(app);
        var streams = new List<EventCounter>();
        try
        {
            await table.Host.GetAsync($"/rooms/{table.Code}"); // the roll form's token, as the page gives it
            foreach (var member in table.Everyone)
            {
                streams.Add(await EventCounter.OpenAsync(member.Client, $"/rooms/{table.Code}/events?after=0", "\nevent: roll\n"u8.ToArray()));
            }

            return new RollLoop(table, streams, table.Host.Token!);
        }
        catch
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }

            await table.DisposeAsync();
            throw;
        }
    }

    /// <summary>One roll (1d20+2), answered 200 with its row, and delivered to every stream.</summary>
    public async Task RollAsync()
    {
        var expected = ++_sent;
        var body = $"dice=1d20&modifier=2&advantage=none&request_id=loop{expected:x8}&__RequestVerificationToken={Uri.EscapeDataString(_token)}";
        using var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = new ByteArrayContent(Encoding.ASCII.GetBytes(body)) { Headers = { ContentType = new("application/x-www-form-urlencoded") } },
        };
        request.Headers.Add("HX-Request", "true");
        using var response = await _table.Host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"roll {expected} failed: {(int)response.StatusCode}");
        await using (var content = await response.Content.ReadAsStreamAsync())
        {
            while (await content.ReadAsync(_buffer) > 0)
            {
            }
        }

        foreach (var stream in _streams)
        {
            await stream.WaitForAsync(expected);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams)
        {
            await stream.DisposeAsync();
        }

        await _table.DisposeAsync();
    }

    /// <summary>One member's open event stream, read into one buffer, counting the events of one type as they arrive.</summary>
    private sealed class EventCounter : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly Stream _body;
        private readonly byte[] _pattern;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _arrived = new(0);
        private int _matched;
        private int _count;
        private Task _reading = Task.CompletedTask;

        private EventCounter(HttpResponseMessage response, Stream body, byte[] pattern)
        {
            _response = response;
            _body = body;
            _pattern = pattern;
        }

        public static async Task<EventCounter> OpenAsync(HttpClient client, string url, byte[] pattern)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/event-stream");
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var counter = new EventCounter(response, await response.Content.ReadAsStreamAsync(), pattern);
            counter._reading = counter.ReadAsync();
            return counter;
        }

        /// <summary>Waits until <paramref name="count"/> events have arrived in all (each arrival is signalled once).</summary>
        public async Task WaitForAsync(int count)
        {
            while (Volatile.Read(ref _count) < count)
            {
                if (!await _arrived.WaitAsync(SseReader.DefaultTimeout))
                {
                    throw new TimeoutException($"The stream had {_count} roll events after {SseReader.DefaultTimeout.TotalSeconds:0} s; expected {count}.");
                }
            }
        }

        private async Task ReadAsync()
        {
            try
            {
                int read;
                while ((read = await _body.ReadAsync(_buffer, _stop.Token)) > 0)
                {
                    // A streaming match of the pattern across reads ("\nevent: roll\n": a mismatch can only restart at its first byte).
                    for (var i = 0; i < read; i++)
                    {
                        _matched = _buffer[i] == _pattern[_matched] ? _matched + 1 : _buffer[i] == _pattern[0] ? 1 : 0;
                        if (_matched == _pattern.Length)
                        {
                            _matched = 0;
                            Interlocked.Increment(ref _count);
                            _arrived.Release();
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
            {
                // the stream ended or was closed under the reader
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _reading;
            _stop.Dispose();
            _arrived.Dispose();
        }
    }
}
