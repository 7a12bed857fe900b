using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DiceRoller.Bench;

/// <summary>One roll as one member's stream received it.</summary>
internal readonly record struct Arrival(string RollId, long Sequence, long Timestamp);

internal sealed class BenchRoom(int index)
{
    public int Index { get; } = index;

    public string Code { get; set; } = "";

    public List<BenchPlayer> Members { get; } = [];

    /// <summary>Roll id -> intended send time (Stopwatch ticks), for every roll the server confirmed.</summary>
    public ConcurrentDictionary<string, long> Sent { get; } = new(StringComparer.Ordinal);
}

internal sealed class BenchPlayer(int index, BenchRoom room, HttpClient http, HttpMessageInvoker invoker)
{
    public int Index { get; } = index;

    public string Name { get; } = "P" + index.ToString(CultureInfo.InvariantCulture);

    public BenchRoom Room { get; } = room;

    public HttpClient Http { get; } = http;

    public HttpMessageInvoker Invoker { get; } = invoker;

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public string? Token { get; set; }

    /// <summary>Appended only by this player's stream reader.</summary>
    public List<Arrival> Arrivals { get; } = [];

    /// <summary>How many of <see cref="Arrivals"/> came from the warm-up, and the last sequence among them.</summary>
    public int WarmupArrivals { get; set; }

    public long WarmupSequence { get; set; }

    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public object? Connection { get; set; }

    public string CookieHeader => string.Join("; ", Cookies.Select(c => c.Key + "=" + c.Value));

    public void Remember(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            return;
        }

        foreach (var value in values)
        {
            var pair = value.Split(';', 2)[0];
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                Cookies[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
            }
        }
    }
}

/// <summary>How the generator talks to one kind of server: make a room, join it, hold its stream, roll.</summary>
internal interface IProtocol
{
    Task CreateRoomAsync(BenchPlayer creator, CancellationToken ct);

    Task JoinAsync(BenchPlayer player, CancellationToken ct);

    /// <summary>Opens the player's stream; completes <see cref="BenchPlayer.Connected"/> once it is live, then reads until cancelled.</summary>
    Task StreamAsync(BenchPlayer player, Action<BenchPlayer, Arrival> onRoll, CancellationToken ct);

    /// <summary>Rolls; the server's id of the roll, or null when it refused or failed.</summary>
    Task<string?> RollAsync(BenchPlayer player, CancellationToken ct);
}

/// <summary>
/// DiceRoller through its HTML contract: forms with antiforgery tokens, cookies, the SSE stream, htmx roll posts. With
/// several app instances, player N talks only to instance N mod count, so a room's players spread over all of them.
/// </summary>
internal sealed partial class DiceRollerProtocol(IReadOnlyList<Uri> instances) : IProtocol
{
    public DiceRollerProtocol(Uri baseUri)
        : this([baseUri])
    {
    }

    private Uri At(BenchPlayer player, string path) => new(instances[player.Index % instances.Count], path);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("data-roll-id=\"([^\"]+)\"")]
    private static partial Regex RollIdPattern();

    public async Task CreateRoomAsync(BenchPlayer creator, CancellationToken ct)
    {
        await LoadFormAsync(creator, "/", ct);
        var location = await PostFormAsync(creator, "/rooms", new() { ["player_name"] = creator.Name, ["mode"] = "open" }, ct);
        creator.Room.Code = location.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        await LoadFormAsync(creator, location, ct);
    }

    public async Task JoinAsync(BenchPlayer player, CancellationToken ct)
    {
        await LoadFormAsync(player, "/join", ct);
        var location = await PostFormAsync(player, "/join", new() { ["room_code"] = player.Room.Code, ["player_name"] = player.Name }, ct);
        await LoadFormAsync(player, location, ct);
    }

    public async Task StreamAsync(BenchPlayer player, Action<BenchPlayer, Arrival> onRoll, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, At(player, $"/rooms/{player.Room.Code}/events"));
        request.Headers.Add("Cookie", player.CookieHeader);
        request.Headers.Add("Accept", "text/event-stream");
        using var response = await player.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        await SseReader.ReadAsync(stream, (type, id, data) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (type == "connected")
            {
                player.Connected.TrySetResult();
            }
            else if (type == "roll")
            {
                var rollId = RollIdPattern().Match(data).Groups[1].Value;
                onRoll(player, new Arrival(rollId, long.Parse(id ?? "0", CultureInfo.InvariantCulture), now));
            }
        }, ct);
    }

    public async Task<string?> RollAsync(BenchPlayer player, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, At(player, $"/rooms/{player.Room.Code}/rolls"));
        request.Headers.Add("Cookie", player.CookieHeader);
        request.Headers.Add("HX-Request", "true");
        request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = player.Token ?? "",
            ["dice"] = "1d20",
            ["request_id"] = Guid.NewGuid().ToString("N"),
        });
        using var response = await player.Http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var match = RollIdPattern().Match(await response.Content.ReadAsStringAsync(ct));
        return match.Success ? match.Groups[1].Value : null;
    }

    private async Task LoadFormAsync(BenchPlayer player, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, At(player, path));
        if (player.Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", player.CookieHeader);
        }

        using var response = await player.Http.SendAsync(request, ct);
        player.Remember(response);
        var html = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }

        var token = TokenPattern().Match(html);
        player.Token = token.Success ? System.Net.WebUtility.HtmlDecode(token.Groups[1].Value) : player.Token;
    }

    private async Task<string> PostFormAsync(BenchPlayer player, string path, Dictionary<string, string> fields, CancellationToken ct)
    {
        fields["__RequestVerificationToken"] = player.Token ?? "";
        using var request = new HttpRequestMessage(HttpMethod.Post, At(player, path)) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Cookie", player.CookieHeader);
        using var response = await player.Http.SendAsync(request, ct);
        player.Remember(response);
        if ((int)response.StatusCode != 303 || response.Headers.Location is null)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            var code = Regex.Match(body, "data-error-code=\"([^\"]+)\"").Groups[1].Value;
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode} {code}");
        }

        return response.Headers.Location.OriginalString;
    }
}

/// <summary>The bare SSE broadcaster (bench/BareSse): JSON in, SSE out, no cookies.</summary>
internal sealed class BareProtocol(Uri baseUri) : IProtocol
{
    public async Task CreateRoomAsync(BenchPlayer creator, CancellationToken ct)
    {
        using var response = await creator.Http.PostAsync(new Uri(baseUri, "/rooms"), null, ct);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(ct);
        creator.Room.Code = created!["code"];
    }

    public Task JoinAsync(BenchPlayer player, CancellationToken ct) => Task.CompletedTask;

    public async Task StreamAsync(BenchPlayer player, Action<BenchPlayer, Arrival> onRoll, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"/rooms/{player.Room.Code}/events?player={player.Name}"));
        using var response = await player.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        await SseReader.ReadAsync(stream, (type, id, data) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (type == "connected")
            {
                player.Connected.TrySetResult();
            }
            else if (type == "roll")
            {
                using var json = JsonDocument.Parse(data);
                onRoll(player, new Arrival(json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("seq").GetInt64(), now));
            }
        }, ct);
    }

    public async Task<string?> RollAsync(BenchPlayer player, CancellationToken ct)
    {
        using var response = await player.Http.PostAsync(new Uri(baseUri, $"/rooms/{player.Room.Code}/rolls?player={player.Name}"), null, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.GetProperty("id").GetString();
    }
}
