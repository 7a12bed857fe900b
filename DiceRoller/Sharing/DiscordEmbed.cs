using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Sharing;

/// <summary>The JSON body of one webhook post (Discord's "Execute Webhook"): one embed per roll, no mentions ever.</summary>
public sealed record DiscordMessage(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("allowed_mentions")] DiscordAllowedMentions AllowedMentions,
    [property: JsonPropertyName("embeds")] IReadOnlyList<DiscordEmbed> Embeds);

public sealed record DiscordAllowedMentions([property: JsonPropertyName("parse")] IReadOnlyList<string> Parse);

public sealed record DiscordEmbed(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("color")] int Color,
    [property: JsonPropertyName("author")] DiscordAuthor Author,
    [property: JsonPropertyName("fields")] IReadOnlyList<DiscordField> Fields,
    [property: JsonPropertyName("footer")] DiscordFooter Footer,
    [property: JsonPropertyName("timestamp")] string Timestamp);

public sealed record DiscordAuthor([property: JsonPropertyName("name")] string Name);

public sealed record DiscordField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("inline")] bool Inline);

public sealed record DiscordFooter([property: JsonPropertyName("text")] string Text);

/// <summary>
/// A roll as a Discord embed: the player (author), formula and total (title), the dice, a natural 20 or 1, the DC's pass or
/// fail, and the permalink (the title links to it). Players type their names and labels: Discord's markdown is escaped and
/// mentions are off, so a name cannot ping a channel. Pure: no I/O.
/// </summary>
public static class DiscordEmbeds
{
    public const string Username = "DiceRoller";

    // Discord's limits: title 256, field value 1024, author name 256, footer 2048.
    private const int TitleMax = 256;
    private const int FieldMax = 1024;

    private const int Plain = 0x4338CA;
    private const int CritSuccess = 0x15803D;
    private const int CritFailure = 0xB91C1C;

    public static DiscordMessage For(Roll roll, string permalinkUrl)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var formula = roll.Label is { Length: > 0 } label ? $"{roll.DiceFormula} ({label})" : roll.DiceFormula;
        var fields = new List<DiscordField>
        {
            new("Dice", Cut(Dice(roll), FieldMax), Inline: false),
            new("Total", roll.Total.ToString(CultureInfo.InvariantCulture), Inline: true),
        };
        if (roll.Crit is { } crit)
        {
            fields.Add(new("Natural", crit == "success" ? "Natural 20!" : "Natural 1", Inline: true));
        }

        if (roll.AppliedDc is { } dc)
        {
            fields.Add(new($"DC {dc.Dc.ToString(CultureInfo.InvariantCulture)}", dc.Passed ? "Success" : "Failure", Inline: true));
        }

        var color = roll.Crit switch { "success" => CritSuccess, "failure" => CritFailure, _ => Plain };
        var footer = $"Room {roll.RoomCode} · roll #{roll.Sequence.ToString(CultureInfo.InvariantCulture)}" + (roll.Hidden ? " · revealed" : "");
        var embed = new DiscordEmbed(
            Cut($"{Escape(roll.PlayerName)} rolled {Escape(formula)}: {roll.Total.ToString(CultureInfo.InvariantCulture)}", TitleMax),
            permalinkUrl, color, new DiscordAuthor(Cut(roll.PlayerName, 256)), fields, new DiscordFooter(footer),
            DateTimeOffset.FromUnixTimeMilliseconds(roll.Timestamp).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        return new DiscordMessage(Username, new DiscordAllowedMentions([]), [embed]);
    }

    /// <summary>Each term with its dice: <c>2d20kh1 [17, ~~4~~] + 5</c> (dropped and rerolled dice struck through).</summary>
    public static string Dice(Roll roll)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var text = new StringBuilder();
        foreach (var term in roll.DisplayTerms)
        {
            var negative = term.Notation.StartsWith('-');
            if (text.Length > 0 || negative)
            {
                text.Append(negative ? " − " : " + ");
            }

            var body = negative ? term.Notation[1..] : term.Notation;
            if (term.Dice.Count == 0 && !body.Contains('d', StringComparison.Ordinal))
            {
                text.Append(body);
                continue;
            }

            text.Append(Escape(body)).Append(" [")
                .AppendJoin(", ", term.Dice.Select(d => d.Fate is DieFate.Dropped or DieFate.Rerolled
                    ? $"~~{d.Value.ToString(CultureInfo.InvariantCulture)}~~"
                    : d.Value.ToString(CultureInfo.InvariantCulture) + (d.Fate == DieFate.Exploded ? "!" : "")))
                .Append(']');
        }

        return text.Length == 0 ? "—" : text.ToString();
    }

    /// <summary>Discord markdown characters backslash-escaped, so a name shows as typed and formats nothing.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '\\' or '*' or '_' or '~' or '`' or '|' or '>' or '#' or '[' or ']' or '(' or ')' or '@' or '<' or ':')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
