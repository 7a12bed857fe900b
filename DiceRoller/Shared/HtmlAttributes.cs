using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace DiceRoller.Shared;

/// <summary>
/// Razor keeps <c>data-*</c> attributes even when their value is null, so attributes that must be absent
/// (a hidden roll's total, say) are written with this helper: nothing at all when the value is null.
/// </summary>
public static class HtmlAttributes
{
    public static IHtmlContent Optional(string name, object? value)
    {
        var text = value switch
        {
            null => null,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        return text is null ? HtmlString.Empty : new HtmlString($" {name}=\"{HtmlEncoder.Default.Encode(text)}\"");
    }

    /// <summary>An ISO 8601 UTC timestamp for <c>&lt;time datetime&gt;</c>.</summary>
    public static string IsoUtc(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
