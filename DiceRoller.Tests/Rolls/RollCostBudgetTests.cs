using System.Globalization;
using System.Net;
using System.Text;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// The allocation budget of a roll (issue 22): the bytes the whole process allocates per roll through the whole pipeline
/// in-process, on the embedded store and SQLite: the htmx post through TestServer (antiforgery, the player cookie, the form),
/// RollService, the store, the permalink archive's group commit, the fragment render and the broadcast to every member's open
/// stream, read to the end of the event by each member. A change that makes a roll dearer fails here with the figure.
/// The figure is deterministic enough to assert: the loop is closed (each roll's response and all its deliveries are read
/// before the next is sent, so the archive's writer and every stream have finished their part), the heartbeat is pushed out of
/// the way, and it runs alone (a collection without parallelization: no other test allocates meanwhile). It is the median of
/// several batches; it includes this test's own small client side (a request, reading the answer and the events into one buffer).
/// </summary>
[Collection(RollCostCollection.Name)]
public sealed class RollCostBudgetTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// Bytes allocated per roll, measured (see the class) with ~25% headroom; the lead re-sets it after a measured cut.
    /// Release (scripts/test.sh, CI) and Debug (plain <c>dotnet test</c>: async state machines are classes there) differ.
    /// Measured 2026-12-07: Release TODO, Debug TODO (8 members, 8 streams).
    /// </summary>
#if DEBUG
    private const long AllocatedBytesPerRollBudget = 400_000;
#else
    private const long AllocatedBytesPerRollBudget = 400_000;
#endif

    private const int Members = 8;
    private const int WarmupRolls = 60;
    private const int Batches = 5;
    private const int RollsPerBatch = 40;

    private readonly AppFactory _app = new(settings: new Dictionary<string, string?>
    {
        // No heartbeat or expiry warning inside the measured loop.
        ["Live:HeartbeatInterval"] = "01:00:00",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_roll_through_the_whole_pipeline_to_eight_open_streams_allocates_within_the_budget()
    {
        await using var table = await Table.Open("P1").Players([.. Enumerable.Range(2, Members - 1).Select(i => $"P{i}")]).BuildAsync(_app);
        var roller = table.Host;
        await roller.GetAsync($"/rooms/{table.Code}"); // the roll form's token, as the page gives it
        var streams = new List<EventCounter>();
        try
        {
            foreach (var member in table.Everyone)
            {
                streams.Add(await EventCounter.OpenAsync(member.Client, $"/rooms/{table.Code}/events?after=0", "\nevent: roll\n"u8.ToArray()));
            }

            var post = new RollPoster(roller, table.Code);
            for (var i = 0; i < WarmupRolls; i++)
            {
                await post.RollAsync(streams);
            }

            var perBatch = new List<double>();
            for (var batch = 0; batch < Batches; batch++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < RollsPerBatch; i++)
                {
                    await post.RollAsync(streams);
                }

                perBatch.Add((double)(GC.GetTotalAllocatedBytes(precise: true) - before) / RollsPerBatch);
            }

            var median = perBatch.Order().ElementAt(Batches / 2);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"allocated per roll ({Members} members, {Members} streams, {Configuration}): {median:0} bytes (median of {Batches} batches of {RollsPerBatch}: " +
                $"{string.Join(", ", perBatch.Select(b => b.ToString("0", CultureInfo.InvariantCulture)))}); budget {AllocatedBytesPerRollBudget} bytes"));
            Assert.True(median <= AllocatedBytesPerRollBudget, string.Create(CultureInfo.InvariantCulture,
                $"A roll allocates {median:0} bytes ({Configuration}), over its budget of {AllocatedBytesPerRollBudget}: find what the change added " +
                $"(dotnet-counters / dotnet-trace gc-verbose), or, if it is worth it, raise {nameof(AllocatedBytesPerRollBudget)} and say why."));
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The roller's htmx post, as the page's form sends it (a fresh request id per tap), read to its end into one buffer.</summary>
    private sealed class RollPoster(Browser roller, string code)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private readonly Uri _url = new($"/rooms/{code}/rolls", UriKind.Relative);
        private readonly string _token = roller.Token!;
        private int _sent;

        public async Task RollAsync(List<EventCounter> streams)
        {
            var expected = ++_sent;
            var body = $"dice=1d20&modifier=2&advantage=none&request_id=budget{expected:x8}&__RequestVerificationToken={Uri.EscapeDataString(_token)}";
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Content = new ByteArrayContent(Encoding.ASCII.GetBytes(body)) { Headers = { ContentType = new("application/x-www-form-urlencoded") } },
            };
            request.Headers.Add("HX-Request", "true");
            using var response = await roller.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"roll {expected} failed: {(int)response.StatusCode}");
            await using (var content = await response.Content.ReadAsStreamAsync())
            {
                while (await content.ReadAsync(_buffer) > 0)
                {
                }
            }

            foreach (var stream in streams)
            {
                await stream.WaitForAsync(expected);
            }
        }
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
                    // A streaming match of the pattern, across reads (the pattern has no repeated prefix: "\nevent: roll\n").
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
            catch (OperationCanceledException)
            {
                // disposed
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            try
            {
                await _reading;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException)
            {
                // the stream was closed under the reader
            }

            _stop.Dispose();
            _arrived.Dispose();
        }
    }
}

/// <summary>Tests that measure the whole process (allocations, CPU): xunit runs this collection alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RollCostCollection
{
    public const string Name = "Roll cost (alone)";
}
