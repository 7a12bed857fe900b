using System.Security.Cryptography;
using System.Text;

namespace DiceRoller.Rooms;

/// <summary>
/// Who a request comes from, as far as kicks are concerned: the browser's long-lived device id and the client's address.
/// </summary>
/// <param name="DeviceId">The <c>dr_device</c> cookie's random id (issued on this request if the browser had none).</param>
/// <param name="Address">The client's IP address, for rate limits.</param>
/// <param name="AddressHash">SHA-256 of the address: what a room keeps to make joins from a kicked player's network knock.</param>
public sealed record Visitor(string DeviceId, string Address, string AddressHash);

/// <summary>
/// The HttpOnly <c>dr_device</c> cookie: a random id per browser, separate from room membership and kept for a year, so that
/// a kick bars the kicked browser itself rather than everyone with the same IP address and User-Agent.
/// </summary>
public static class DeviceCookie
{
    public const string Name = "dr_device";
    private const string ItemKey = "DiceRoller.DeviceId";

    /// <summary>The browser's device id, or null when it has none (or a malformed one).</summary>
    public static string? Read(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[ItemKey] is string issued)
        {
            return issued;
        }

        var value = context.Request.Cookies[Name];
        return IsWellFormed(value) ? value : null;
    }

    /// <summary>The browser's device id, issuing the cookie (before the response starts) when it has none.</summary>
    public static string Ensure(HttpContext context)
    {
        var existing = Read(context);
        if (existing is not null)
        {
            return existing;
        }

        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        context.Items[ItemKey] = id;
        context.Response.Cookies.Append(Name, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromDays(365),
            IsEssential = true,
        });
        return id;
    }

    /// <summary>The visitor behind a request that may join or create a room (the device cookie is issued if missing).</summary>
    public static Visitor Visitor(HttpContext context)
    {
        var address = PlayerCookie.ClientAddress(context);
        return new Visitor(Ensure(context), address, HashAddress(address));
    }

    public static string HashAddress(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("diceroller-address:" + address)));

    private static bool IsWellFormed(string? value) =>
        value is { Length: >= 16 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
