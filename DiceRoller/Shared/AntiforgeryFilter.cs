using Microsoft.AspNetCore.Antiforgery;

namespace DiceRoller.Shared;

/// <summary>
/// Refuses a state-changing request whose form lacks a valid antiforgery token (or is not a form at all)
/// with 400 and a clear message, before any handler runs.
/// </summary>
public sealed class AntiforgeryFilter(IAntiforgery antiforgery, ILogger<AntiforgeryFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (await IsValidAsync(http, antiforgery, logger))
        {
            return await next(context);
        }

        return HtmlResults.WantsFragment(http) ? HtmlResults.ErrorFragment(HtmlResults.BadForm) : HtmlResults.ErrorPage(HtmlResults.BadForm, "Please try again");
    }

    /// <summary>True when the request is a form carrying a valid antiforgery token for this browser's cookie.</summary>
    public static Task<bool> IsValidAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return IsValidAsync(http, http.RequestServices.GetRequiredService<IAntiforgery>(),
            http.RequestServices.GetRequiredService<ILogger<AntiforgeryFilter>>());
    }

    private static async Task<bool> IsValidAsync(HttpContext http, IAntiforgery antiforgery, ILogger logger)
    {
        try
        {
            return http.Request.HasFormContentType && await antiforgery.IsRequestValidAsync(http);
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidOperationException or BadHttpRequestException or IOException or InvalidDataException)
        {
            logger.LogInformation(ex, "Malformed form post to {Path}", http.Request.Path.Value);
            return false;
        }
    }
}

/// <summary>The route groups of state-changing forms: antiforgery is required once, by the group, never per endpoint.</summary>
public static class FormGroups
{
    /// <summary>
    /// A group under <paramref name="prefix"/> (e.g. <c>/rooms/{code}</c>) whose endpoints answer only a form carrying a valid
    /// antiforgery token (<see cref="AntiforgeryFilter"/>); map only the form posts in it.
    /// </summary>
    public static RouteGroupBuilder MapForms(this IEndpointRouteBuilder app, string prefix = "") =>
        app.MapGroup(prefix).AddEndpointFilter<AntiforgeryFilter>();
}
