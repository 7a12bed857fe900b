using System.Text;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Infrastructure;

/// <summary>
/// Malformed or oversized input is the client's mistake: 400 (413 for size, 408 for a stalled body) with a clear
/// message, never a 500. Every form post is read here, asynchronously, before routing reaches a handler, so any
/// handler's <c>ReadFormAsync</c> gets the parsed form and can no longer fail; the same mapping serves the
/// exception handler for anything that slips through (e.g. a query parameter binding in Development).
/// </summary>
public static class FormErrors
{
    /// <summary>The status and message for an exception caused by what the client sent, or null for a server fault.</summary>
    public static (int Status, RoomError Error)? Describe(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge,
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => (StatusCodes.Status408RequestTimeout,
            new RoomError(ErrorCodes.BadRequest, "The form arrived too slowly and was dropped. Nothing was changed; please send it again.")),
        BadHttpRequestException bad => (bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest, NotUnderstood),
        InvalidDataException => (StatusCodes.Status400BadRequest, new RoomError(ErrorCodes.BadRequest,
            "The form has too many fields, a field that is too long or a character that is not allowed (such as NUL). Nothing was changed; reload the page and try again.")),
        DecoderFallbackException or NotSupportedException => (StatusCodes.Status400BadRequest, Charset),
        ArgumentException when exception.Message.Contains("encoding", StringComparison.OrdinalIgnoreCase) => (StatusCodes.Status400BadRequest, Charset),
        _ => null,
    };

    private static readonly (int, RoomError) TooLarge = (StatusCodes.Status413PayloadTooLarge, new RoomError(ErrorCodes.TooLarge,
        "That is far more than this form takes. Nothing was changed; reload the page and try again."));

    private static readonly RoomError NotUnderstood = new(ErrorCodes.BadRequest,
        "The request was not understood. Nothing was changed; reload the page and try again.");

    private static readonly RoomError Charset = new(ErrorCodes.BadRequest,
        "The form was sent in a text encoding DiceRoller does not read (send UTF-8). Nothing was changed.");

    /// <summary>Reads every form post before it reaches an endpoint and answers a malformed one itself.</summary>
    public static IApplicationBuilder UseFormReading(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.ContentType is null)
        {
            await next(context);
            return;
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<ServerLimitsOptions>>().Value.MaxRequestBodyBytes;
        (int Status, RoomError Error)? failure = null;
        if (context.GetEndpoint()?.Metadata.GetMetadata<LargeFormLimit>() is { } large)
        {
            limit = Math.Max(limit, large.MaxBytes(context.RequestServices));
            AllowBody(context, limit);
        }

        if (request.ContentLength > limit)
        {
            failure = TooLarge;
        }
        else if (request.HasFormContentType)
        {
            try
            {
                await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception ex) when (Describe(ex) is not null || ex is IOException)
            {
                failure = Describe(ex) ?? (StatusCodes.Status400BadRequest, NotUnderstood);
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FormErrors).FullName!)
                    .LogInformation("Refused a malformed form post to {Path}: {Reason}", request.Path.Value, ex.Message);
            }
        }

        if (failure is { } tooLarge && tooLarge.Error.Code == ErrorCodes.TooLarge && context.GetEndpoint()?.Metadata.GetMetadata<LargeFormLimit>()?.TooLargeMessage is { } message)
        {
            failure = tooLarge with { Error = tooLarge.Error with { Message = message } };
        }

        if (failure is { } refused)
        {
            await RenderAsync(context, refused.Status, refused.Error);
            return;
        }

        await next(context);
    });

    /// <summary>Lets this request's body and form fields be up to <paramref name="limit"/> bytes (an endpoint with <see cref="LargeFormLimit"/>).</summary>
    private static void AllowBody(HttpContext context, long limit)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        var forms = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Features.FormOptions>>().Value;
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(new Microsoft.AspNetCore.Http.Features.FormFeature(context.Request,
            new Microsoft.AspNetCore.Http.Features.FormOptions
            {
                ValueCountLimit = forms.ValueCountLimit,
                KeyLengthLimit = forms.KeyLengthLimit,
                ValueLengthLimit = (int)Math.Min(limit, int.MaxValue),
                MultipartBodyLengthLimit = limit,
                BufferBodyLengthLimit = limit,
                MultipartHeadersCountLimit = forms.MultipartHeadersCountLimit,
                MultipartHeadersLengthLimit = forms.MultipartHeadersLengthLimit,
            }));
    }

    /// <summary>The error as a fragment (htmx) or a whole page, with <paramref name="status"/>.</summary>
    public static Task RenderAsync(HttpContext context, int status, RoomError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = HtmlResults.WantsFragment(context)
            ? Results.RazorSlice<_Error, RoomError>(error, status)
            : Results.RazorSlice<ErrorPage, ErrorPageModel>(new ErrorPageModel(error, "Please try again"), status);
        context.Response.Headers.CacheControl = "no-store";
        return result.ExecuteAsync(context);
    }
}
