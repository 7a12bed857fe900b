using System.Text;

namespace DiceRoller.Tests.Security;

/// <summary>
/// Hostile values for form fields and route parameters: control characters, long and huge strings, negative and
/// huge numbers, Unicode digits and confusables, markup, path tricks, plus generated random junk from a seed.
/// </summary>
public static class FuzzCorpus
{
    public static readonly string[] Values =
    [
        "", " ", "\0", "a\0b", "1d20\0", "\u0001\u0002\u0003", "\u001b[31mred", "\r\nSet-Cookie: dr_x=1", "\t\n\r",
        new string('A', 2_100), new string('9', 5_000), new string('\u00e9', 3_000),
        "-1", "-0", "0", "-2147483649", "2147483648", "99999999999999999999999", "1e9", "NaN", "Infinity", "0x1F", "+-5", "--3", "1_000",
        "\u0661d20", "1d\u0662\u0660", "1d20+\u0665", "\uff11d20", "\u0662\u0660", "\u0661\u0662", "\u096b", "\u00b2", "\u2463",
        "\u0410lma", "Al\u200bma", "\u202eamlA", "Zo\u0065\u0308", "\ud83c\udfb2", "\ufeffBob", "\u0000\u0000",
        "<script>alert(1)</script>", "\"><img src=x>", "{{7*7}}", "${jndi:ldap://x}", "' OR 1=1 --", "%00", "%zz", "%",
        "../../etc/passwd", "..%2F..%2F", "/rooms/ALPHA-1234", "javascript:alert(1)", "room:{X}:players", "*", "\\",
        "true", "on", "off", "yes", "advantage", "disadvantage", "open", "dm-led", "DM-LED", "1d20", "100d100", "0d6", "1d7", "1d20+999",
    ];

    /// <summary>Numbers in disguise (other scripts' digits, NUL, overflow): sent in every field of every route.</summary>
    public static readonly HashSet<string> DisguisedNumbers = new(StringComparer.Ordinal)
    {
        "\0", "1d20\0", "2147483648", "99999999999999999999999", "-2147483649",
        "\u0661d20", "1d\u0662\u0660", "1d20+\u0665", "\uff11d20", "\u0662\u0660", "\u0661\u0662", "\u096b", "\u00b2", "\u2463",
    };

    /// <summary>Codes and ids for route parameters: path tricks, wrong shapes, near misses (%00 in a path never reaches the app: Kestrel refuses it).</summary>
    public static readonly string[] RouteValues =
    [
        "ALPHA-0000", "alpha-1234", "ALPHA-12345", "..", "%2e%2e", "%01", "A%1BB", "%E0%A5%A7", "%D9%A1%D9%A2", new string('Z', 600),
        "ALPHA-%D9%A1%D9%A2%D9%A3%D9%A4", "%3Cscript%3E", "NaN", "-1", "00000000-0000-0000-0000-000000000000", "%20", "%C0%AF",
    ];

    /// <summary>Random strings mixing ASCII, controls, digits of other scripts, combining marks and astral characters.</summary>
    public static IEnumerable<string> Generated(int seed, int count)
    {
        var random = new Random(seed);
        string[] pools =
        [
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "dD+-", "\u0000\u0001\u0007\u001b\u007f\u0085",
            "\u0660\u0661\u0662\u06f3\u0966\uff10\uff11\u1041", "\u0301\u0308\u200b\u200d\u202e\ufeff", "\u0410\u0415\u041e\u0430\u03b1\u05d0",
            "<>\"'&;%/\\{}()[]", " \t\r\n",
        ];
        for (var i = 0; i < count; i++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 5) == 0 ? random.Next(200, 3_000) : random.Next(1, 24);
            for (var j = 0; j < length; j++)
            {
                if (random.Next(40) == 0)
                {
                    builder.Append(char.ConvertFromUtf32(random.Next(0x1F300, 0x1F6FF)));
                    continue;
                }

                var pool = pools[random.Next(pools.Length)];
                builder.Append(pool[random.Next(pool.Length)]);
            }

            yield return builder.ToString();
        }
    }
}
