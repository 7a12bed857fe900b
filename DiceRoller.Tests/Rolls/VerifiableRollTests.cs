using System.Globalization;
using System.Net;
using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// Provable fairness through the HTTP contract, on both stores: the commitment from the first moment, client seeds and
/// nonces, the hash chain and signatures on every roll, the seed published when the room closes or is rotated, and the
/// room log for members (docs/fairness.md).
/// </summary>
public abstract class VerifiableRollTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static readonly string[] Withheld = ["individual_results", "total", "terms"];

    protected static async Task<JsonElement> JsonAsync(Browser browser, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await browser.Client.GetAsync(new Uri(url, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    protected static string Commitment(Page page) => page.Document.QuerySelector("[data-commitment]")!.GetAttribute("data-commitment")!;

    protected static string Id(AngleSharp.Dom.IElement row) => row.GetAttribute("data-roll-id")!;

    /// <summary>The hash recomputed from a permalink's JSON, the way any verifier does it.</summary>
    protected static string HashOf(JsonElement permalink, string? salt = null)
    {
        var roll = VerifiableJson.ParseRoll(permalink.GetRawText()).Roll!;
        var f = roll.Fairness!;
        return RollHash.Compute(RollVerifier.InputOf(roll, salt is null ? f : f with { Salt = salt }));
    }

    /// <summary>The dice replayed from the published seed, client seed and nonce through the engine.</summary>
    protected static (IReadOnlyList<int> Dice, int Total, int ValuesUsed) Replay(JsonElement permalink)
    {
        var f = permalink.GetProperty("fairness");
        var (spec, error) = DiceNotation.Parse(permalink.GetProperty("dice_formula").GetString(), null, permalink.GetProperty("advantage").GetString());
        Assert.Null(error);
        var hidden = f.TryGetProperty("hidden_index", out var index) && index.ValueKind == JsonValueKind.Number ? f.GetProperty("salt").GetString() : null;
        var source = new SeededRandomSource(RoomSeed.FromHex(f.GetProperty("server_seed").GetString())!, f.GetProperty("client_seed").GetString()!,
            f.GetProperty("nonce").GetInt64(), hidden);
        var outcome = DiceEngine.Roll(spec!, source);
        return (outcome.Results, outcome.Total, source.ValuesUsed);
    }

    [Fact]
    public async Task The_room_page_shows_the_seed_commitment_from_the_first_moment()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.GetAsync($"/rooms/{code}");

        Assert.Matches("^[0-9a-f]{64}\\.[0-9a-f]{64}$", Commitment(page)); // rules 2: seed hash and hidden-roll root
        Assert.Empty(page.FeedRolls);
    }

    [Fact]
    public async Task Every_roll_is_chained_signed_and_numbered_per_member()
    {
        await using var table = await Table.Open().Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var commitment = Commitment(await alice.GetAsync($"/rooms/{code}"));
        var key = await JsonAsync(alice, "/.well-known/diceroller-key");

        var rows = new[] { await alice.RollAsync(code, "1d20"), await bob.RollAsync(code, "2d6"), await alice.RollAsync(code, "4d6kh3") };
        var links = new List<JsonElement>();
        foreach (var row in rows)
        {
            links.Add(await JsonAsync(alice, $"/api/permalink/{Id(row)}"));
        }

        var previous = RollHash.Genesis;
        for (var i = 0; i < links.Count; i++)
        {
            var f = links[i].GetProperty("fairness");
            Assert.Equal(i + 1, f.GetProperty("sequence").GetInt64());
            Assert.Equal(commitment, f.GetProperty("commitment").GetString());
            Assert.Equal(JsonValueKind.Null, f.GetProperty("server_seed").ValueKind); // the seed stays secret while the room uses it
            Assert.Equal("", f.GetProperty("salt").GetString());
            Assert.Equal(previous, f.GetProperty("prev_hash").GetString());
            Assert.Equal(HashOf(links[i]), f.GetProperty("hash").GetString());
            Assert.True(Ed25519RollSigner.Verify(key.GetProperty("public_key").GetString()!, f.GetProperty("hash").GetString()!, f.GetProperty("signature").GetString()!));
            Assert.Equal(key.GetProperty("key_id").GetString(), f.GetProperty("key_id").GetString());
            Assert.True(f.GetProperty("block_values_used").GetInt32() >= links[i].GetProperty("individual_results").GetArrayLength());
            Assert.Equal(f.GetProperty("hash").GetString(), rows[i].QuerySelector("[data-verifiable]")!.GetAttribute("data-hash"));
            previous = f.GetProperty("hash").GetString()!;
        }

        Assert.Equal([1L, 1L, 2L], links.Select(l => l.GetProperty("fairness").GetProperty("nonce").GetInt64()));
        Assert.Equal(links[0].GetProperty("fairness").GetProperty("player_id").GetString(), links[2].GetProperty("fairness").GetProperty("player_id").GetString());
    }

    [Fact]
    public async Task Once_the_room_closes_its_seed_is_published_and_every_roll_replays_from_it()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var ids = new List<string>
        {
            Id(await bob.RollAsync(code, "1d20", "3", "advantage")),
            Id(await bob.RollAsync(code, "1d6!")),
            Id(await dee.RollAsync(code, "2d20kl1+1")),
            Id(await bob.RollAsync(code, "8d6")),
        };
        var hidden = Id((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d100"), ("hidden", "true"))).Document.QuerySelector("[data-roll-id]")!);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hidden}/reveal")).Status);
        ids.Add(hidden);
        var before = await JsonAsync(bob, $"/api/permalink/{ids[0]}");
        var page = await bob.GetAsync($"/roll/{ids[0]}");
        Assert.Equal("pending", page.Document.QuerySelector("[data-check]")!.GetAttribute("data-check"));
        var seenWhileInUse = string.Concat(page.Body, (await dee.GetAsync($"/rooms/{code}")).Body, (await JsonAsync(dee, $"/rooms/{code}/log.json")).GetRawText());
        var unrevealed = Id((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d12"), ("hidden", "true"))).Document.QuerySelector("[data-roll-id]")!);

        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/close")).Status);

        // What the close confirm says under rules 2: a hidden roll not revealed stays secret, and nobody can reveal it any more.
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Client.GetAsync(new Uri($"/api/permalink/{unrevealed}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dee.Client.GetAsync(new Uri($"/api/permalink/{unrevealed}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{unrevealed}/reveal")).Status);

        foreach (var id in ids)
        {
            var permalink = await JsonAsync(bob, $"/api/permalink/{id}");
            var f = permalink.GetProperty("fairness");
            var seed = f.GetProperty("server_seed").GetString()!;
            Assert.DoesNotContain(seed, seenWhileInUse, StringComparison.Ordinal); // it never left the server while in use
            Assert.Equal(RoomSeed.SeedHashOf(f.GetProperty("commitment").GetString()!), RoomSeed.Commitment(RoomSeed.FromHex(seed)));
            var (dice, total, used) = Replay(permalink);
            Assert.Equal(permalink.GetProperty("individual_results").EnumerateArray().Select(e => e.GetInt32()), dice);
            Assert.Equal(permalink.GetProperty("total").GetInt32(), total);
            Assert.Equal(f.GetProperty("block_values_used").GetInt32(), used);
            Assert.Equal(f.GetProperty("hash").GetString(), HashOf(permalink)); // a reveal does not change a hash
            var proof = (await bob.GetAsync($"/roll/{id}")).Document.QuerySelector("#proof")!;
            Assert.Equal("verified", proof.QuerySelector("[data-check]")!.GetAttribute("data-check"));
            Assert.Equal(seed, proof.QuerySelector("[data-server-seed]")!.GetAttribute("data-server-seed"));
        }

        var revealed = await JsonAsync(bob, $"/api/permalink/{hidden}");
        // Rules 2: a hidden roll's salt is its hidden-roll secret (32 bytes), a leaf of the commitment's hidden root.
        Assert.Matches("^[0-9a-f]{64}$", revealed.GetProperty("fairness").GetProperty("salt").GetString());
        var revealedFairness = VerifiableJson.ParseRoll(revealed.GetRawText()).Roll!.Fairness!;
        Assert.True(HiddenSecrets.Verify(RoomSeed.HiddenRootOf(revealedFairness.Commitment)!, revealedFairness.HiddenIndex!.Value, revealedFairness.Salt!,
            revealedFairness.HiddenPath!));
        Assert.Equal(before.GetProperty("fairness").GetProperty("hash").GetString(),
            (await JsonAsync(bob, $"/api/permalink/{ids[0]}")).GetProperty("fairness").GetProperty("hash").GetString());
    }

    [Fact]
    public async Task When_the_last_member_leaves_the_rooms_seed_is_published()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var id = Id(await alice.RollAsync(code, "3d8"));

        Assert.Equal(HttpStatusCode.OK, (await alice.HtmxPostAsync($"/rooms/{code}/leave")).Status);

        var permalink = await JsonAsync(alice, $"/api/permalink/{id}");
        Assert.Equal(permalink.GetProperty("total").GetInt32(), Replay(permalink).Total);
        Assert.Equal(permalink.GetProperty("individual_results").EnumerateArray().Select(e => e.GetInt32()), Replay(permalink).Dice);
    }

    [Fact]
    public async Task A_member_sets_their_client_seed_and_their_next_roll_uses_it()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var first = await JsonAsync(alice, $"/api/permalink/{Id(await alice.RollAsync(code))}");

        var saved = await alice.HtmxPostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", "lucky_Seed-7"));
        var plain = await alice.PostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", "lucky_Seed-8"));
        var next = await JsonAsync(alice, $"/api/permalink/{Id(await alice.RollAsync(code))}");

        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.Contains("lucky_Seed-7", saved.Document.QuerySelector("[data-action-status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, plain.Status);
        Assert.Equal($"/rooms/{code}#fairness", plain.Location);
        Assert.NotEqual("lucky_Seed-8", first.GetProperty("fairness").GetProperty("client_seed").GetString());
        Assert.Equal("lucky_Seed-8", next.GetProperty("fairness").GetProperty("client_seed").GetString());
        Assert.Equal(2, next.GetProperty("fairness").GetProperty("nonce").GetInt64());
        Assert.Equal("lucky_Seed-8", (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#client-seed-input")!.GetAttribute("value"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("emoji\U0001F3B2")]
    [InlineData("a-seed-that-is-far-too-long-a-seed-that-is-far-too-long-a-seed-that-is-far-too-long")]
    public async Task A_client_seed_that_is_not_valid_is_refused_with_a_clear_message_and_changes_nothing(string seed)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var before = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#client-seed-input")!.GetAttribute("value");

        var refused = await alice.HtmxPostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", seed));

        Assert.Equal((HttpStatusCode)422, refused.Status);
        Assert.Equal("INVALID_CLIENT_SEED", refused.ErrorCode);
        Assert.Contains("1 to 64 letters", refused.ErrorText, StringComparison.Ordinal);
        Assert.Equal(before, (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#client-seed-input")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Without_javascript_the_server_makes_the_client_seed_and_says_so()
    {
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var joined = await bob.PostAsync("/join", ("room_code", code), ("player_name", "Bob"), ("client_seed", "0123456789abcdef0123456789abcdef"));
        Assert.Equal(HttpStatusCode.SeeOther, joined.Status);
        var set = await bob.HtmxPostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", "fedcba9876543210fedcba9876543210"));
        Assert.Equal(HttpStatusCode.OK, set.Status);

        var noScript = (await alice.GetAsync($"/rooms/{code}")).Document;
        var scripted = (await bob.GetAsync($"/rooms/{code}")).Document;

        // Rules 2: a seed counts only once set on the room page, where the commitment is shown; until then the server picks.
        Assert.NotNull(noScript.QuerySelector("[data-seed-by-server][data-client-seed-stale]"));
        Assert.Equal("fedcba9876543210fedcba9876543210", scripted.QuerySelector("#client-seed-input")!.GetAttribute("value"));
        Assert.Null(scripted.QuerySelector("[data-seed-by-server]"));
        Assert.NotNull((await bob.GetAsync("/")).Document.QuerySelector("#create-form input[name=client_seed][data-client-seed-new]"));
    }

    [Fact]
    public async Task A_client_seed_sent_with_creation_or_join_is_not_used_the_server_picks_one_after_committing()
    {
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var commitment = Commitment(await alice.GetAsync($"/rooms/{code}"));
        Assert.Equal(HttpStatusCode.SeeOther, (await bob.PostAsync("/join", ("room_code", code), ("player_name", "Bob"), ("client_seed", "sent-with-the-join-form"))).Status);

        var f = (await JsonAsync(bob, $"/api/permalink/{Id(await bob.RollAsync(code, "1d20"))}")).GetProperty("fairness");

        Assert.NotEqual("sent-with-the-join-form", f.GetProperty("client_seed").GetString());
        Assert.True(f.GetProperty("client_seed_by_server").GetBoolean());
        Assert.Equal(commitment, f.GetProperty("client_seed_commitment").GetString());
        Assert.Equal(2, f.GetProperty("rules").GetInt32());
    }

    [Fact]
    public async Task A_seed_set_on_the_page_counts_under_its_commitment_and_a_rotation_makes_it_stale()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var first = Commitment(await bob.GetAsync($"/rooms/{code}"));
        Assert.Equal(HttpStatusCode.OK, (await bob.HtmxPostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", "bob-after-commitment"))).Status);
        var before = (await JsonAsync(bob, $"/api/permalink/{Id(await bob.RollAsync(code, "1d20"))}")).GetProperty("fairness");

        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate")).Status);
        var second = Commitment(await bob.GetAsync($"/rooms/{code}"));
        var stalePage = (await bob.GetAsync($"/rooms/{code}")).Document;
        var after = (await JsonAsync(bob, $"/api/permalink/{Id(await bob.RollAsync(code, "1d20"))}")).GetProperty("fairness");

        Assert.Equal("bob-after-commitment", before.GetProperty("client_seed").GetString());
        Assert.Equal(first, before.GetProperty("client_seed_commitment").GetString());
        Assert.False(before.GetProperty("client_seed_by_server").GetBoolean());
        Assert.NotNull(stalePage.QuerySelector("[data-client-seed-stale]"));
        Assert.NotEqual("bob-after-commitment", after.GetProperty("client_seed").GetString());
        Assert.True(after.GetProperty("client_seed_by_server").GetBoolean());
        Assert.Equal(second, after.GetProperty("client_seed_commitment").GetString());
        var log = VerifiableJson.ParseLog((await JsonAsync(bob, $"/rooms/{code}/log.json")).GetRawText()).Log!;
        Assert.All(RollVerifier.VerifyLog(log).Where(c => c.Check == RollVerifier.ClientSeedOrder), c => Assert.Equal(CheckStatus.Passed, c.Status));
    }

    [Fact]
    public async Task A_room_on_a_seed_from_before_rules_two_keeps_rolling_and_verifying_by_rules_one()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var store = App.Services.GetRequiredService<DiceRoller.Rooms.IRoomStore>();
        var legacy = DiceRoller.Rooms.RoomSeedSecret.NewWithoutHiddenKey(); // what a room made before rules 2 holds
        Assert.NotNull(await store.RotateSeedAsync(code, legacy, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.Equal(HttpStatusCode.OK, (await bob.HtmxPostAsync($"/rooms/{code}/fairness/client-seed", ("client_seed", "bobs-old-style-seed"))).Status);

        var legacyPage = (await dee.GetAsync($"/rooms/{code}")).Document;
        Assert.NotNull(legacyPage.QuerySelector("#rotate-warning"));
        Assert.Null(legacyPage.QuerySelector("#rotate-warning[data-hidden-stay-secret]")); // a rules-1 seed still warns
        var legacyClose = legacyPage.QuerySelector("form[action$='/close']")!;
        Assert.Equal("hidden-computable", legacyClose.GetAttribute("data-close-confirm")); // and so does closing
        Assert.Contains("anyone can then compute the dice of hidden rolls", legacyClose.GetAttribute("hx-confirm"), StringComparison.Ordinal);

        await bob.RollAsync(code, "2d6");
        var hidden = Id((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"))).Document.QuerySelector("[data-roll-id]")!);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hidden}/reveal")).Status);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate")).Status);
        var log = VerifiableJson.ParseLog((await JsonAsync(bob, $"/rooms/{code}/log.json")).GetRawText()).Log!;
        var checks = RollVerifier.VerifyLog(log);

        Assert.All(log.Rolls, r => Assert.Equal(legacy.Commitment, r.Fairness!.Commitment));
        Assert.All(log.Rolls, r => Assert.Equal(1, r.Fairness!.Rules));
        Assert.Equal("bobs-old-style-seed", log.Rolls[0].Fairness!.ClientSeed);
        Assert.Matches("^[0-9a-f]{32}$", log.Rolls[1].Fairness!.Salt); // the rules-1 random salt
        Assert.DoesNotContain(checks, c => c.Check is RollVerifier.ClientSeedOrder or RollVerifier.HiddenSecret);
        Assert.DoesNotContain(checks, c => c.Status != CheckStatus.Passed);
        var rulesTwoPage = (await dee.GetAsync($"/rooms/{code}")).Document;
        Assert.NotNull(rulesTwoPage.QuerySelector("#rotate-warning[data-hidden-stay-secret]")); // rules 2 again
        // Closing a rules-2 room publishes no hidden roll's secret, and a closed room has nobody left to reveal one.
        var close = rulesTwoPage.QuerySelector("form[action$='/close']")!;
        Assert.Equal("hidden-stay-secret", close.GetAttribute("data-close-confirm"));
        Assert.Contains("Hidden rolls not revealed yet stay secret", close.GetAttribute("hx-confirm"), StringComparison.Ordinal);
        Assert.DoesNotContain("compute", close.GetAttribute("hx-confirm"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hidden_roll_stays_uncomputable_after_its_seed_is_published_and_its_reveal_verifies()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var first = Id((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "4d6"), ("hidden", "true"))).Document.QuerySelector("[data-roll-id]")!);
        var second = Id((await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"))).Document.QuerySelector("[data-roll-id]")!);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate")).Status);

        var published = VerifiableJson.ParseLog((await JsonAsync(bob, $"/rooms/{code}/log.json")).GetRawText()).Log!;
        var hidden = published.Rolls.Single(r => r.RollId == first);
        Assert.NotNull(hidden.Fairness!.ServerSeed); // the seed is out
        Assert.Null(hidden.Fairness.Salt); // but not the roll's secret: its dice cannot be replayed
        Assert.Null(hidden.Fairness.HiddenIndex);
        Assert.Contains(RollVerifier.VerifyLog(published), c => c.RollId == first && c.Check == RollVerifier.Dice && c.Status == CheckStatus.Pending);

        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{first}/reveal")).Status);
        var revealed = VerifiableJson.ParseLog((await JsonAsync(bob, $"/rooms/{code}/log.json")).GetRawText()).Log!;
        var checks = RollVerifier.VerifyLog(revealed);

        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Failed);
        Assert.Contains(checks, c => c.RollId == first && c.Check == RollVerifier.HiddenSecret && c.Status == CheckStatus.Passed);
        Assert.Contains(checks, c => c.RollId == first && c.Check == RollVerifier.Dice && c.Status == CheckStatus.Passed);
        Assert.Contains(checks, c => c.RollId == second && c.Check == RollVerifier.Dice && c.Status == CheckStatus.Pending); // one reveal, one secret
        Assert.Equal(0, revealed.Rolls.Single(r => r.RollId == first).Fairness!.HiddenIndex);
    }

    [Fact]
    public async Task When_a_seeds_hidden_secrets_are_used_up_a_hidden_roll_is_refused_clearly_and_takes_nothing_until_a_rotation()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        static string? NonceOf(Page page) => page.Document.QuerySelector("[data-verifiable]")?.GetAttribute("data-nonce");
        Assert.Equal("1", NonceOf(await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d6"))));

        // All but the last secret taken by earlier hidden roll attempts (through the store's own start step: as many HTTP
        // rolls would only be slower); the DM's hidden roll takes the last one.
        var store = App.Services.GetRequiredService<DiceRoller.Rooms.IRoomStore>();
        for (var i = 0; i < HiddenSecrets.Count - 1; i++)
        {
            var taken = await store.StartRollAsync(code, new DiceRoller.Rooms.RollAttempt("earlier", null,
                new DiceRoller.Rooms.RollLimit($"roll:{code}:earlier", 10_000, TimeSpan.FromMinutes(10)), "earlier-seed", false,
                DiceRoller.Rooms.RoomSeedSecret.NewWithoutHiddenKey(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Hidden: true));
            Assert.Equal(i, taken.Ticket!.HiddenIndex);
        }

        var last = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        Assert.Equal(HttpStatusCode.OK, last.Status);
        Assert.Equal("2", NonceOf(last));
        var rollsBefore = (await JsonAsync(bob, $"/rooms/{code}/log.json")).GetProperty("rolls").GetArrayLength();

        var refused = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("HIDDEN_SECRETS_USED_UP", refused.ErrorCode);
        var message = refused.Document.QuerySelector("[data-error-code]")!.TextContent;
        Assert.Contains($"All {HiddenSecrets.Count} hidden rolls of this seed are used", message, StringComparison.Ordinal);
        Assert.Contains("Reveal and rotate the seed", message, StringComparison.Ordinal);
        Assert.Equal(rollsBefore, (await JsonAsync(bob, $"/rooms/{code}/log.json")).GetProperty("rolls").GetArrayLength()); // no roll
        Assert.Equal("3", NonceOf(await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d6")))); // no nonce taken

        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate")).Status);
        var again = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("4", NonceOf(again));
        var stored = await store.GetRollAsync(code, Id(again.Document.QuerySelector("[data-roll-id]")!));
        Assert.Equal((true, (int?)0), (stored!.Hidden, stored.Proof!.HiddenIndex)); // the new seed's first secret
    }

    [Fact]
    public async Task A_hidden_roll_shows_its_hash_and_nonce_to_everyone_and_its_values_only_to_the_dm()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var rolled = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d6"), ("hidden", "true"));
        var id = Id(rolled.Document.QuerySelector("[data-roll-id]")!);

        var row = (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        var bobLog = await JsonAsync(bob, $"/rooms/{code}/log.json");
        var deeLog = await JsonAsync(dee, $"/rooms/{code}/log.json");

        Assert.Null(row.GetAttribute("data-total"));
        var mark = row.QuerySelector("[data-verifiable]")!;
        Assert.Matches("^[0-9a-f]{64}$", mark.GetAttribute("data-hash"));
        Assert.Equal("1", mark.GetAttribute("data-nonce"));
        Assert.Contains("nonce 1", row.QuerySelector("[data-proof-line]")!.TextContent, StringComparison.Ordinal);
        var seen = bobLog.GetProperty("rolls").EnumerateArray().Single();
        Assert.All(Withheld, field => Assert.Equal(JsonValueKind.Null, seen.GetProperty(field).ValueKind));
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("fairness").GetProperty("salt").ValueKind);
        Assert.Equal(mark.GetAttribute("data-hash"), seen.GetProperty("fairness").GetProperty("hash").GetString());
        var dm = deeLog.GetProperty("rolls").EnumerateArray().Single();
        Assert.Equal(3, dm.GetProperty("individual_results").GetArrayLength());
        Assert.Equal(dm.GetProperty("fairness").GetProperty("hash").GetString(), HashOf(dm)); // the DM can check it with the salt
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Client.GetAsync(new Uri($"/api/permalink/{id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task The_room_log_lists_every_roll_in_chain_order_with_the_key_for_members_only()
    {
        using var alice = App.NewBrowser();
        using var stranger = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < 3; i++)
        {
            await alice.RollAsync(code, "1d8");
        }

        var log = await JsonAsync(alice, $"/rooms/{code}/log.json");
        using var refused = await stranger.Client.GetAsync(new Uri($"/rooms/{code}/log.json", UriKind.Relative));
        using var unknown = await stranger.Client.GetAsync(new Uri("/rooms/NOPE-0000/log.json", UriKind.Relative));

        Assert.Equal(code, log.GetProperty("room_code").GetString());
        Assert.Equal("Ed25519", log.GetProperty("key").GetProperty("algorithm").GetString());
        var rolls = log.GetProperty("rolls").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L], rolls.Select(r => r.GetProperty("fairness").GetProperty("sequence").GetInt64()));
        Assert.Equal(rolls[1].GetProperty("fairness").GetProperty("hash").GetString(), rolls[2].GetProperty("fairness").GetProperty("prev_hash").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        // A JSON endpoint refuses in JSON, the shape of its 400 and 429: {"error", "code"}.
        foreach (var (answer, errorCode) in new[] { (refused, "NOT_IN_ROOM"), (unknown, "ROOM_NOT_FOUND") })
        {
            Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
            using var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.Equal(errorCode, error.RootElement.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(error.RootElement.GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task Reveal_and_rotate_publishes_the_seed_and_every_page_gets_the_new_commitment()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        var id = Id(await bob.RollAsync(code, "1d20"));
        var old = Commitment(await dee.GetAsync($"/rooms/{code}"));
        Assert.NotNull((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#rotate-warning"));
        Assert.Null((await bob.GetAsync($"/rooms/{code}")).Document.QuerySelector("form[action$='/fairness/rotate']"));
        await using var stream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events");

        var refused = await bob.HtmxPostAsync($"/rooms/{code}/fairness/rotate");
        var rotated = await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate");

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("NOT_ADMIN", refused.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var fresh = Commitment(await bob.GetAsync($"/rooms/{code}"));
        Assert.NotEqual(old, fresh);
        var live = (await stream.NextOfTypeAsync("seed-rotated", 1, TimeSpan.FromSeconds(30)))[0];
        var swapped = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(live.Data).QuerySelector("#room-commitment")!;
        Assert.Equal(fresh, swapped.GetAttribute("data-commitment"));
        Assert.Equal("true", swapped.GetAttribute("hx-swap-oob"));
        var published = await JsonAsync(bob, $"/api/permalink/{id}");
        Assert.Equal(RoomSeed.SeedHashOf(old), RoomSeed.Commitment(RoomSeed.FromHex(published.GetProperty("fairness").GetProperty("server_seed").GetString())));
        var after = await JsonAsync(bob, $"/api/permalink/{Id(await bob.RollAsync(code, "1d20"))}");
        Assert.Equal(fresh, after.GetProperty("fairness").GetProperty("commitment").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("fairness").GetProperty("server_seed").ValueKind);
        Assert.Equal(2, after.GetProperty("fairness").GetProperty("sequence").GetInt64()); // the chain goes on across seeds
    }
}

public sealed class VerifiableRollEmbeddedTests(SharedApp shared) : VerifiableRollTests(shared)
{
    [Fact]
    public async Task A_seed_whose_room_expired_counts_as_published_when_its_permalink_is_asked_for()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:CleanupInterval"] = "40.00:00:00" }) { Clock = clock };
        using var alice = app.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var id = Id(await alice.RollAsync(code, "2d10"));
        Assert.Equal(JsonValueKind.Null, (await JsonAsync(alice, $"/api/permalink/{id}")).GetProperty("fairness").GetProperty("server_seed").ValueKind);

        clock.Advance(TimeSpan.FromDays(3)); // far past any room's TTL: the store drops it, and with it the seed

        var permalink = await JsonAsync(alice, $"/api/permalink/{id}");
        var (dice, total, _) = Replay(permalink);
        Assert.Equal(permalink.GetProperty("total").GetInt32(), total);
        Assert.Equal(permalink.GetProperty("individual_results").EnumerateArray().Select(e => e.GetInt32()), dice);
    }
}

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class VerifiableRollValkeyTests(ValkeyServer valkey, SharedApp shared) : VerifiableRollTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
