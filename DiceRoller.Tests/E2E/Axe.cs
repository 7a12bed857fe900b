using System.Text.Json;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Playwright;

namespace DiceRoller.Tests.E2E;

/// <summary>One axe-core finding: a rule, how bad (or "needs review" when axe could not decide), and the elements it found.</summary>
public sealed record AxeViolation(string Id, string Impact, string Help, IReadOnlyList<string> Nodes)
{
    public bool IsSeriousOrWorse => Impact is "serious" or "critical";

    public override string ToString() => $"{Impact} {Id}: {Help}\n    {string.Join("\n    ", Nodes)}";
}

/// <summary>
/// Runs axe-core (the pinned <c>node_modules/axe-core/axe.min.js</c>, installed by <c>npm ci</c> in scripts/test.sh)
/// in the page, against the WCAG 2.0, 2.1 and 2.2 A and AA rules plus axe's best practices.
/// </summary>
public static class Axe
{
    private static readonly string Script = Path.Combine(RepoRoot.Path, "node_modules", "axe-core", "axe.min.js");

    public static async Task<IReadOnlyList<AxeViolation>> RunAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!File.Exists(Script))
        {
            throw new InvalidOperationException($"axe-core is missing at {Script}. Run `npm ci` (scripts/test.sh does).");
        }

        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            // Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP (script-src 'self') rightly refuses inline scripts.
            await page.EvaluateAsync(await File.ReadAllTextAsync(Script));
        }

        var json = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              // A roll's plate fades in (0.3-0.6 s): colours measured mid-fade are not the ones a reader sees, so axe
              // runs once every finite animation on the page has finished.
              await Promise.all(document.getAnimations()
                .filter(a => a.effect?.getComputedTiming().endTime !== Infinity)
                .map(a => a.finished.catch(() => null)));
              const result = await axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
                resultTypes: ["violations", "incomplete"],
              });
              const found = (list, impact) => list.map(v => ({
                id: v.id, impact: impact || v.impact || "", help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " | " + (n.failureSummary || "").replace(/\s+/g, " ")),
              }));
              return found(result.violations).concat(found(result.incomplete, "needs review"));
            }
            """);
        return json.EnumerateArray().Select(v => new AxeViolation(
            v.GetProperty("id").GetString()!,
            v.GetProperty("impact").GetString()!,
            v.GetProperty("help").GetString()!,
            v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!).ToList())).ToList();
    }
}
