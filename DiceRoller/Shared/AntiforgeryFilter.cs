using DiceRoller.Rooms;
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
        bool valid;
        try
        {
            valid = http.Request.HasFormContentType && await antiforgery.IsRequestValidAsync(http);
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidOperationException or BadHttpRequestException or IOException or InvalidDataException)
        {
            logger.LogInformation(ex, "Malformed form post to {Path}", http.Request.Path.Value);
            valid = false;
        }

        if (valid)
        {
            return await next(context);
        }

        return HtmlResults.WantsFragment(http) ? HtmlResults.ErrorFragment(HtmlResults.BadForm) : HtmlResults.ErrorPage(HtmlResults.BadForm, "Please try again");
    }
}
