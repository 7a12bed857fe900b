using System.Reflection;
using DiceRoller.Storage;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// The Valkey scripts live in <c>Storage/Valkey/Lua/*.lua</c>, embedded in the app: each one loads (no server needed), holds
/// code and not only its comment header, and every file is used by a script.
/// </summary>
public sealed class ValkeyScriptsTests
{
    private static readonly Assembly App = typeof(ValkeyScripts).Assembly;

    private static Dictionary<string, string> Scripts() =>
        typeof(ValkeyScripts).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetValue(null)!);

    [Fact]
    public void Every_script_loads_from_its_embedded_files_without_the_comment_header()
    {
        var scripts = Scripts();

        Assert.True(scripts.Count >= 20, $"only {scripts.Count} scripts");
        Assert.All(scripts, s => Assert.Contains("redis.call(", s.Value, StringComparison.Ordinal));
        Assert.All(scripts, s => Assert.False(s.Value.StartsWith("--", StringComparison.Ordinal), $"{s.Key} starts with its file's comment header"));
        Assert.Contains("local function touch(ttl)", scripts[nameof(ValkeyScripts.Create)], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_embedded_lua_file_is_part_of_a_script()
    {
        var files = App.GetManifestResourceNames().Where(n => n.StartsWith("DiceRoller.Lua.", StringComparison.Ordinal)).ToList();
        var code = string.Join("\n", Scripts().Values);

        Assert.NotEmpty(files);
        Assert.All(files, name =>
        {
            using var reader = new StreamReader(App.GetManifestResourceStream(name)!);
            var body = string.Join("\n", reader.ReadToEnd().ReplaceLineEndings("\n").Split('\n').SkipWhile(l => l.StartsWith("--", StringComparison.Ordinal))).TrimEnd('\n');
            Assert.Contains(body, code, StringComparison.Ordinal);
        });
    }
}
