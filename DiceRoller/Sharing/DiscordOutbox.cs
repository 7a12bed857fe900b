using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Sharing;

/// <summary>
/// Posts the rolls this app instance announced to their room's Discord webhook, off the roll's critical path:
/// <see cref="Announced"/> only writes to a bounded channel (full: the post is dropped with a warning, the roll is not
/// slowed). A background worker hands each roll to its room's lane; a lane posts its room's rolls one at a time, in order,
/// so rooms never wait for each other's hooks. A post that gets 429 waits Discord's <c>retry_after</c> (or <c>Retry-After</c>)
/// and tries again; 5xx, a timeout or no answer is retried with doubling waits up to <see cref="DiscordOptions.MaxAttempts"/>;
/// any other 4xx (an unknown webhook) is not retried. Failures are recorded for the DM's settings panel.
/// <para>A roll of a room that, as the roll read it, has no webhook (<see cref="RoomSnapshot.SharesRolls"/> false) is not
/// queued at all; for the others the worker reads the room's webhook before posting (off the roll's path).</para>
/// <para>Several app instances: each posts only the rolls (and reveals) it made itself, so every roll is posted once; a room's
/// rolls made on different instances are posted by each in its own order. Posts queued on an instance that stops are lost.</para>
/// </summary>
public sealed partial class DiscordOutbox : BackgroundService, IRollOutbox
{
    public const string HttpClientName = "discord";

    private readonly IRoomSharing _sharing;
    private readonly IHttpClientFactory _clients;
    private readonly PublicUrls _urls;
    private readonly TimeProvider _time;
    private readonly DiscordOptions _options;
    private readonly ILogger<DiscordOutbox> _logger;
    private readonly Channel<Job> _incoming;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<Job>> _lanes = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];

    /// <summary>When each room's last good delivery was recorded (0 after a failure): at most one store write a minute per room.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _okRecordedAt = new(StringComparer.Ordinal);

    private const long OkRecordEveryMs = 60_000;
    private int _pending;

    public DiscordOutbox(IRoomSharing sharing, IHttpClientFactory clients, PublicUrls urls, TimeProvider time, IOptions<DiscordOptions> options,
        ILogger<DiscordOutbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_sharing, _clients, _urls, _time, _options, _logger) = (sharing, clients, urls, time, options.Value, logger);
        _incoming = Channel.CreateBounded<Job>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: the caller never waits
            SingleReader = true,
        });
    }

    /// <summary>A roll to post, and when it was handed over (for <see cref="DiscordOptions.GiveUpAfter"/>).</summary>
    private sealed record Job(Roll Roll, long Queued);

    /// <summary>Posts waiting or being posted on this instance (for tests and the log).</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void Announced(RoomSnapshot room, Roll roll)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(roll);
        if (roll.Hidden && !roll.Revealed)
        {
            return; // a hidden roll is shared when (and if) it is revealed
        }

        if (room.SharesRolls == false)
        {
            // The room as the roll read it has no webhook (Valkey: its meta hash, read with the room): no settings to read, nothing
            // to post. Setting one drops that read on this instance and on every instance following the room (SharingService).
            return;
        }

        if (Interlocked.Increment(ref _pending) > _options.QueueCapacity || !_incoming.Writer.TryWrite(new Job(roll, _time.GetTimestamp())))
        {
            Interlocked.Decrement(ref _pending);
            LogQueueFull(roll.RollId, roll.RoomCode, _options.QueueCapacity);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in _incoming.Reader.ReadAllAsync(stoppingToken))
            {
                var code = job.Roll.RoomCode;
                lock (_gate)
                {
                    if (_lanes.TryGetValue(code, out var lane))
                    {
                        lane.Enqueue(job);
                        continue;
                    }

                    _lanes[code] = new Queue<Job>([job]);
                    Task? run = null;
                    run = Task.Run(async () =>
                    {
                        await RunLaneAsync(code, stoppingToken);
                        lock (_gate)
                        {
                            _running.Remove(run!);
                        }
                    }, CancellationToken.None);
                    _running.Add(run);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }

        Task[] lanes;
        lock (_gate)
        {
            lanes = [.. _running];
        }

        await Task.WhenAll(lanes);
    }

    /// <summary>Posts a room's rolls one after another until its lane is empty, then ends (a new roll starts a new lane).</summary>
    private async Task RunLaneAsync(string code, CancellationToken ct)
    {
        while (true)
        {
            Job? job;
            lock (_gate)
            {
                var lane = _lanes[code];
                if (!lane.TryDequeue(out job) || ct.IsCancellationRequested)
                {
                    _lanes.Remove(code);
                    if (_time.GetUtcNow().ToUnixTimeMilliseconds() - _okRecordedAt.GetValueOrDefault(code) >= OkRecordEveryMs)
                    {
                        _okRecordedAt.TryRemove(code, out _);
                    }

                    Interlocked.Add(ref _pending, -(lane.Count + (job is null ? 0 : 1)));
                    return;
                }
            }

            try
            {
                await PostAsync(job, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // stopping: the lane ends at its next turn
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPostFailed(ex, job.Roll.RollId, code);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task PostAsync(Job job, CancellationToken ct)
    {
        var roll = job.Roll;
        var settings = await _sharing.GetSharingAsync(roll.RoomCode, ct);
        if (settings?.WebhookUrl is not { } url)
        {
            return;
        }

        // Serialized once: every attempt sends the same bytes, with their Content-Length (not chunked: see SendAsync).
        var body = JsonSerializer.SerializeToUtf8Bytes(DiscordEmbeds.For(roll, _urls.Absolute(roll.Permalink)), JsonSerializerOptions.Web);
        var client = _clients.CreateClient(HttpClientName);
        var failures = 0;
        while (true)
        {
            var (outcome, error, wait) = await SendAsync(client, url, body, ct);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            switch (outcome)
            {
                case Outcome.Posted:
                    LogPosted(roll.RollId, roll.RoomCode, _time.GetElapsedTime(job.Queued).TotalMilliseconds);
                    if (now - _okRecordedAt.GetValueOrDefault(roll.RoomCode) >= OkRecordEveryMs)
                    {
                        _okRecordedAt[roll.RoomCode] = now;
                        await _sharing.RecordDeliveryAsync(roll.RoomCode, url, null, now, CancellationToken.None);
                    }

                    return;
                case Outcome.Refused:
                    await GiveUpAsync(roll, url, $"Discord refused roll #{roll.Sequence}: {error}. Check the webhook (it may have been deleted).", now);
                    return;
                case Outcome.Failed:
                    failures++;
                    if (failures >= _options.MaxAttempts)
                    {
                        await GiveUpAsync(roll, url, $"Roll #{roll.Sequence} was not posted after {failures} attempts: {error}.", now);
                        return;
                    }

                    _okRecordedAt[roll.RoomCode] = 0;
                    await _sharing.RecordDeliveryAsync(roll.RoomCode, url, $"{error} (attempt {failures}; retrying)", now, CancellationToken.None);
                    var backoff = _options.RetryDelay * Math.Pow(2, failures - 1);
                    wait = backoff < _options.MaxRetryDelay ? backoff : _options.MaxRetryDelay;
                    break;
                case Outcome.RateLimited:
                    LogRateLimited(roll.RoomCode, wait.TotalMilliseconds);
                    break;
            }

            if (_time.GetElapsedTime(job.Queued) + wait > _options.GiveUpAfter)
            {
                await GiveUpAsync(roll, url, $"Roll #{roll.Sequence} was not posted within {_options.GiveUpAfter.TotalMinutes:0.#} minutes: {error}.", now);
                return;
            }

            await Task.Delay(wait, _time, ct);
        }
    }

    private async Task GiveUpAsync(Roll roll, string url, string error, long now)
    {
        LogGaveUp(roll.RollId, roll.RoomCode, error);
        _okRecordedAt[roll.RoomCode] = 0;
        await _sharing.RecordDeliveryAsync(roll.RoomCode, url, error, now, CancellationToken.None);
    }

    private enum Outcome
    {
        Posted,
        RateLimited,
        Failed,
        Refused,
    }

    /// <summary>
    /// One post: its outcome, a short error for the DM (never the URL: it holds the token), and Discord's wait on a 429. The
    /// JSON goes as bytes with a Content-Length (<c>PostAsJsonAsync</c> streams it chunked, which some proxies and Discord's
    /// edge refuse or slow down).
    /// </summary>
    private async Task<(Outcome Outcome, string Error, TimeSpan Wait)> SendAsync(HttpClient client, string url, byte[] body, CancellationToken ct)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await client.PostAsync(url, content, ct);
            if (response.IsSuccessStatusCode)
            {
                return (Outcome.Posted, "", TimeSpan.Zero);
            }

            var status = (int)response.StatusCode;
            var (detail, retryAfter) = await ReadErrorAsync(response, ct);
            var error = $"{status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}{(detail is null ? "" : ": " + detail)}";
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var header = response.Headers.RetryAfter is { } h ? h.Delta ?? (h.Date - _time.GetUtcNow()) : null;
                // Discord sends both: the body's retry_after (seconds, a float) is the precise one, the header its whole seconds.
                var wait = retryAfter ?? header ?? _options.RetryDelay;
                return (Outcome.RateLimited, error, wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
            }

            return (status >= 500 ? Outcome.Failed : Outcome.Refused, error, TimeSpan.Zero);
        }
        catch (HttpRequestException ex)
        {
            return (Outcome.Failed, "no answer (" + (ex.HttpRequestError == HttpRequestError.Unknown ? ex.GetType().Name : ex.HttpRequestError.ToString()) + ")", TimeSpan.Zero);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (Outcome.Failed, $"no answer within {_options.Timeout.TotalSeconds:0.#} s", TimeSpan.Zero);
        }
    }

    /// <summary>Discord's error body: <c>{"message": "...", "retry_after": 1.5}</c> (seconds, a float); anything else is ignored.</summary>
    private static async Task<(string? Message, TimeSpan? RetryAfter)> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (body.Length == 0 || body.Length > 16_384)
            {
                return (null, null);
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            TimeSpan? retryAfter = root.TryGetProperty("retry_after", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetDouble(out var seconds)
                && double.IsFinite(seconds) && seconds >= 0 && seconds < 86_400
                ? TimeSpan.FromSeconds(seconds)
                : null;
            return (message is { Length: > 200 } ? message[..200] : message, retryAfter);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord queue full ({Capacity}): roll {RollId} in {RoomCode} is not posted")]
    private partial void LogQueueFull(string rollId, string roomCode, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Roll {RollId} in {RoomCode} posted to Discord {LatencyMs:0.0} ms after it was made")]
    private partial void LogPosted(string rollId, string roomCode, double latencyMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord rate-limited {RoomCode}'s webhook: waiting {WaitMs:0} ms")]
    private partial void LogRateLimited(string roomCode, double waitMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roll {RollId} in {RoomCode} not posted to Discord: {Error}")]
    private partial void LogGaveUp(string rollId, string roomCode, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Posting roll {RollId} in {RoomCode} to Discord failed")]
    private partial void LogPostFailed(Exception exception, string rollId, string roomCode);
}
