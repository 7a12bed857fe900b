using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Html;

namespace DiceRoller.Shared;

/// <summary>
/// The static files under <c>/static/</c>, addressed by fingerprinted URLs (<c>?v=</c> + content hash)
/// so they can be cached for a year and still change the moment a file does.
/// </summary>
public sealed class AssetCatalog(string root)
{
    public const string RequestPath = "/static";
    private readonly ConcurrentDictionary<string, string> _urls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IHtmlContent> _inline = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    public string Url(string relativePath) => _urls.GetOrAdd(relativePath, path =>
    {
        var file = Path.Combine(Root, path);
        if (!File.Exists(file))
        {
            return $"{RequestPath}/{path}";
        }

        using var stream = File.OpenRead(file);
        var hash = Convert.ToHexStringLower(SHA256.HashData(stream))[..12];
        return $"{RequestPath}/{path}?v={hash}";
    });

    /// <summary>
    /// A small file's text to put in the page itself (the stylesheet: one round trip fewer on a slow network).
    /// Only for our own built files, never for anything a user sent.
    /// </summary>
    public IHtmlContent Inline(string relativePath) => _inline.GetOrAdd(relativePath, path =>
    {
        var file = Path.Combine(Root, path);
        return File.Exists(file) ? new HtmlString(File.ReadAllText(file)) : HtmlString.Empty;
    });

    /// <summary>The <c>static/</c> folder copied beside the app, or the repository's own when run from source.</summary>
    public static string FindRoot(string contentRoot)
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "static"),
            Path.Combine(contentRoot, "static"),
            Path.GetFullPath(Path.Combine(contentRoot, "..", "static")),
        ];
        return candidates.FirstOrDefault(Directory.Exists) ?? candidates[0];
    }
}
