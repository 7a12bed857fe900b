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
        _app = new AppFactory($"127.0.0.1:{port},connectTimeout=500,syncTimeout=1000,asyncTimeout=1000");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

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
}
