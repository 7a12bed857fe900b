namespace DiceRoller.Tests.Infrastructure;

public static class RepoRoot
{
    /// <summary>The repository's top folder (the one holding DiceRoller.sln).</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "DiceRoller.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DiceRoller.sln not found above " + AppContext.BaseDirectory);
    }
}
