using DiceRoller.Shared;
using DiceRoller.Sharing;

namespace DiceRoller.Tests.Sharing;

/// <summary>The webhook check: Discord's own URLs pass, rebuilt from their parts; anything else is INVALID_WEBHOOK.</summary>
public sealed class DiscordWebhookTests
{
    private static readonly string[] Discord = DiscordOptions.DefaultHosts;
    private const string Token = "AbC-dEf_123456789";

    [Theory]
    [InlineData("https://discord.com/api/webhooks/123456789012345678/" + Token, "https://discord.com/api/webhooks/123456789012345678/" + Token)]
    [InlineData("https://discordapp.com/api/webhooks/123456789012345678/" + Token, "https://discordapp.com/api/webhooks/123456789012345678/" + Token)]
    [InlineData("  https://DISCORD.com/api/webhooks/1/" + Token + "  ", "https://discord.com/api/webhooks/1/" + Token)]
    [InlineData("https://discord.com:443/api/webhooks/1/" + Token, "https://discord.com/api/webhooks/1/" + Token)]
    public void Discord_webhook_urls_pass_as_their_canonical_form(string pasted, string stored)
    {
        var result = DiscordWebhook.Parse(pasted, Discord);

        Assert.Null(result.Error);
        Assert.Equal(stored, result.Value!.Url);
    }

    [Theory]
    [InlineData("http://discord.com/api/webhooks/1/" + Token)] // not https
    [InlineData("https://discord.com.evil.com/api/webhooks/1/" + Token)] // a longer host
    [InlineData("https://evil.com/api/webhooks/1/" + Token)]
    [InlineData("https://evildiscord.com/api/webhooks/1/" + Token)]
    [InlineData("https://ptb.discord.com/api/webhooks/1/" + Token)] // subdomains are not listed
    [InlineData("https://discord.com./api/webhooks/1/" + Token)] // the trailing dot is another name
    [InlineData("https://discord.com@evil.com/api/webhooks/1/" + Token)] // user info: the host is evil.com
    [InlineData("https://user:pass@discord.com/api/webhooks/1/" + Token)]
    [InlineData("https://evil.com\\@discord.com/api/webhooks/1/" + Token)]
    [InlineData("https://evil.com#@discord.com/api/webhooks/1/" + Token)]
    [InlineData("https://discord.com:8443/api/webhooks/1/" + Token)] // odd port
    [InlineData("https://discord.com/api/webhooks/1/" + Token + "?wait=true")] // nothing after the token
    [InlineData("https://discord.com/api/webhooks/1/" + Token + "/github")]
    [InlineData("https://discord.com/api/webhooks/1/" + Token + "#x")]
    [InlineData("https://discord.com/api/webhooks/abc/" + Token)] // the id is a number
    [InlineData("https://discord.com/api/webhooks/1/../../../users/@me")]
    [InlineData("https://discord.com/api/webhooks/1/%2e%2e")]
    [InlineData("https://discord.com/api/v10/webhooks/1/" + Token)]
    [InlineData("https://discord.com/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://discord.com/api/webhooks/1/" + Token)]
    [InlineData("discord.com/api/webhooks/1/" + Token)]
    [InlineData("https://127.0.0.1/api/webhooks/1/" + Token)] // loopback only when listed
    [InlineData("https://[::1]/api/webhooks/1/" + Token)]
    [InlineData("https://discord.com/api/webhooks/1/To ken")]
    [InlineData("not a url")]
    public void Anything_but_a_discord_webhook_is_invalid(string pasted)
    {
        var result = DiscordWebhook.Parse(pasted, Discord);

        Assert.Null(result.Value);
        Assert.Equal(ErrorCodes.InvalidWebhook, result.Error?.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Message));
    }

    [Fact]
    public void An_overlong_url_is_invalid_and_says_so()
    {
        var result = DiscordWebhook.Parse("https://discord.com/api/webhooks/1/" + new string('a', DiscordWebhook.MaxLength), Discord);

        Assert.Equal(ErrorCodes.InvalidWebhook, result.Error?.Code);
        Assert.Contains("too long", result.Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123/api/webhooks/1/" + Token, true)]
    [InlineData("http://localhost:5123/api/webhooks/1/" + Token, false)] // listed hosts only
    [InlineData("http://127.0.0.1:5123/api/webhooks/1/" + Token + "?x=1", false)]
    public void A_loopback_host_the_option_lists_may_use_http_and_any_port(string pasted, bool valid)
    {
        var result = DiscordWebhook.Parse(pasted, ["discord.com", "127.0.0.1"]);

        Assert.Equal(valid, result.Error is null);
    }

    [Fact]
    public void A_listed_host_that_is_not_loopback_still_needs_https_and_the_default_port()
    {
        Assert.NotNull(DiscordWebhook.Parse("http://example.org/api/webhooks/1/" + Token, ["example.org"]).Error);
        Assert.NotNull(DiscordWebhook.Parse("https://example.org:8443/api/webhooks/1/" + Token, ["example.org"]).Error);
        Assert.Null(DiscordWebhook.Parse("https://example.org/api/webhooks/1/" + Token, ["example.org"]).Error);
    }

    [Fact]
    public void The_mask_keeps_the_host_and_the_start_of_the_id_and_never_the_token()
    {
        var masked = DiscordWebhook.Mask("https://discord.com/api/webhooks/123456789012345678/" + Token);

        Assert.Equal("https://discord.com/api/webhooks/1234…/•••", masked);
        Assert.DoesNotContain(Token, masked, StringComparison.Ordinal);
        Assert.DoesNotContain("123456789012345678", masked, StringComparison.Ordinal);
    }
}
