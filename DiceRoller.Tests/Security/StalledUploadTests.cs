using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AngleSharp.Html.Parser;
using DiceRoller.Tests.E2E;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Security;

/// <summary>
/// Clients that send a form's headers and then stall the body must not freeze the app: forms are read
/// asynchronously, so a stalled upload holds a socket, not a thread. Needs the real Kestrel on a port.
/// </summary>
public sealed class StalledUploadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int StalledSockets = 200;
    private AppServer _server = null!;

    public async Task InitializeAsync() => _server = await AppServer.StartAsync(Stores.Embedded);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_hundred_stalled_uploads_leave_health_and_rolls_fast()
    {
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var player = new HttpClient(handler) { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var token = await TokenAsync(player, "/");
        using var create = await player.PostAsync("/rooms", Form(("player_name", "Alice"), ("mode", "open"), ("__RequestVerificationToken", token)));
        Assert.Equal(HttpStatusCode.SeeOther, create.StatusCode);
        var room = create.Headers.Location!.ToString();
        token = await TokenAsync(player, room);

        using var health = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var before = await TimeAsync(() => health.GetAsync("/api/health"));
        var rollBefore = await TimeAsync(() => RollAsync(player, room, token));

        var antiforgeryCookie = string.Join("; ", cookies.GetCookies(_server.BaseAddress).Select(c => $"{c.Name}={c.Value}"));
        var headers = Encoding.ASCII.GetBytes($"POST /rooms HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\n" +
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 50000\r\n" +
            $"RequestVerificationToken: {token}\r\nCookie: {antiforgeryCookie}\r\n\r\nplayer_name=");

        // The attack and the probes run on a dedicated thread with blocking calls: the app shares this process's thread
        // pool, so a starved pool shows up in the server's answers, not in the test's own continuations.
        var (healthTimes, rollTimes) = await Task.Factory.StartNew(() =>
        {
            var sockets = new List<Socket>();
            try
            {
                for (var i = 0; i < StalledSockets; i++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    socket.Connect(IPAddress.Loopback, _server.BaseAddress.Port);
                    socket.Send(headers);
                }

                var healthTimes = new List<double>();
                var rollTimes = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    healthTimes.Add(Time(health, () => new HttpRequestMessage(HttpMethod.Get, "/api/health")));
                    rollTimes.Add(Time(player, () => RollRequest(room, token)));
                }

                return (healthTimes, rollTimes);
            }
            finally
            {
                foreach (var socket in sockets)
                {
                    socket.Dispose();
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        static string List(List<double> times) =>
            string.Join(", ", times.Select(t => t.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)));
        var healthMedian = healthTimes.Order().ElementAt(2);
        var rollMedian = rollTimes.Order().ElementAt(2);
        output.WriteLine($"Before: health {before:F1} ms, roll {rollBefore:F1} ms.");
        output.WriteLine($"With {StalledSockets} stalled uploads: health {List(healthTimes)} ms (median {healthMedian:F1}); roll {List(rollTimes)} ms (median {rollMedian:F1}).");

        // Medians hold the bounds of the issue. The maxima only catch a frozen app (before the fix health took 18-26 s):
        // a single request on a loaded 2-core CI machine (a GC pause, the scheduler) can take over a second by itself.
        Assert.InRange(healthMedian, 0, 100);
        Assert.InRange(rollMedian, 0, 500);
        Assert.InRange(healthTimes.Max(), 0, 5000);
        Assert.InRange(rollTimes.Max(), 0, 5000);
    }

    private static double Time(HttpClient client, Func<HttpRequestMessage> request)
    {
        using var message = request();
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = client.Send(message);
            Assert.True(response.IsSuccessStatusCode, $"{message.RequestUri} answered {(int)response.StatusCode}");
        }
        catch (TaskCanceledException)
        {
            // No answer within the client's timeout (10 s): the time says enough.
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> TimeAsync(Func<Task<HttpResponseMessage>> request)
    {
        var watch = Stopwatch.StartNew();
        using var response = await request();
        watch.Stop();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}");
        return watch.Elapsed.TotalMilliseconds;
    }

    private static Task<HttpResponseMessage> RollAsync(HttpClient client, string room, string token) => client.SendAsync(RollRequest(room, token));

    private static HttpRequestMessage RollRequest(string room, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{room}/rolls")
        {
            Content = Form(("dice", "1d20"), ("modifier", "0"), ("advantage", "none"), ("__RequestVerificationToken", token)),
        };
        request.Headers.Add("HX-Request", "true");
        return request;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        var document = await new HtmlParser().ParseDocumentAsync(html);
        return document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }
}
