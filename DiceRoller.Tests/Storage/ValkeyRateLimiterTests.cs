using System.Net;
using System.Net.Sockets;
using DiceRoller.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiceRoller.Tests.Storage;

/// <summary>What a limiter does when its Valkey shard cannot be reached.</summary>
public sealed class ValkeyRateLimiterTests
{
    [Fact]
    public async Task A_global_limit_whose_shard_is_down_lets_the_request_through_but_a_rooms_roll_limit_fails_with_its_room()
    {
        // Nothing listens on this port: every command fails, as on a dead shard.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200,asyncTimeout=2000");
        var limiter = new ValkeyRateLimiter(redis, Options.Create(new ValkeyOptions { GlobalLimitTimeout = TimeSpan.FromMilliseconds(200) }),
            NullLogger<ValkeyRateLimiter>.Instance);

        var join = await limiter.TryAcquireAsync("join:203.0.113.7", 1, TimeSpan.FromMinutes(1));

        Assert.True(join.Allowed);
        await Assert.ThrowsAnyAsync<RedisException>(() => limiter.TryAcquireAsync("roll:ALPHA-1234:player", 10, TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("roll:ALPHA-1234:p1", "room:{ALPHA-1234}:rate:roll:p1")]
    [InlineData("join:203.0.113.7", "rate:join:203.0.113.7")]
    [InlineData("join:2001:db8::1", "rate:join:2001:db8::1")]
    [InlineData("create:203.0.113.7", "rate:create:203.0.113.7")]
    public void A_rooms_limit_lives_under_the_rooms_hash_tag_and_a_global_one_does_not(string key, string expected) =>
        Assert.Equal(expected, ValkeyKeys.RateLimit(key).ToString());
}
