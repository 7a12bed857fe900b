namespace DiceRoller.Rooms;

/// <summary>
/// The HttpOnly cookie that says who a browser is in one room: <c>dr_{CODE}</c> = <c>{playerId}.{secret}</c>,
/// sent site-wide so that joining the same room again from the home page goes back in as the same player.
/// </summary>
public static class PlayerCookie
{
    public static string Name(string roomCode) => $"dr_{roomCode}";

    public static PlayerCredential? Read(HttpContext context, string roomCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        var value = context.Request.Cookies[Name(roomCode)];
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return null;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || dot == value.Length - 1 ? null : new PlayerCredential(value[..dot], value[(dot + 1)..]);
    }

    public static void Write(HttpContext context, Membership membership)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(membership);
        context.Response.Cookies.Append(Name(membership.RoomCode), $"{membership.Credential.PlayerId}.{membership.Credential.Secret}",
            new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                Path = "/",
                MaxAge = TimeSpan.FromDays(1),
                IsEssential = true,
            });
    }

    /// <summary>Forgets the browser's membership of the room (the player left).</summary>
    public static void Clear(HttpContext context, string roomCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name(roomCode), new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
    }

    /// <summary>The client's IP address (behind a proxy, as forwarded headers middleware resolved it).</summary>
    public static string ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
