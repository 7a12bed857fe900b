namespace DiceRoller.Rooms;

/// <summary>
/// "You left ALPHA-1234" on the home page, once, after leaving (with or without JavaScript): a short-lived HttpOnly cookie
/// holding only the room code, read and cleared by the home page. The redirect stays a plain <c>/</c> (nothing to forge), and
/// the home page shows only a value that is shaped like a room code.
/// </summary>
public static class LeftFlash
{
    public const string CookieName = "diceroller_left";

    public static void Set(HttpContext context, string roomCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(CookieName, roomCode, Options(context, TimeSpan.FromMinutes(1)));
    }

    /// <summary>The room this browser just left, if it did (then forgotten: a reload does not say it again).</summary>
    public static string? Take(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value))
        {
            return null;
        }

        context.Response.Cookies.Delete(CookieName, Options(context, null));
        return RoomCode.Normalize(value);
    }

    private static CookieOptions Options(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };
}
