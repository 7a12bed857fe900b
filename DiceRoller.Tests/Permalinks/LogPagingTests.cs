using System.Net;
using System.Text.Json;
using DiceRoller.Tests.Fairness;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Permalinks;

/// <summary>
/// <c>GET /rooms/{CODE}/log.json</c> answers in pages (at most 500 rolls, the newest page by default, prev/next links in
/// the JSON and a Link header), with an ETag, rate-limited per member; the pages together verify as one chain.
/// </summary>
public abstract class LogPagingTests(ITestOutputHelper output) : AppTest
{
    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(Browser browser, string url, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        var response = await browser.Client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static JsonElement Json(byte[] body) => JsonDocument.Parse(body).RootElement.Clone();

    [Fact]
    public async Task A_room_of_more_than_500_rolls_comes_in_linked_pages_that_verify_as_one_chain()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        // The rolls are the set-up, not the subject (the roll endpoint has tests of its own): Alice's 503 rolls go through the
        // app's roll service as her roll posts do (start, draw, sign, permalink, append), without the HTTP round trip each.
        var rolling = System.Diagnostics.Stopwatch.StartNew();
        var room = (await App.Services.GetRequiredService<DiceRoller.Rooms.IRoomStore>().GetAsync(code))!;
        var rolls = App.Services.GetRequiredService<DiceRoller.Rolls.RollService>();
        for (var i = 0; i < 503; i++)
        {
            var roll = await rolls.RollAsync(room, room.Players.Single(), new DiceRoller.Rolls.RollForm("100d1000", "0", "none", null));
            Assert.True(roll.Value is not null, $"roll {i + 1} failed: {roll.Error}");
        }

        output.WriteLine($"503 rolls of 100d1000: {rolling.ElapsedMilliseconds} ms");

        var (newestResponse, newestBody) = await GetAsync(alice, $"/rooms/{code}/log.json");
        var newest = Json(newestBody);
        output.WriteLine($"newest page of 500 rolls of 100d1000: {newestBody.Length:N0} bytes ({newestBody.Length / 500:N0} per roll)");
        Assert.Equal(HttpStatusCode.OK, newestResponse.StatusCode);
        Assert.Equal(500, newest.GetProperty("rolls").GetArrayLength());
        Assert.Equal(503, newest.GetProperty("total_rolls").GetInt32());
        Assert.Equal(4, newest.GetProperty("first").GetInt32());
        Assert.Equal(code, newest.GetProperty("room_code").GetString());
        Assert.Equal($"/rooms/{code}/log.json?before=4", newest.GetProperty("prev").GetString());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("next").ValueKind);
        Assert.Equal($"</rooms/{code}/log.json?before=4>; rel=\"prev\"", newestResponse.Headers.GetValues("Link").Single());
        Assert.True(newestResponse.Headers.CacheControl?.NoStore);
        Assert.Equal(4, newest.GetProperty("rolls")[0].GetProperty("fairness").GetProperty("sequence").GetInt64());

        var (olderResponse, olderBody) = await GetAsync(alice, newest.GetProperty("prev").GetString()!);
        var older = Json(olderBody);
        Assert.Equal(HttpStatusCode.OK, olderResponse.StatusCode);
        Assert.Equal(3, older.GetProperty("rolls").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, older.GetProperty("prev").ValueKind);
        Assert.Equal($"/rooms/{code}/log.json", older.GetProperty("next").GetString());
        Assert.Equal($"</rooms/{code}/log.json>; rel=\"next\"", olderResponse.Headers.GetValues("Link").Single());

        // The chain links across the pages: the newest page's first roll points at the older page's last.
        Assert.Equal(older.GetProperty("rolls")[2].GetProperty("fairness").GetProperty("hash").GetString(),
            newest.GetProperty("rolls")[0].GetProperty("fairness").GetProperty("prev_hash").GetString());

        // The site's own /verify checks the largest page the site serves (Verify:MaxLogBytes holds it): no 413.
        using (var form = await VerifyForm.OfPageAsync(alice))
        {
            form.Add(new ByteArrayContent(newestBody), "log");
            using var checkedPage = await alice.Client.PostAsync(new Uri("/verify", UriKind.Relative), form);
            var verified = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await checkedPage.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, checkedPage.StatusCode);
            Assert.Null(verified.QuerySelector("[data-error-code]"));
            Assert.NotEmpty(verified.QuerySelectorAll("li[data-check=signature][data-status=passed]"));
            Assert.Empty(verified.QuerySelectorAll("li[data-check][data-status=failed]"));
        }

        var dir = Directory.CreateTempSubdirectory("log-pages-");
        try
        {
            var newestFile = Path.Combine(dir.FullName, "newest.json");
            var olderFile = Path.Combine(dir.FullName, "older.json");
            await File.WriteAllBytesAsync(newestFile, newestBody);
            await File.WriteAllBytesAsync(olderFile, olderBody);
            // Both runs at once (two processes, each its own verdict): the pages together, and the newest page alone.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var bothRun = VerifyScriptTests.RunAsync(newestFile, olderFile);
            var oneRun = VerifyScriptTests.RunAsync(newestFile);
            var (bothCode, bothOut, bothErr) = await bothRun;
            output.WriteLine($"verify.py over both pages: {clock.ElapsedMilliseconds} ms; {bothOut.Split('\n').Last(l => l.Length > 0)}");
            Assert.True(bothCode == 0, bothErr + bothOut[^Math.Min(bothOut.Length, 2000)..]);
            Assert.DoesNotContain("FAIL ", bothOut, StringComparison.Ordinal);
            Assert.Contains("PASS roll #4 ", bothOut.Split('\n').Single(l => l.StartsWith("PASS roll #4 ", StringComparison.Ordinal) && l.Contains(" chain:", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Contains("first roll of the room", bothOut, StringComparison.Ordinal);

            // One page alone: nothing fails, its first link is pending, and the script says where the rest is.
            var (oneCode, oneOut, _) = await oneRun;
            output.WriteLine($"verify.py over the newest page alone, beside it: {clock.ElapsedMilliseconds} ms");
            Assert.Equal(0, oneCode);
            Assert.Contains("NOTE", oneOut, StringComparison.Ordinal);
            Assert.Contains("PENDING roll #4 ", oneOut, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_etag_answers_304_until_a_new_roll_changes_the_page()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);

        var (first, firstBody) = await GetAsync(alice, $"/rooms/{code}/log.json");
        var etag = first.Headers.ETag!.Tag;
        var (again, againBody) = await GetAsync(alice, $"/rooms/{code}/log.json", etag);
        await alice.RollAsync(code);
        var (changed, changedBody) = await GetAsync(alice, $"/rooms/{code}/log.json", etag);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, Json(firstBody).GetProperty("rolls").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(againBody);
        Assert.Equal(etag, again.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        Assert.Equal(2, Json(changedBody).GetProperty("rolls").GetArrayLength());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("99999999999999999999")]
    public async Task A_cursor_that_is_not_a_position_is_a_clear_400(string before)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var (response, body) = await GetAsync(alice, $"/rooms/{code}/log.json?before={Uri.EscapeDataString(before)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BAD_REQUEST", Json(body).GetProperty("code").GetString());
        Assert.Contains("before", Json(body).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_the_limit_a_member_gets_a_clear_429_with_retry_after_and_others_do_not()
    {
        await using var app = new AppFactory(ValkeyConnection, new Dictionary<string, string?> { ["Permalinks:LogLimit"] = "2" });
        using var alice = app.NewBrowser("Alice/1.0");
        using var bob = app.NewBrowser("Bob/1.0");
        var code = await alice.CreateRoomAsync();
        await bob.JoinAsync(code, "Bob");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            answers.Add((await GetAsync(alice, $"/rooms/{code}/log.json")).Response.StatusCode);
        }

        var (refused, body) = await GetAsync(alice, $"/rooms/{code}/log.json");
        var (bobs, _) = await GetAsync(bob, $"/rooms/{code}/log.json");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], answers);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/json", refused.Content.Headers.ContentType?.MediaType);
        var error = Json(body);
        Assert.Equal("RATE_LIMIT", error.GetProperty("code").GetString());
        Assert.Contains("Slow down", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(error.GetProperty("retry_after").GetInt32(), (int)refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
        Assert.True(refused.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.OK, bobs.StatusCode);
    }
}

public sealed class LogPagingEmbeddedTests(ITestOutputHelper output) : LogPagingTests(output);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class LogPagingValkeyTests(ValkeyServer valkey, ITestOutputHelper output) : LogPagingTests(output)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
