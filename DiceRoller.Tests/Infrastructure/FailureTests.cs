using System.Net;
using System.Net.Sockets;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>What people see when Valkey is out of reach: a clear 503, never a stack trace, and an honest health check.</summary>
public sealed class FailureTests : IAsyncLifetime
{
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        // A port nothing listens on: the app starts (it subscribes in the background) but every Valkey call fails.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _valkey = $"127.0.0.1:{port},connectTimeout=500,syncTimeout=1000,asyncTimeout=1000";

        // The form token's keys in a folder, so the room store's failure is what a post meets (see the last test for the ring in Valkey).
        _app = new AppFactory(_valkey, new Dictionary<string, string?>
        {
            ["DataProtection:KeyRing"] = "folder",
            ["DataProtection:KeysFolder"] = _keys,
        });
        return Task.CompletedTask;
    }

    private readonly string _keys = Directory.CreateTempSubdirectory("diceroller-keys-").FullName;
    private string _valkey = "";

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task Creating_a_room_while_valkey_is_down_is_a_503_with_a_clear_message()
    {
        using var browser = _app.NewBrowser();

        var page = await browser.PostAsync("/rooms", ("player_name", "Alice"), ("mode", "open"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("SERVICE_UNAVAILABLE", page.ErrorCode);
        Assert.DoesNotContain("Exception", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_says_unhealthy_when_valkey_is_down()
    {
        using var response = await _app.CreateClient().GetAsync("/api/health");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("disconnected", json.RootElement.GetProperty("services").GetProperty("valkey").GetString());
        Assert.Equal("connected", json.RootElement.GetProperty("services").GetProperty("database").GetString());
    }

    [Fact]
    public async Task An_instance_started_while_valkey_is_down_answers_its_pages_with_a_503_and_a_clear_message()
    {
        // The Data Protection ring (form tokens) lives in Valkey: without it no form can be served, and the page says so.
        await using var app = new AppFactory(_valkey);
        using var browser = app.NewBrowser();

        var page = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.Status);
        Assert.Equal("SERVICE_UNAVAILABLE", page.ErrorCode);
        Assert.DoesNotContain("Exception", page.Body, StringComparison.Ordinal);
    }
}
