using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>A burst of three rooms per address, then a proof of work solved by the browser (or a clear 429 to wait out), on both stores.</summary>
public abstract class RoomCreationProofTests : IAsyncLifetime
{
    private const int Bits = 8;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    private AppFactory App => _app ??= new AppFactory(ValkeyConnection, new Dictionary<string, string?>
    {
        ["Rooms:CreateLimit"] = new RoomOptions().CreateLimit.ToString(CultureInfo.InvariantCulture), // the default burst
        ["Rooms:CreateWindow"] = "01:00:00",
        ["Rooms:ProofDifficulty"] = Bits.ToString(CultureInfo.InvariantCulture),
        ["Rooms:ProofTtl"] = "00:05:00",
    }) { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static Task<Page> CreateAsync(Browser browser, string name, string? token = null, string? nonce = null)
    {
        var fields = new List<(string, string)> { ("player_name", name), ("mode", "open") };
        if (token is not null)
        {
            fields.Add(("pow_token", token));
            fields.Add(("pow_nonce", nonce ?? ""));
        }

        return browser.PostAsync("/rooms", [.. fields]);
    }

    /// <summary>What pow.js does: the first nonce whose SHA-256(token:nonce) starts with enough zero bits.</summary>
    private static string Solve(string token, int bits)
    {
        for (var n = 0L; ; n++)
        {
            var nonce = n.ToString(CultureInfo.InvariantCulture);
            if (ProofOfWork.HasLeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{token}:{nonce}")), bits))
            {
                return nonce;
            }
        }
    }

    /// <summary>Creates the burst of three rooms and returns the fourth attempt's refusal.</summary>
    private async Task<Page> UseUpTheBurstAsync(Browser browser)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(browser, $"Dee{i}")).Status);
        }

        return await CreateAsync(browser, "Dee");
    }

    private static string TokenOf(Page page) =>
        page.Document.QuerySelector("#create-form input[name=pow_token]")!.GetAttribute("value")!;

    [Fact]
    public async Task Three_rooms_come_at_once_then_RATE_LIMIT_429_says_how_long_to_wait_and_asks_for_a_proof()
    {
        using var browser = App.NewBrowser();

        var home = await browser.GetAsync("/");
        var refused = await UseUpTheBurstAsync(browser);

        // The proof-of-work script is in the page only where a proof is asked; before that the page has just the seed's.
        Assert.Equal(["/static/js/seed.js"], home.Document.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!.Split('?')[0]));
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (refused.Status, refused.ErrorCode));
        Assert.Contains("try again in 60 minutes", refused.ErrorText, StringComparison.Ordinal);
        var form = refused.Document.QuerySelector("#create-form")!;
        Assert.Equal(Bits.ToString(CultureInfo.InvariantCulture), form.GetAttribute("data-pow-bits"));
        Assert.Equal("true", form.GetAttribute("data-pow-solve-now"));
        Assert.NotEmpty(TokenOf(refused));
        Assert.NotNull(form.QuerySelector("[data-pow-status][role=status]"));
        Assert.Equal("Dee", form.QuerySelector("input[name=player_name]")!.GetAttribute("value"));
        Assert.NotNull(refused.Document.QuerySelector("script[src^='/static/js/pow.js']"));
    }

    [Fact]
    public async Task A_solved_proof_creates_a_room_beyond_the_burst_and_only_once()
    {
        using var browser = App.NewBrowser();
        var token = TokenOf(await UseUpTheBurstAsync(browser));
        var nonce = Solve(token, Bits);

        var created = await CreateAsync(browser, "Dee", token, nonce);
        var replayed = await CreateAsync(browser, "Dee", token, nonce);

        Assert.Equal(HttpStatusCode.SeeOther, created.Status);
        Assert.StartsWith("/rooms/", created.Location, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (replayed.Status, replayed.ErrorCode));
        Assert.Contains("browser check did not pass", replayed.ErrorText, StringComparison.Ordinal);
        Assert.Null(replayed.Document.QuerySelector("#create-form")!.GetAttribute("data-pow-solve-now"));
        Assert.Null(replayed.Location);
    }

    [Fact]
    public async Task A_forged_unsolved_or_expired_proof_is_refused()
    {
        using var browser = App.NewBrowser();
        var token = TokenOf(await UseUpTheBurstAsync(browser));
        var nonce = Solve(token, Bits);
        var forgedToken = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        var unsolved = Enumerable.Range(0, 1000).Select(n => n.ToString(CultureInfo.InvariantCulture))
            .First(n => !ProofOfWork.HasLeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes($"{token}:{n}")), Bits));

        var forged = await CreateAsync(browser, "Dee", forgedToken, Solve(forgedToken, Bits));
        var wrong = await CreateAsync(browser, "Dee", token, unsolved);
        var empty = await CreateAsync(browser, "Dee", token, "");
        _clock.Advance(TimeSpan.FromMinutes(6));
        var expired = await CreateAsync(browser, "Dee", token, nonce);

        foreach (var page in new[] { forged, wrong, empty, expired })
        {
            Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (page.Status, page.ErrorCode));
            Assert.Null(page.Location);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0xFF }, 8, true)]
    [InlineData(new byte[] { 0x00, 0x7F }, 9, true)]
    [InlineData(new byte[] { 0x00, 0x80 }, 9, false)]
    [InlineData(new byte[] { 0x01, 0x00 }, 8, false)]
    [InlineData(new byte[] { 0x0F, 0x00 }, 4, true)]
    [InlineData(new byte[] { 0x10, 0x00 }, 4, false)]
    public void Leading_zero_bits_are_counted_bit_by_bit(byte[] hash, int bits, bool expected) =>
        Assert.Equal(expected, ProofOfWork.HasLeadingZeroBits(hash, bits));
}

public sealed class RoomCreationProofEmbeddedTests : RoomCreationProofTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RoomCreationProofValkeyTests(ValkeyServer valkey) : RoomCreationProofTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
