using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DiceRoller.Tests.Sharing.Support;

/// <summary>
/// A stand-in for Discord's webhook endpoint on a free loopback port (Kestrel): it checks each post's JSON against the
/// shape Discord takes (one embed with title, url, author, fields, footer, timestamp; no mentions), and answers what the
/// test scripts for the next request (a 429 with <c>retry_after</c>, a 5xx, a 404, a stall until released), else 204.
/// Every request is recorded with its arrival time; the accepted ones (2xx) are <see cref="Accepted"/>.
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> _script = new();
    private readonly List<Post> _accepted = [];
    private readonly List<string> _problems = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Post(string RollId, string Room, long Sequence, JsonElement Embed, long ArrivedAt);

    /// <summary>How a request's body came: its <c>Content-Length</c> (null when none), its <c>Transfer-Encoding</c>, the bytes read.</summary>
    public sealed record Framing(long? ContentLength, string? TransferEncoding, long BodyBytes);

    private readonly List<Framing> _framings = [];

    private FakeDiscord(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The webhook URL the app is given (a loopback host, listed in <c>Discord:AllowedHosts</c> by the test).</summary>
    public string WebhookUrl => BaseUrl + "/api/webhooks/123456789012345678/fake-TOKEN_for-tests";

    public int Requests;

    public static async Task<FakeDiscord> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeDiscord(app);
        app.MapPost("/api/webhooks/{id}/{token}", fake.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    /// <summary>The posts Discord would have shown, in arrival order.</summary>
    public IReadOnlyList<Post> Accepted
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted];
            }
        }
    }

    /// <summary>Every request's framing, in arrival order (the scripted failures' too).</summary>
    public IReadOnlyList<Framing> Framings
    {
        get
        {
            lock (_gate)
            {
                return [.. _framings];
            }
        }
    }

    /// <summary>What did not match Discord's shape (empty when every post was well-formed).</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_gate)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>The next request gets 429 with <c>{"retry_after": seconds}</c> (and the header, when given).</summary>
    public void RateLimitNext(double retryAfterSeconds, string? header = null) => _script.Enqueue(async context =>
    {
        context.Response.StatusCode = 429;
        if (header is not null)
        {
            context.Response.Headers.RetryAfter = header;
        }

        await context.Response.WriteAsJsonAsync(new { message = "You are being rate limited.", retry_after = retryAfterSeconds, global = false });
        return false;
    });

    /// <summary>The next request gets <paramref name="status"/> (5xx or 4xx) with Discord's error body.</summary>
    public void FailNext(int status, string message = "Service Unavailable", int code = 0) => _script.Enqueue(async context =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { message, code });
        return false;
    });

    /// <summary>The next request waits until <paramref name="release"/> completes, then is accepted; <paramref name="holding"/> completes when it is held.</summary>
    public void StallNext(Task release, TaskCompletionSource holding) => _script.Enqueue(async _ =>
    {
        holding.TrySetResult();
        await release;
        return true;
    });

    /// <summary>Waits until <paramref name="condition"/> holds for the accepted posts (a signal per request, no polling delay).</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<Post>, bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(_accepted))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The fake Discord got {Accepted.Count} posts in {timeout}; the condition still does not hold. Problems: {string.Join("; ", Problems)}");
            }
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        Interlocked.Increment(ref Requests);
        using var bytes = new MemoryStream();
        await context.Request.Body.CopyToAsync(bytes);
        var transferEncoding = context.Request.Headers.TransferEncoding.ToString();
        lock (_gate)
        {
            _framings.Add(new Framing(context.Request.ContentLength, transferEncoding.Length == 0 ? null : transferEncoding, bytes.Length));
        }

        bytes.Position = 0;
        using var body = await JsonDocument.ParseAsync(bytes);
        var root = body.RootElement.Clone();
        var accept = !_script.TryDequeue(out var scripted) || await scripted(context);
        var problems = Check(root, context.Request.ContentType);
        lock (_gate)
        {
            _problems.AddRange(problems);
            if (accept && problems.Count == 0)
            {
                var embed = root.GetProperty("embeds")[0];
                var rollId = embed.GetProperty("url").GetString()!.Split('/')[^1];
                var footer = embed.GetProperty("footer").GetProperty("text").GetString()!;
                var room = footer.Split(' ')[1];
                var sequence = long.Parse(footer.Split('#')[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                _accepted.Add(new Post(rollId, room, sequence, embed, Stopwatch.GetTimestamp()));
            }

            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (accept)
        {
            context.Response.StatusCode = problems.Count == 0 ? 204 : 400;
        }
    }

    /// <summary>The parts of Discord's "Execute Webhook" body the app must send, with their types and limits.</summary>
    private static List<string> Check(JsonElement root, string? contentType)
    {
        var problems = new List<string>();
        void Expect(bool ok, string what)
        {
            if (!ok)
            {
                problems.Add(what);
            }
        }

        Expect(contentType?.StartsWith("application/json", StringComparison.Ordinal) == true, "content type is not application/json");
        Expect(root.TryGetProperty("allowed_mentions", out var mentions) && mentions.GetProperty("parse").GetArrayLength() == 0, "mentions are not off");
        if (!root.TryGetProperty("embeds", out var embeds) || embeds.ValueKind != JsonValueKind.Array || embeds.GetArrayLength() != 1)
        {
            problems.Add("not exactly one embed");
            return problems;
        }

        var embed = embeds[0];
        Expect(embed.TryGetProperty("title", out var title) && title.GetString() is { Length: > 0 and <= 256 }, "title missing or over 256");
        Expect(embed.TryGetProperty("url", out var url) && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var link) && link.AbsolutePath.StartsWith("/roll/", StringComparison.Ordinal),
            "url is not an absolute permalink");
        Expect(embed.TryGetProperty("author", out var author) && author.GetProperty("name").GetString() is { Length: > 0 }, "author missing");
        Expect(embed.TryGetProperty("color", out var color) && color.ValueKind == JsonValueKind.Number, "color missing");
        Expect(embed.TryGetProperty("timestamp", out var at) && DateTimeOffset.TryParse(at.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _), "timestamp missing");
        Expect(embed.TryGetProperty("footer", out var footer) && footer.GetProperty("text").GetString()?.Contains('#', StringComparison.Ordinal) == true, "footer missing");
        if (embed.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
        {
            var names = fields.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
            Expect(names.Contains("Dice") && names.Contains("Total"), "fields lack Dice or Total");
            Expect(fields.EnumerateArray().All(f => f.GetProperty("value").GetString() is { Length: > 0 and <= 1024 }), "a field value is empty or over 1024");
        }
        else
        {
            problems.Add("fields missing");
        }

        return problems;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
