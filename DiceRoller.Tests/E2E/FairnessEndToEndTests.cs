using System.Net;
using DiceRoller.Tests.Fairness;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The proof, end to end on a real port: a game with public, hidden, exploding and advantage rolls, a seed
/// rotation and the room closed, then <c>scripts/verify.py</c> checks every roll from its permalink alone, trusting
/// nothing but the math (and the room log saved while the room lived).
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Trait(Tiers.Trait, Tiers.Tools)]
public sealed class FairnessEndToEndTests(ITestOutputHelper output)
{
    private static Browser NewBrowser(AppServer server, string agent)
    {
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        return new Browser(new HttpClient(handler) { BaseAddress = server.BaseAddress }, agent, cookies);
    }

    private static string Id(Page page) => page.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;

    private static async Task<string> RollAsync(Browser who, string code, params (string Name, string Value)[] fields)
    {
        var page = await who.HtmxPostAsync($"/rooms/{code}/rolls", fields);
        Assert.True(page.Status == HttpStatusCode.OK, $"roll failed: {(int)page.Status} {page.ErrorText}");
        return Id(page);
    }

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task Every_roll_of_a_closed_room_verifies_from_its_permalink_alone_with_verify_py(string store)
    {
        await using var server = await AppServer.StartAsync(store);
        using var dee = NewBrowser(server, "Dee/1.0");
        using var bob = NewBrowser(server, "Bob/1.0");
        var code = await dee.CreateRoomAsync("Dee", "dm-led");
        var joined = await bob.PostAsync("/join", ("room_code", code), ("player_name", "Bob"), ("client_seed", "bobs-own_seed"));
        Assert.Equal(HttpStatusCode.SeeOther, joined.Status);

        var ids = new List<string>
        {
            await RollAsync(bob, code, ("dice", "1d20"), ("modifier", "4")),
            await RollAsync(bob, code, ("dice", "1d20"), ("modifier", "2"), ("advantage", "advantage")),
            await RollAsync(bob, code, ("dice", "1d6!")),
            await RollAsync(dee, code, ("dice", "2d20kl1+1d4")),
        };
        var hidden = await RollAsync(dee, code, ("dice", "3d8+2"), ("hidden", "true"));
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{hidden}/reveal")).Status);
        ids.Add(hidden);
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/fairness/rotate")).Status);
        ids.Add(await RollAsync(bob, code, ("dice", "4d6kh3")));
        ids.Add(await RollAsync(dee, code, ("dice", "1d20"), ("hidden", "true"), ("modifier", "1")));
        Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/rolls/{ids[^1]}/reveal")).Status);
        var log = Path.Combine(Path.GetTempPath(), $"diceroller-log-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(log, await dee.Client.GetStringAsync(new Uri($"/rooms/{code}/log.json", UriKind.Relative)));

            Assert.Equal(HttpStatusCode.OK, (await dee.HtmxPostAsync($"/rooms/{code}/close")).Status);

            foreach (var id in ids)
            {
                var (exit, stdout, stderr) = await VerifyScriptTests.RunAsync(server.Url($"/roll/{id}"));
                output.WriteLine(stdout);
                Assert.True(exit == 0, $"verify.py failed for {id} (exit {exit}):\n{stdout}\n{stderr}");
                var checks = stdout.Split('\n').Where(l => l.StartsWith("PASS ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal)
                    || l.StartsWith("PENDING ", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(checks);
                // Everything passes; only a later roll's link to the previous one waits for the log (checked below).
                Assert.All(checks, l => Assert.True(l.StartsWith("PASS ", StringComparison.Ordinal)
                    || (l.StartsWith("PENDING ", StringComparison.Ordinal) && l.Contains(") chain: the previous roll", StringComparison.Ordinal)), l));
                Assert.Contains(checks, l => l.Contains(" dice", StringComparison.Ordinal));
                Assert.Contains(checks, l => l.Contains(" signature", StringComparison.Ordinal));
            }

            // The log saved while the room lived: chain, nonces and signatures pass; nothing fails.
            var (logExit, logOut, logErr) = await VerifyScriptTests.RunAsync(log);
            output.WriteLine(logOut);
            Assert.True(logExit == 0, $"verify.py failed for the room log (exit {logExit}):\n{logOut}\n{logErr}");
            Assert.DoesNotContain("FAIL ", logOut, StringComparison.Ordinal);
            Assert.Contains(logOut.Split('\n'), l => l.StartsWith("PASS ", StringComparison.Ordinal) && l.Contains(" chain", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
