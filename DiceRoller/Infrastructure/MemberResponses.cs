using Microsoft.AspNetCore.Routing.Patterns;

namespace DiceRoller.Infrastructure;

/// <summary>
/// Every answer of a room's routes (<c>/rooms/{code}/...</c>) is <c>Cache-Control: no-store</c>, whatever the handler set:
/// they are for one member (a DM's page and fragments hold hidden totals and reveal forms), or tell a stranger about the
/// room. Handlers may say more (<c>private, no-store</c>); one that forgot (a new route, an error path) still says no-store.
/// </summary>
public static class MemberResponses
{
    /// <summary>A route of one room: its pattern names the room's code.</summary>
    public static bool IsRoomRoute(RoutePattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.GetParameter("code") is not null;
    }

    public static IApplicationBuilder UseNoStoreForRooms(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint() is RouteEndpoint endpoint && IsRoomRoute(endpoint.RoutePattern))
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (!headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
        }

        return next(context);
    });
}
