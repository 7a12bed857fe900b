using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// The server's room capacity (<c>Rooms:MaxRooms</c>), the hourly creation limit per address and the proof of work that
/// hardens with the server-wide creation rate, on both stores. The Valkey run uses a database of its own, emptied first, so
/// the count is this test's rooms only.
/// </summary>
public abstract class CapacityTests : IAsyncLifetime
{
    protected readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    protected AppFactory App => _app ?? throw new InvalidOperationException("Start the app first.");

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    protected AppFactory Start(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Rooms:MaxRooms"] = "3",
            ["Rooms:LonelyRoomTtl"] = "00:20:00",
            ["Rooms:OpenRoomTtl"] = "05:00:00",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return _app = new AppFactory(ValkeyConnection, all) { Clock = Clock };
    }

    /// <summary>What the room's expiry does on the store: the embedded store follows the fake clock; Valkey's real clock needs help.</summary>
    protected virtual Task ExpireAsync(string code) => Task.CompletedTask;

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

    private static string CodeOf(Page created) => created.Location!.Split('/')[^1];

    private static string TokenOf(Page page) => page.Document.QuerySelector("#create-form input[name=pow_token]")!.GetAttribute("value")!;

    private static int BitsOf(Page page) =>
        int.Parse(page.Document.QuerySelector("#create-form")!.GetAttribute("data-pow-bits")!, CultureInfo.InvariantCulture);

    internal static string Solve(string token, int bits, int butNot = 0)
    {
        for (var n = 0L; ; n++)
        {
            var nonce = n.ToString(CultureInfo.InvariantCulture);
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{token}:{nonce}"));
            if (ProofOfWork.HasLeadingZeroBits(hash, bits) && (butNot == 0 || !ProofOfWork.HasLeadingZeroBits(hash, butNot)))
            {
                return nonce;
            }
        }
    }

    private static void AssertServerFull(Page page, int minutes)
    {
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE"), (page.Status, page.ErrorCode));
        Assert.Contains("This server is full right now", page.ErrorText, StringComparison.Ordinal);
        Assert.Contains($"try again in {minutes} minutes", page.ErrorText, StringComparison.Ordinal);
        Assert.Equal(minutes * 60, page.RetryAfter);
        Assert.Null(page.Location);
        Assert.Null(page.Document.QuerySelector("#create-form input[name=pow_token]"));
    }

    [Fact]
    public async Task A_full_server_answers_503_with_Retry_After_and_rooms_already_open_keep_working()
    {
        Start();
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        var codes = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            codes.Add(await alice.CreateRoomAsync($"Alice{i}"));
        }

        var refused = await CreateAsync(alice, "Alice");
        var again = await CreateAsync(bob, "Bob");

        AssertServerFull(refused, 20);
        AssertServerFull(again, 20);
        Assert.Equal("Alice", refused.Document.QuerySelector("#create-form input[name=player_name]")!.GetAttribute("value"));
        await alice.RollAsync(codes[0]);
        await bob.JoinAsync(codes[1], "Bob");
        await bob.RollAsync(codes[1]);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{codes[2]}")).Status);
    }

    [Fact]
    public async Task The_count_comes_down_when_a_room_closes_or_expires()
    {
        Start();
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        using var carol = App.NewBrowser();
        var lonely = await alice.CreateRoomAsync("Alice");
        var joined = await bob.CreateRoomAsync("Bob");
        await alice.JoinAsync(joined, "Alice");
        var closing = await carol.CreateRoomAsync("Carol");
        AssertServerFull(await CreateAsync(carol, "Carol"), 20);

        // The last member leaves: the room is deleted and its place is free at once.
        var left = await carol.PostAsync($"/rooms/{closing}/leave");
        Assert.Equal(HttpStatusCode.SeeOther, left.Status);
        var another = await CreateAsync(carol, "Carol");
        Assert.Equal(HttpStatusCode.SeeOther, another.Status);
        AssertServerFull(await CreateAsync(carol, "Carol"), 20);

        // Rooms nobody else joined expire after the lonely TTL; the room Alice joined stays, and keeps counting.
        Clock.Advance(TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(1));
        await ExpireAsync(lonely);
        await ExpireAsync(CodeOf(another));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/rooms/{lonely}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/rooms/{joined}")).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(carol, "Carol")).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(carol, "Carol")).Status);
        AssertServerFull(await CreateAsync(carol, "Carol"), 20);
    }

    [Fact]
    public async Task One_address_creates_at_most_the_hourly_limit_however_many_proofs_it_solves()
    {
        Start(("Rooms:MaxRooms", "100"), ("Rooms:CreateLimit", "1"), ("Rooms:CreateHourlyLimit", "3"), ("Rooms:ProofDifficulty", "4"));
        using var eve = App.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(eve, "Eve")).Status);
        for (var i = 0; i < 2; i++)
        {
            var challenge = await CreateAsync(eve, "Eve");
            Assert.Equal(HttpStatusCode.TooManyRequests, challenge.Status);
            var token = TokenOf(challenge);
            Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(eve, "Eve", token, Solve(token, BitsOf(challenge)))).Status);
        }

        // Over the hourly limit: refused at once, without being asked for any work first.
        var refused = await CreateAsync(eve, "Eve");

        Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (refused.Status, refused.ErrorCode));
        Assert.Contains("created 3 rooms in the last hour", refused.ErrorText, StringComparison.Ordinal);
        Assert.Matches("try again in (59|60) minutes", refused.ErrorText);
        Assert.InRange(refused.RetryAfter!.Value, 3500, 3600);
        Assert.Null(refused.Document.QuerySelector("#create-form input[name=pow_token]")); // no proof lifts it: no challenge
        Assert.Null(refused.Location);

        // Another address is not counted with Eve's.
        await using var other = new AppFactory(ValkeyConnection, new Dictionary<string, string?>
        {
            ["Rooms:MaxRooms"] = "100", ["Rooms:CreateHourlyLimit"] = "3",
        }) { Clock = Clock };
        using var fay = other.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(fay, "Fay")).Status);
    }

    [Fact]
    public async Task The_proof_hardens_with_the_rooms_created_server_wide_and_the_challenge_carries_its_difficulty()
    {
        // One bit more for every 2 rooms created in the window, from 4 bits up to 6.
        Start(("Rooms:MaxRooms", "100"), ("Rooms:CreateLimit", "1"), ("Rooms:ProofDifficulty", "4"), ("Rooms:ProofDifficultyStep", "2"),
            ("Rooms:ProofDifficultyMax", "6"), ("Rooms:ProofRateWindow", "01:00:00"));
        using var eve = App.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(eve, "Eve")).Status);
        var bits = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var challenge = await CreateAsync(eve, "Eve");
            bits.Add(BitsOf(challenge));
            var token = TokenOf(challenge);
            if (bits[^1] > 4)
            {
                // Work for the base difficulty is not enough for a harder challenge: it carries the bits it was issued with.
                var tooEasy = await CreateAsync(eve, "Eve", token, Solve(token, 4, butNot: bits[^1]));
                Assert.Equal((HttpStatusCode.TooManyRequests, "RATE_LIMIT"), (tooEasy.Status, tooEasy.ErrorCode));
                challenge = await CreateAsync(eve, "Eve");
                Assert.Equal(bits[^1], BitsOf(challenge));
                token = TokenOf(challenge);
            }

            Assert.Equal(HttpStatusCode.SeeOther, (await CreateAsync(eve, "Eve", token, Solve(token, bits[^1]))).Status);
        }

        Assert.Equal([4, 5, 5, 6, 6], bits);
    }

    [Fact]
    public async Task A_room_nobody_joined_lives_on_the_lonely_ttl_until_a_second_player_joins()
    {
        Start(("Rooms:MaxRooms", "100"));
        var store = App.Services.GetRequiredService<IRoomStore>();
        using var dee = App.NewBrowser();
        using var bob = App.NewBrowser();
        using var pat = App.NewBrowser();
        var open = await dee.CreateRoomAsync("Dee", "open");
        var dmLed = await dee.CreateRoomAsync("Dee", "dm-led");

        var lonely = (await store.GetAsync(open))!;
        Assert.Equal((1200, 18000), (lonely.Room.TtlSeconds, lonely.Room.FullTtlSeconds));
        Assert.InRange(lonely.ExpiresAt!.Value - Clock.GetUtcNow().ToUnixTimeMilliseconds(), 1_190_000, 1_200_000);

        await bob.JoinAsync(open, "Bob");
        var joined = (await store.GetAsync(open))!;
        Assert.Equal((18000, (int?)null), (joined.Room.TtlSeconds, joined.Room.FullTtlSeconds));
        Assert.InRange(joined.ExpiresAt!.Value - Clock.GetUtcNow().ToUnixTimeMilliseconds(), 17_990_000, 18_000_000);

        // Through the door too: a locked DM-led room's knock, once admitted, ends the lonely TTL.
        Assert.Equal(1200, (await store.GetAsync(dmLed))!.Room.TtlSeconds);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{dmLed}/lock", ("locked", "true"))).Status);
        var knock = await pat.PostAsync("/join", ("room_code", dmLed), ("player_name", "Pat"));
        Assert.Equal(HttpStatusCode.Accepted, knock.Status);
        var waiting = (await store.GetWaitingKnocksAsync(dmLed, Clock.GetUtcNow().ToUnixTimeMilliseconds())).Single();
        Assert.Equal(1200, (await store.GetAsync(dmLed))!.Room.TtlSeconds);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{dmLed}/knocks/{waiting.KnockId}/admit")).Status);
        var admitted = (await store.GetAsync(dmLed))!;
        Assert.Equal((1800, (int?)null), (admitted.Room.TtlSeconds, admitted.Room.FullTtlSeconds));
    }

    [Fact]
    public void The_code_space_is_at_least_ten_times_the_default_capacity()
    {
        Assert.Equal(RoomCode.Space, RoomCode.WordCount * 10_000);
        Assert.True(new RoomOptions().MaxRooms * 10 <= RoomCode.Space);
    }

    [Theory]
    [InlineData("Rooms:MaxRooms", "30001")]
    [InlineData("Rooms:MaxRooms", "0")]
    [InlineData("Rooms:CreateHourlyLimit", "0")]
    [InlineData("Rooms:LonelyRoomTtl", "00:00:01")]
    [InlineData("Rooms:ProofDifficultyStep", "0")]
    [InlineData("Rooms:ProofDifficultyMax", "13")]
    [InlineData("Rooms:ProofRateWindow", "00:00:00")]
    public void A_capacity_option_out_of_range_stops_the_app_at_start(string key, string value)
    {
        var error = AppFactory.StartFailure<Microsoft.Extensions.Options.OptionsValidationException>(() => new AppFactory(settings: new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }
}

public sealed class CapacityEmbeddedTests : CapacityTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class CapacityValkeyTests(ValkeyServer valkey) : CapacityTests
{
    /// <summary>A database no other test uses, emptied before each test: the live-room count is this test's own.</summary>
    internal const int Database = 9;

    protected override string? ValkeyConnection => $"{valkey.ConnectionString},defaultDatabase={Database}";

    public override async Task InitializeAsync() => await EmptyAsync(valkey);

    internal static async Task EmptyAsync(ValkeyServer valkey)
    {
        var db = valkey.Connection.GetDatabase(Database);
        await foreach (var key in valkey.Connection.GetServers()[0].KeysAsync(Database, "*"))
        {
            await db.KeyDeleteAsync(key);
        }
    }

    [Fact]
    public async Task Two_app_instances_share_one_count_and_a_room_closed_on_one_frees_a_place_on_the_other()
    {
        Start();
        await using var other = new AppFactory(ValkeyConnection, new Dictionary<string, string?> { ["Rooms:MaxRooms"] = "3" }) { Clock = Clock };
        using var onA = App.NewBrowser();
        using var onB = other.NewBrowser();
        await onA.CreateRoomAsync("Ann");
        var closing = await onB.CreateRoomAsync("Bea");
        await onA.CreateRoomAsync("Ann");

        var fullOnB = await onB.PostAsync("/rooms", ("player_name", "Bea"), ("mode", "open"));
        var fullOnA = await onA.PostAsync("/rooms", ("player_name", "Ann"), ("mode", "open"));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (fullOnB.Status, fullOnA.Status));

        Assert.Equal(HttpStatusCode.SeeOther, (await onB.PostAsync($"/rooms/{closing}/leave")).Status);
        Assert.Equal(HttpStatusCode.SeeOther, (await onA.PostAsync("/rooms", ("player_name", "Ann"), ("mode", "open"))).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await onB.PostAsync("/rooms", ("player_name", "Bea"), ("mode", "open"))).Status);
    }

    /// <summary>Valkey expires keys on its own (real) clock: what it would have done by the fake clock's time, done now.</summary>
    protected override async Task ExpireAsync(string code) =>
        await valkey.Connection.GetDatabase(Database).KeyDeleteAsync(DiceRoller.Storage.ValkeyKeys.All(code));
}
