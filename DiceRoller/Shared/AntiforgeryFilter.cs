using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DiceRoller.Shared;

/// <summary>
/// Refuses a state-changing request whose form lacks a valid antiforgery token (or is not a form at all)
/// with 400 and a clear message, before any handler runs.
/// </summary>
public sealed class AntiforgeryFilter(IAntiforgery antiforgery, IOptions<AntiforgeryOptions> options, ValidatedFormTokens validated,
    ILogger<AntiforgeryFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (await IsValidAsync(http, antiforgery, options.Value, validated, logger))
        {
            return await next(context);
        }

        return Refusal(http);
    }

    /// <summary>The answer to a form without a valid token: 400, as a fragment for htmx or a whole page.</summary>
    internal static IResult Refusal(HttpContext http) =>
        HtmlResults.WantsFragment(http) ? HtmlResults.ErrorFragment(HtmlResults.BadForm) : HtmlResults.ErrorPage(HtmlResults.BadForm, "Please try again");

    /// <summary>True when the request is a form carrying a valid antiforgery token for this browser's cookie.</summary>
    public static Task<bool> IsValidAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var services = http.RequestServices;
        return IsValidAsync(http, services.GetRequiredService<IAntiforgery>(), services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value,
            services.GetRequiredService<ValidatedFormTokens>(), services.GetRequiredService<ILogger<AntiforgeryFilter>>());
    }

    /// <summary>
    /// The full check (<see cref="IAntiforgery.IsRequestValidAsync"/>), or a pair of tokens that passed it lately
    /// (<see cref="ValidatedFormTokens"/>: a page's later posts). The tokens are found where the full check finds them: the
    /// cookie, then the header, else the form's field.
    /// </summary>
    private static async Task<bool> IsValidAsync(HttpContext http, IAntiforgery antiforgery, AntiforgeryOptions options, ValidatedFormTokens validated,
        ILogger logger)
    {
        try
        {
            if (!http.Request.HasFormContentType)
            {
                return false;
            }

            var cookie = options.Cookie.Name is { } name ? http.Request.Cookies[name] : null;
            var token = options.HeaderName is { } header ? http.Request.Headers[header] : StringValues.Empty;
            if (token.Count == 0)
            {
                token = (await http.Request.ReadFormAsync(http.RequestAborted))[options.FormFieldName];
            }

            var pair = !string.IsNullOrEmpty(cookie) && token is [{ Length: > 0 } one] && http.User.Identity?.IsAuthenticated != true ? (cookie, one) : default;
            if (pair.cookie is not null && validated.Contains(pair.cookie, pair.one))
            {
                return true;
            }

            var valid = await antiforgery.IsRequestValidAsync(http);
            if (valid && pair.cookie is not null)
            {
                validated.Add(pair.cookie, pair.one);
            }

            return valid;
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
    /// antiforgery token (<see cref="AntiforgeryFilter"/>); map only the form posts in it. Its forms bind to records
    /// (<c>[FromForm]</c>), which would turn on ASP.NET's own antiforgery check too: the group turns that one off
    /// (<c>DisableAntiforgery</c>), so the token is checked once, here, with this app's answer.
    /// </summary>
    public static RouteGroupBuilder MapForms(this IEndpointRouteBuilder app, string prefix = "")
    {
        var group = app.MapGroup(prefix).DisableAntiforgery();
        // Last, after what form binding adds (forms only): routing lets any post through, for UseFormGroups to answer.
        ((IEndpointConventionBuilder)group).Finally(endpoint => endpoint.Metadata.Add(FormGroup.Instance));
        return group.AddEndpointFilter<AntiforgeryFilter>();
    }

    /// <summary>
    /// A post to a form group that is not a form at all gets the group's answer (<see cref="AntiforgeryFilter"/>'s: 400, this
    /// form was not sent by DiceRoller) before the endpoint runs: the form binder, which runs before any filter, would answer it
    /// 415 on its own. Last in the pipeline, so the response carries every header the others set.
    /// </summary>
    public static IApplicationBuilder UseFormGroups(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<FormGroup>() is not null && !context.Request.HasFormContentType)
        {
            await AntiforgeryFilter.Refusal(context).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>
    /// Marks the endpoints of a <see cref="MapForms"/> group; as their last <see cref="IAcceptsMetadata"/>, lets a post of any
    /// content type reach them (form binding alone would have routing answer anything but a form 415, with no message).
    /// </summary>
    private sealed class FormGroup : IAcceptsMetadata
    {
        public static readonly FormGroup Instance = new();

        public IReadOnlyList<string> ContentTypes => [];

        public Type? RequestType => null;

        public bool IsOptional => true;
    }
}
