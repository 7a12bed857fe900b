using DiceRoller.Rooms;
using Htmx;
using Microsoft.AspNetCore.Antiforgery;

namespace DiceRoller.Shared;

/// <summary>Page-or-fragment decisions and error rendering at the HTTP edge.</summary>
public static class HtmlResults
{
    /// <summary>A non-boosted htmx request wants a fragment; anything else wants a whole page.</summary>
    public static bool WantsFragment(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.Append("Vary", "HX-Request");
        return context.Request.IsHtmx() && !context.Request.IsHtmxBoosted();
    }

    /// <summary>The error as an htmx fragment with its status.</summary>
    public static IResult ErrorFragment(RoomError error) =>
        WithRetryAfter(error, Results.RazorSlice<_Error, RoomError>(error, ErrorStatus.For(error.Code)));

    /// <summary>A whole error page with the error's status.</summary>
    public static IResult ErrorPage(RoomError error, string title = "Something went wrong", string backUrl = "/", string backLabel = "Back to the start") =>
        WithRetryAfter(error, Results.RazorSlice<ErrorPage, ErrorPageModel>(new ErrorPageModel(error, title, backUrl, backLabel), ErrorStatus.For(error.Code)));

    /// <summary>Says when to try again (<c>Retry-After</c>, whole seconds) for an error that knows it (RATE_LIMIT).</summary>
    public static void SetRetryAfter(HttpContext context, RoomError? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (error?.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.CacheControl = "no-store";
        }
    }

    private static IResult WithRetryAfter(RoomError error, IResult result) =>
        error.RetryAfter is null ? result : new RetryAfterResult(error, result);

    private sealed class RetryAfterResult(RoomError error, IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            SetRetryAfter(httpContext, error);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>
    /// A refusal for a JSON endpoint: the error's status with <c>{"error", "code"}</c>, and for a refusal that says when to
    /// come back also <c>retry_after</c> (seconds) with the <c>Retry-After</c> header (<see cref="SetRetryAfter"/>).
    /// </summary>
    public static IResult JsonError(HttpContext context, RoomError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        SetRetryAfter(context, error);
        var body = error.RetryAfter is { } wait
            ? (object)new { error = error.Message, code = error.Code, retry_after = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) }
            : new { error = error.Message, code = error.Code };
        return Results.Json(body, statusCode: ErrorStatus.For(error.Code));
    }

    /// <summary>Issues the antiforgery cookie (before the response starts) and returns the form token.</summary>
    public static string FormToken(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        return antiforgery.GetAndStoreTokens(context).RequestToken!;
    }

    /// <summary>The cache headers an answer with a form token gets (<see cref="FormToken"/>), for one without; returns null (no token).</summary>
    public static string? NoStore(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.CacheControl = "no-cache, no-store";
        context.Response.Headers.Pragma = "no-cache";
        return null;
    }

    public static readonly RoomError BadForm = new(ErrorCodes.BadRequest,
        "This form has expired or was not sent by DiceRoller. Reload the page and try again.");
}
