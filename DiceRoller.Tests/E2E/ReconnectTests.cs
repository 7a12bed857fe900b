using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// A page whose live stream drops must catch up on what it missed, each roll exactly once, in order.
/// htmx 2's sse extension replaces a failed EventSource with a new one that sends no Last-Event-ID, so the
/// page keeps its last sequence in the stream URL (<c>?after=N</c>, kept current by static/js/app.js).
/// Alice reaches the app through a <see cref="NetworkLink"/> the test cuts; Bob connects directly.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    /// <summary>
    /// <see cref="Outage.BadGateway"/>: Chromium's EventSource gives up on the 502 and htmx opens a new one from
    /// <c>sse-connect</c>, so only <c>?after=N</c> says where to resume.
    /// <see cref="Outage.ConnectionReset"/>: Chromium's EventSource retries by itself and sends Last-Event-ID.
    /// </summary>
    [Theory]
    [InlineData(Stores.Embedded, Outage.BadGateway)]
    [InlineData(Stores.Valkey, Outage.BadGateway)]
    [InlineData(Stores.Embedded, Outage.ConnectionReset)]
    [InlineData(Stores.Valkey, Outage.ConnectionReset)]
    public async Task Page_catches_up_on_rolls_missed_while_offline_each_once_in_order(string store, Outage outage)
    {
        var server = await servers.GetAsync(store);
        await using var link = new NetworkLink(server.BaseAddress);
        await using var alice = await Person.OpenAsync(chromium, link.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        var code = await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        await bob.JoinAsync(code);
        await bob.WaitUntilLiveAsync();

        await bob.RollAsync();
        await alice.RollAsync();
        await bob.RollAsync();
        await Expect(alice.Feed).ToHaveCountAsync(3);
        var lastSeen = (await alice.FeedRowsAsync())[0].Sequence;
        await ExpectStreamUrlEndsAfter(alice, lastSeen);

        var streams = new ConcurrentQueue<IResponse>();
        var badGateway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath == $"/rooms/{code}/events")
            {
                streams.Enqueue(response);
                if (response.Status == 502)
                {
                    badGateway.TrySetResult();
                }
            }
        };

        link.Cut(outage);
        await Expect(alice.ConnectionStatus).ToHaveAttributeAsync("data-state", "reconnecting");
        if (outage == Outage.BadGateway)
        {
            // The 502 closes Chromium's EventSource for good: what resumes below is htmx's new one.
            await badGateway.Task.WaitAsync(TimeSpan.FromMilliseconds(Person.StepTimeoutMs));
        }

        await bob.RollAsync();
        await bob.RollAsync();
        await Expect(bob.Feed).ToHaveCountAsync(5);
        Assert.Equal(3, await alice.Feed.CountAsync()); // Alice is really cut off

        var offline = System.Diagnostics.Stopwatch.StartNew();
        link.Restore();
        await Expect(alice.Feed).ToHaveCountAsync(5);
        await alice.WaitUntilLiveAsync();
        output.WriteLine($"{store}, {outage}: caught up {offline.ElapsedMilliseconds} ms after the network came back.");

        var aliceRows = await alice.FeedRowsAsync();
        Assert.Equal(await bob.FeedRowsAsync(), aliceRows);
        FeedAssert.NewestFirstWithoutGaps(aliceRows);
        Assert.Equal(aliceRows.Select(r => r.Sequence).Reverse(), await alice.RollEventsReceivedAsync()); // none sent twice
        await ExpectStreamUrlEndsAfter(alice, aliceRows[0].Sequence);

        var resumed = streams.LastOrDefault(r => r.Status == 200)?.Request;
        Assert.NotNull(resumed);
        var lastEventId = await resumed.HeaderValueAsync("last-event-id");
        var after = QueryHelpers.ParseQuery(new Uri(resumed.Url).Query)["after"].ToString();
        output.WriteLine($"Resumed with {resumed.Url} (Last-Event-ID: {lastEventId ?? "none"}).");
        var expected = lastSeen.ToString(CultureInfo.InvariantCulture);
        if (outage == Outage.BadGateway)
        {
            Assert.Null(lastEventId);
            Assert.Equal(expected, after);
        }
        else
        {
            Assert.Equal(expected, lastEventId);
        }
    }

    [Fact]
    public async Task Page_shows_players_who_joined_while_offline()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var link = new NetworkLink(server.BaseAddress);
        await using var alice = await Person.OpenAsync(chromium, link.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        var code = await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        link.Cut(Outage.BadGateway);
        await Expect(alice.ConnectionStatus).ToHaveAttributeAsync("data-state", "reconnecting");
        await bob.JoinAsync(code);
        await bob.RollAsync();
        link.Restore();

        await Expect(alice.Feed).ToHaveCountAsync(1); // the stream is back and has caught up on rolls
        await Expect(alice.Roster.Filter(new() { HasText = "Bob" })).ToHaveCountAsync(1);
    }

    private static Task ExpectStreamUrlEndsAfter(Person person, long sequence) =>
        Expect(person.Live).ToHaveAttributeAsync("sse-connect",
            new Regex($@"\?after={sequence.ToString(CultureInfo.InvariantCulture)}$", RegexOptions.None, TimeSpan.FromSeconds(1)));
}
