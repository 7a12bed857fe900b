using NetArchTest.Rules;

namespace DiceRoller.Tests.Architecture;

/// <summary>
/// The dependency rule (docs/architecture.md, "Dependency rule"): each folder of the app may use the folders below it
/// and never one above it or beside it, so a change to a feature can only ripple outward. The check reads the compiled
/// IL (NetArchTest.eNhancedEdition, Mono.Cecil), so a type used only inside a method body, a lambda or an async method counts too, and
/// the Razor slices count with the folder they sit in.
/// </summary>
public sealed class DependencyRuleTests
{
    /// <summary>Lowest first. A folder may depend on folders of a lower rank only; folders of one rank not on each other.</summary>
    internal static readonly string[][] Layers =
    [
        ["Shared"],
        ["Dice"],
        ["Fairness"],
        ["Rooms"],
        ["Rolls"],
        ["Initiative", "Sharing"],
        ["Live", "Permalinks", "Pages"],
        ["Storage"],
        ["Infrastructure"],
    ];

    private const string Templates = "AspNetCoreGeneratedDocument";

    private static readonly System.Reflection.Assembly App = typeof(DiceRoller.Dice.DiceEngine).Assembly;

    /// <summary>The app's types as NetArchTest reads them (Cecil), read once: every rule starts from them (as NetArchTest's own tests share one).</summary>
    private static readonly Lazy<Types> AppTypes = new(() => Types.InAssembly(App));

    public static TheoryData<string> Folders() => [.. Layers.SelectMany(l => l)];

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_only_the_folders_below_it(string folder)
    {
        var rank = Array.FindIndex(Layers, l => l.Contains(folder));
        var forbidden = Layers.Skip(rank).SelectMany(l => l).Where(f => f != folder).ToArray();

        var violations = forbidden
            .SelectMany(other => new[]
                {
                    AppTypes.Value.That().ResideInNamespace($"DiceRoller.{folder}"),
                    // A template's body compiles to AspNetCoreGeneratedDocument.{Folder}_{Name}; its proxy type is in the folder's namespace.
                    AppTypes.Value.That().ResideInNamespace(Templates).And().HaveNameStartingWith($"{folder}_"),
                }
                .SelectMany(types => types.Should().NotHaveDependencyOnAny($"DiceRoller.{other}").GetResult().FailingTypes ?? [])
                .Select(type => $"{type.FullName} -> {other}"))
            .ToList();

        Assert.True(violations.Count == 0,
            $"{folder} may use only {string.Join(", ", Layers.Take(rank).SelectMany(l => l).DefaultIfEmpty("nothing"))}; " +
            $"reverse dependencies:\n  {string.Join("\n  ", violations)}");
    }

    [Fact]
    public void Every_folder_of_the_app_has_a_place_in_the_order()
    {
        var known = Layers.SelectMany(l => l).Select(f => $"DiceRoller.{f}").ToHashSet();
        var namespaces = App.GetTypes().Where(t => !t.IsNested).Select(t => t.Namespace).OfType<string>()
            .Where(n => n.StartsWith("DiceRoller.", StringComparison.Ordinal))
            .Select(n => string.Join('.', n.Split('.').Take(2)))
            .Distinct()
            .ToList();
        var templateFolders = App.GetTypes().Where(t => !t.IsNested && t.Namespace == Templates && t.Name.IndexOf('_', StringComparison.Ordinal) > 0)
            .Select(t => $"DiceRoller.{t.Name[..t.Name.IndexOf('_', StringComparison.Ordinal)]}")
            .Distinct()
            .ToList();

        Assert.NotEmpty(templateFolders);
        Assert.All(namespaces.Concat(templateFolders), n => Assert.Contains(n, known));
    }

    [Fact]
    public void The_rule_sees_a_dependency_that_exists()
    {
        // The check must be able to fail: Rolls does use Rooms, so asking Rolls not to must fail.
        var result = AppTypes.Value.That().ResideInNamespace("DiceRoller.Rolls")
            .Should().NotHaveDependencyOnAny("DiceRoller.Rooms").GetResult();

        Assert.False(result.IsSuccessful);
    }
}
