using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The roller sees the result where they are looking: next to the pad on a 360x740 phone, a busy button while the
/// roll is on its way (a second tap sends nothing), and a roll that could not be sent says so with a Retry that
/// re-sends the same request id, so it never rolls twice.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class RollSendingTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    private static bool IsRollPost(IRequest request) =>
        request.Method == "POST" && request.Url.EndsWith("/rolls", StringComparison.Ordinal);

    private static string RequestIdOf(IRequest request) =>
        Uri.UnescapeDataString(request.PostData!.Split('&').Single(f => f.StartsWith("request_id=", StringComparison.Ordinal))["request_id=".Length..]);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task On_a_360x740_phone_the_result_of_a_tap_on_d20_lands_in_view_next_to_the_pad(bool javaScript)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript);
        await alice.Page.SetViewportSizeAsync(360, 740);
        var code = await alice.CreateRoomAsync();
        if (javaScript)
        {
            await alice.WaitUntilLiveAsync();
        }

        await alice.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await alice.Page.Locator("#roll-count").FillAsync("2");
        await alice.DieButton(20).ClickAsync();
        var own = alice.Page.Locator("#roll-result > li[data-roll-id]");
        await Expect(own).ToHaveCountAsync(1);
        if (!javaScript)
        {
            Assert.EndsWith($"/rooms/{code}#your-roll", alice.Page.Url, StringComparison.Ordinal);
        }

        var box = (await own.BoundingBoxAsync())!;
        var total = (await own.Locator("[data-total-value]").BoundingBoxAsync())!;
        var d20 = (await alice.DieButton(20).BoundingBoxAsync())!;
        var scrollY = await alice.Page.EvaluateAsync<double>("() => window.scrollY");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"JS {(javaScript ? "on" : "off")}, 360x740: own result at y={box.Y:0}..{box.Y + box.Height:0} (total {total.Height:0} px tall), d20 button at y={d20.Y:0}, page scrolled {scrollY:0} px."));
        Assert.InRange(box.Y, 0, 740);
        Assert.InRange(box.Y + box.Height, 0, 740);
        Assert.InRange(d20.Y + d20.Height, 0, 740);
        Assert.True(total.Height >= 56, $"the total should be large, is {total.Height} px tall");
        await Expect(alice.Page.Locator("#roll-count")).ToHaveValueAsync("1");
        Assert.Equal("1d20", await alice.DieLabelAsync(20));
    }

    [Fact]
    public async Task On_a_desktop_the_own_result_is_in_view_and_announced()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.Page.SetViewportSizeAsync(1280, 800);
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        var rollId = await alice.RollDieAsync(12);

        var box = (await alice.Page.Locator($"#roll-result > li[data-roll-id='{rollId}']").BoundingBoxAsync())!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1280x800: own result at y={box.Y:0}..{box.Y + box.Height:0}."));
        Assert.InRange(box.Y + box.Height, 0, 800);
        var sentence = await alice.Page.Locator($"#roll-result > li[data-roll-id='{rollId}']").GetAttributeAsync("data-announce");
        Assert.Contains(sentence, await alice.AnnouncementsAsync());
    }

    [Fact]
    public async Task While_a_roll_is_on_its_way_its_button_is_busy_and_a_second_tap_sends_nothing()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var sent = new ConcurrentQueue<string>();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.Page.RouteAsync("**/rolls", async route =>
        {
            sent.Enqueue(RequestIdOf(route.Request));
            arrived.TrySetResult();
            await release.Task;
            await route.ContinueAsync();
        });

        var d20 = alice.DieButton(20);
        await d20.ClickAsync();
        await arrived.Task.WaitAsync(TimeSpan.FromMilliseconds(Person.StepTimeoutMs));
        await Expect(d20).ToHaveAttributeAsync("aria-busy", "true");
        await d20.ClickAsync();
        await alice.DieButton(6).ClickAsync();
        await alice.RollButton.ClickAsync();
        var busyWhileHeld = await d20.GetAttributeAsync("aria-busy");
        release.SetResult();

        await Expect(alice.Page.Locator("#roll-result > li[data-roll-id]")).ToHaveCountAsync(1);
        await Expect(d20).Not.ToHaveAttributeAsync("aria-busy", "true");
        await Expect(alice.Feed).ToHaveCountAsync(1);
        output.WriteLine($"Four taps while the first roll was held: {sent.Count} request(s) sent, button aria-busy={busyWhileHeld}; the feed shows 1 roll.");
        Assert.Single(sent);

        // The next tap is a new roll with a new request id.
        await alice.RollDieAsync(20);
        await Expect(alice.Feed).ToHaveCountAsync(2);
        Assert.Equal(2, sent.Distinct().Count());
    }

    [Fact]
    public async Task Offline_the_pad_says_the_roll_was_not_sent_and_Retry_sends_the_same_request_once()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var requestId = await alice.Page.Locator("#roll-form input[name=request_id]").InputValueAsync();

        await alice.Page.Locator("#roll-count").FillAsync("3");
        await alice.Context.SetOfflineAsync(true);
        // Chromium can answer the offline call before its network service fails new requests (a fresh-clone run sent the
        // roll right after it): tap only once a request from the page fails.
        await ValkeyCluster.WaitUntilAsync(
            () => alice.Page.EvaluateAsync<bool>("() => fetch('/api/health/live', { cache: 'no-store' }).then(() => false, () => true)"),
            TimeSpan.FromMilliseconds(Person.StepTimeoutMs), "a request from the page to fail after the context went offline");

        await alice.DieButton(8).ClickAsync();
        var failure = alice.Page.Locator("#roll-failure");
        await Expect(failure).ToBeVisibleAsync();
        await Expect(failure).ToContainTextAsync("not sent");
        await Expect(alice.DieButton(8)).Not.ToHaveAttributeAsync("aria-busy", "true");
        output.WriteLine($"Offline tap: the pad says \"{await failure.Locator("[data-roll-failure-text]").TextContentAsync()}\"");
        await alice.Context.SetOfflineAsync(false);

        var retry = await alice.Page.RunAndWaitForRequestAsync(
            () => failure.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync(), IsRollPost);

        Assert.Equal(requestId, RequestIdOf(retry));
        var own = alice.Page.Locator("#roll-result > li[data-roll-id]");
        await Expect(own.Locator("[data-formula]")).ToHaveTextAsync("3d8");
        await Expect(failure).ToBeHiddenAsync();
        await Expect(alice.Feed).ToHaveCountAsync(1);
        await Expect(alice.Page.Locator("#roll-count")).ToHaveValueAsync("1");
        Assert.NotEqual(requestId, await alice.Page.Locator("#roll-form input[name=request_id]").InputValueAsync());
    }

    [Fact]
    public async Task When_the_answer_is_lost_after_the_server_rolled_Retry_shows_that_roll_and_never_rolls_twice()
    {
        var server = await servers.GetAsync(Stores.Valkey);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await alice.Page.RouteAsync("**/rolls", async route =>
        {
            // The server makes the roll; its answer never reaches the phone (a dropped connection).
            await route.FetchAsync();
            lost.TrySetResult(RequestIdOf(route.Request));
            await route.AbortAsync("connectionreset");
        }, new() { Times = 1 });

        await alice.DieButton(20).ClickAsync();
        var failure = alice.Page.Locator("#roll-failure");
        await Expect(failure).ToBeVisibleAsync();
        var firstId = await lost.Task.WaitAsync(TimeSpan.FromMilliseconds(Person.StepTimeoutMs));
        var rolled = alice.Feed.First;
        await Expect(rolled).ToHaveCountAsync(1);
        var rolledId = await rolled.GetAttributeAsync("data-roll-id");

        var retry = await alice.Page.RunAndWaitForRequestAsync(
            () => failure.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync(), IsRollPost);

        Assert.Equal(firstId, RequestIdOf(retry));
        await Expect(alice.Page.Locator($"#roll-result > li[data-roll-id='{rolledId}']")).ToHaveCountAsync(1);
        await Expect(failure).ToBeHiddenAsync();
        await Expect(alice.Feed).ToHaveCountAsync(1);
        output.WriteLine($"Answer lost, then Retry with request id {firstId}: the pad shows roll {rolledId}; the feed has 1 roll.");
    }
}
