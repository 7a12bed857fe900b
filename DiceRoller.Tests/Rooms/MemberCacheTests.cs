using System.Net;
using DiceRoller.Infrastructure;
using DiceRoller.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// No answer of a room's routes may be kept by a browser or proxy cache: the routes are read from the app's own
/// endpoint list, so a route added later is checked without anyone remembering to list it. On both stores.
/// </summary>
public abstract class MemberCacheTests : AppTest
{
    [Fact]
    public async Task Every_room_route_answers_a_member_with_no_store()
    {
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Any(p => p.Name == "code"))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct().OrderBy(r => r.Pattern, StringComparer.Ordinal).ToList();

        // The list is the app's, not a copy: it holds the routes the issue named (and many more).
        Assert.Contains(("GET", "/rooms/{code}/rolls"), routes);
        Assert.Contains(("GET", "/rooms/{code}/log.json"), routes);
        Assert.Contains(("POST", "/rooms/{code}/kick"), routes);
        Assert.True(routes.Count >= 20, $"only {routes.Count} room routes found");
        Assert.All(routes, r => Assert.True(MemberResponses.IsRoomRoute(
            App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().First(e => "/" + e.RoutePattern.RawText!.TrimStart('/') == r.Pattern).RoutePattern)));

        var missing = new List<string>();
        foreach (var (method, pattern) in routes)
        {
            // A fresh table for each route: some of them close the room or remove a player.
            await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
            var (code, dee) = table;
            var hidden = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
            var rollId = hidden.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
            await dee.GetAsync($"/rooms/{code}"); // the form token of the DM's page
            var path = pattern.Replace("{code}", code, StringComparison.Ordinal).Replace("{rollId}", rollId, StringComparison.Ordinal)
                .Replace("{id}", "0123456789abcdef", StringComparison.Ordinal).Replace("{token}", "not-a-token", StringComparison.Ordinal)
                .Replace("{entryId}", "0123456789abcdef", StringComparison.Ordinal);
            Assert.DoesNotContain("{", path, StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), method == "GET" ? path + "?before=1000" : path);
            request.Headers.UserAgent.ParseAdd("Dee/1.0");
            if (method == "POST")
            {
                request.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", dee.Token!)]);
            }

            using var response = await dee.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var cacheControl = response.Headers.CacheControl;
            if (cacheControl?.NoStore != true)
            {
                missing.Add($"{method} {pattern} -> {(int)response.StatusCode} Cache-Control: {cacheControl?.ToString() ?? "(none)"}");
            }

            Assert.True((int)response.StatusCode < 500, $"{method} {pattern} answered {(int)response.StatusCode}");
        }

        Assert.True(missing.Count == 0, "member answers that a cache may keep:\n" + string.Join("\n", missing));
    }

    [Fact]
    public async Task Load_earlier_rolls_with_the_dms_hidden_totals_is_no_store()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee) = table;
        await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{code}/rolls?before=1000");
        request.Headers.UserAgent.ParseAdd("Dee/1.0");
        request.Headers.Add("HX-Request", "true");
        using var response = await dee.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.NotNull(document.QuerySelector("[data-hidden]")); // the DM's view of the hidden roll is in it
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }
}

public sealed class MemberCacheEmbeddedTests : MemberCacheTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class MemberCacheValkeyTests(ValkeyServer valkey) : MemberCacheTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
