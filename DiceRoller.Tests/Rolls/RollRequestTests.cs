using System.Net;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// The roll form's one-time <c>request_id</c>: a retry or a double tap of the same request answers the same roll
/// (same data-roll-id, 200) and never rolls twice; a malformed id is refused. On both stores.
/// </summary>
public abstract class RollRequestTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rooms:RollLimit"] = "3",
        ["Rooms:RollRequestWait"] = "00:00:02",
    };

    private async Task<(string Code, string PlayerId, IRoomStore Store)> RoomOfAliceAsync(Browser alice)
    {
        var code = await alice.CreateRoomAsync();
        var playerId = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roster [data-player-id]")!.GetAttribute("data-player-id")!;
        return (code, playerId, App.Services.GetRequiredService<IRoomStore>());
    }

    /// <summary>Starts a roll in the store as another app instance would: the request id is claimed and a nonce taken.</summary>
    private static Task<RollStart> StartAsync(IRoomStore store, string code, string playerId, RollRequest request) =>
        store.StartRollAsync(code, new RollAttempt(playerId, request, new RollLimit($"roll:{code}:{playerId}", 3, TimeSpan.FromSeconds(10)), "seed",
            KeepFallback: false, RoomSeedSecret.New(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    [Fact]
    public async Task A_repeat_while_the_first_is_still_rolling_waits_for_it_and_answers_its_roll()
    {
        using var alice = App.NewBrowser();
        var (code, playerId, store) = await RoomOfAliceAsync(alice);
        var request = new RollRequest($"{playerId}:slow", 60_000, 300_000);
        var start = await StartAsync(store, code, playerId, request);
        Assert.Equal(RollRequestState.Claimed, start.State);

        var repeat = alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", "slow"));
        // The first request (on another app instance, say) records its roll while the repeat waits.
        var ticket = start.Ticket!;
        var roll = new Roll(Guid.NewGuid().ToString(), code, ticket.Head.Sequence + 1, playerId, "Alice", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            "1d20", 20, 1, 0, Advantage.None, [12], null, 12, Hidden: false, Revealed: false, DcCheck: null)
        {
            Proof = new RollProof(ticket.Seed.Commitment, ticket.ClientSeed, ticket.Nonce, 1, "", ticket.Head.Hash, new string('b', 64), "sig", "key"),
        };
        Assert.Equal(ChainedAppendStatus.Appended, (await store.AppendChainedRollAsync(roll, roll.Timestamp, request)).Status);
        var first = roll.RollId;
        var answer = await repeat;

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(first, answer.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id"));
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_request_whose_instance_died_is_taken_over_with_its_nonce_and_its_server_picked_seed_so_it_draws_the_same_dice()
    {
        using var alice = App.NewBrowser();
        var (code, playerId, store) = await RoomOfAliceAsync(alice);
        // Another instance claimed the request an hour ago (nonce 1, a client seed it picked) and died before drawing.
        var dead = await store.StartRollAsync(code, new RollAttempt(playerId, new RollRequest($"{playerId}:crashed", 6_000, 300_000),
            new RollLimit($"roll:{code}:{playerId}", 3, TimeSpan.FromSeconds(10)), "picked-by-the-dead-one", KeepFallback: false,
            RoomSeedSecret.New(), DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds()));
        Assert.Equal(1, dead.Ticket!.Nonce);

        var takenOver = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d6"), ("request_id", "crashed"));
        var next = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d6"), ("request_id", "next"));

        Assert.Equal(HttpStatusCode.OK, takenOver.Status);
        Assert.Equal("1", takenOver.Document.QuerySelector("[data-verifiable]")!.GetAttribute("data-nonce"));
        Assert.Equal("2", next.Document.QuerySelector("[data-verifiable]")!.GetAttribute("data-nonce"));
        using var log = System.Text.Json.JsonDocument.Parse(await alice.Client.GetStringAsync(new Uri($"/rooms/{code}/log.json", UriKind.Relative)));
        var first = log.RootElement.GetProperty("rolls")[0].GetProperty("fairness");
        // The same seed, client seed and nonce as the dead claim: the stream, and so the dice, it would have drawn.
        Assert.Equal((1L, "picked-by-the-dead-one", true, dead.Ticket.Seed.Commitment),
            (first.GetProperty("nonce").GetInt64(), first.GetProperty("client_seed").GetString(), first.GetProperty("client_seed_by_server").GetBoolean(),
             first.GetProperty("commitment").GetString()));
    }

    [Fact]
    public async Task A_repeat_that_waits_longer_than_the_wait_gets_409_ROLL_IN_PROGRESS_and_rolls_nothing()
    {
        using var alice = App.NewBrowser();
        var (code, playerId, store) = await RoomOfAliceAsync(alice);
        Assert.Equal(RollRequestState.Claimed, (await StartAsync(store, code, playerId, new RollRequest($"{playerId}:stuck", 60_000, 300_000))).State);

        var answer = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", "stuck"));

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Equal("ROLL_IN_PROGRESS", answer.ErrorCode);
        Assert.Contains("no need to roll again", answer.ErrorText, StringComparison.Ordinal);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task The_same_request_id_twice_answers_the_same_roll_and_the_history_has_one()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var first = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("count", "1"), ("request_id", "tap-1"));
        var repeat = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("count", "1"), ("request_id", "tap-1"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, repeat.Status);
        var rollId = first.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id");
        Assert.Equal(rollId, repeat.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id"));
        Assert.Equal(first.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-total"),
            repeat.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-total"));
        Assert.Equal([rollId], (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Select(r => r.GetAttribute("data-roll-id")));
    }

    [Fact]
    public async Task A_repeated_plain_post_redirects_to_the_own_result_and_rolls_once()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var first = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "6"), ("count", "2"), ("request_id", "plain-1"));
        var repeat = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "6"), ("count", "2"), ("request_id", "plain-1"));

        Assert.Equal(HttpStatusCode.SeeOther, first.Status);
        Assert.Equal(HttpStatusCode.SeeOther, repeat.Status);
        Assert.Equal($"/rooms/{code}#your-roll", repeat.Location);
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task Different_request_ids_roll_twice_and_the_same_id_of_another_player_is_their_own()
    {
        await using var table = await Table.Open().Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;

        var one = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", "a"));
        var two = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", "b"));
        var bobs = await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", "a"));

        var ids = new[] { one, two, bobs }.Select(p => p.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(3, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
    }

    [Fact]
    public async Task Concurrent_duplicates_of_one_request_make_one_roll()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.GetAsync($"/rooms/{code}");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "8"), ("count", "3"), ("request_id", "double-tap"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")).Distinct());
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_repeat_does_not_count_against_the_roll_limit()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d4"), ("request_id", "same"))).Status);
        }

        var fresh = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d4"), ("request_id", "fresh"));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal(2, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
    }

    [Fact]
    public async Task A_request_refused_by_the_roll_limit_can_be_retried_with_the_same_id()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < 3; i++)
        {
            await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d4"), ("request_id", $"r{i}"));
        }

        var limited = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d4"), ("request_id", "late"));
        var again = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d4"), ("request_id", "late"));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("RATE_LIMIT", limited.ErrorCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, again.Status);
        Assert.Equal(3, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("tap/1")]
    [InlineData("zoë")]
    [InlineData("<script>")]
    [InlineData("x;y")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task A_malformed_request_id_is_422_INVALID_REQUEST_ID_and_rolls_nothing(string requestId)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var htmx = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", requestId));
        var plain = await alice.PostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", requestId));

        Assert.Equal((HttpStatusCode)422, htmx.Status);
        Assert.Equal("INVALID_REQUEST_ID", htmx.ErrorCode);
        Assert.Contains("request id", htmx.ErrorText, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)422, plain.Status);
        Assert.Equal("INVALID_REQUEST_ID", plain.ErrorCode);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Az09_-")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public async Task Any_1_to_64_letters_digits_dashes_and_underscores_are_a_request_id(string requestId)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("request_id", requestId));

        Assert.Equal(HttpStatusCode.OK, page.Status);
    }

    [Fact]
    public async Task Every_room_page_gives_the_roll_form_a_fresh_request_id()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var first = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-form input[type=hidden][name=request_id]")!.GetAttribute("value");
        var second = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-form input[type=hidden][name=request_id]")!.GetAttribute("value");

        Assert.Matches("^[A-Za-z0-9_-]{16,64}$", first);
        Assert.NotEqual(first, second);
    }
}

public sealed class RollRequestEmbeddedTests(SharedApp shared) : RollRequestTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class RollRequestValkeyTests(ValkeyServer valkey, SharedApp shared) : RollRequestTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    [Fact]
    public async Task The_same_request_sent_to_two_app_instances_on_one_valkey_rolls_once()
    {
        await using var second = new AppFactory(valkey.ConnectionString, Settings);
        var cookies = new CookieContainer();
        using var viaFirst = new Browser(App.CreateDefaultClient(new SharedCookies(cookies)), "TestBrowser/1.0");
        using var viaSecond = new Browser(second.CreateDefaultClient(new SharedCookies(cookies)), "TestBrowser/1.0");
        var code = await viaFirst.CreateRoomAsync();
        await viaFirst.GetAsync($"/rooms/{code}");
        await viaSecond.GetAsync($"/rooms/{code}");

        var answers = await Task.WhenAll(
            viaFirst.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("request_id", "two-instances")),
            viaSecond.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("request_id", "two-instances")));
        var later = await viaSecond.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("request_id", "two-instances"));

        Assert.All(answers.Append(later), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Append(later).Select(a => a.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")).Distinct());
        Assert.Single((await viaFirst.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    /// <summary>One cookie jar for clients of two app instances: one person whose requests a load balancer spreads.</summary>
    private sealed class SharedCookies(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var value in values)
                {
                    cookies.SetCookies(request.RequestUri!, value);
                }
            }

            return response;
        }
    }
}
