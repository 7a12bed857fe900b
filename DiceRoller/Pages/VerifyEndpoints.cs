using System.Text;
using System.Text.RegularExpressions;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;

namespace DiceRoller.Pages;

/// <summary>
/// <c>GET /verify</c>: a plain form (a permalink of this site, or a pasted or uploaded room log) and the checks of
/// <see cref="RollVerifier"/> as a list. A permalink is looked up here by its roll id, never fetched: the page never
/// requests a URL someone typed (no SSRF).
/// </summary>
public static partial class VerifyEndpoints
{
    public static IEndpointRouteBuilder MapVerify(this IEndpointRouteBuilder app)
    {
        app.MapGet("/verify", ShowAsync);
        app.MapPost("/verify", CheckAsync).WithMetadata(new LargeFormLimit(
            sp => sp.GetRequiredService<IOptions<VerifyOptions>>().Value.MaxLogBytes + 16_384,
            "That log is larger than this page checks. Run scripts/verify.py on the file instead (see the README); nothing was checked."));
        return app;
    }

    /// <summary>
    /// The empty form, or with <c>?url=</c> (the permalink page's "Verify this roll" link) that roll's checks. Only a navigation
    /// from this site, or one the visitor started (typed, bookmarked), runs them: from another site (an <c>img</c> tag, a link)
    /// the form is only filled in, and the visitor's button (a token-bearing post) runs the check.
    /// </summary>
    private static async Task<IResult> ShowAsync(HttpContext context, string? url, IPermalinkLookup permalinks, IRollSigner signer, PublicUrls urls,
        IRateLimiter limiter, IOptions<VerifyOptions> options, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        var page = new VerifyPageModel(url, null, options.Value.MaxLogBytes, urls.Base);
        if (string.IsNullOrWhiteSpace(url))
        {
            return Render(context, page);
        }

        if (!FromThisSite(context.Request))
        {
            return Render(context, page with { Prefilled = true });
        }

        return Render(context, await RunAsync(context, page, permalinks, signer, limiter, options.Value, ct));
    }

    /// <summary>
    /// Whether a GET may spend a check: the browser says the request came from this site's own page (<c>same-origin</c>) or from
    /// the visitor (<c>none</c>: typed, bookmarked). Every current browser sends Sec-Fetch-Site; without it (an old browser, a
    /// script), a Referer from another origin still counts as cross-site.
    /// </summary>
    internal static bool FromThisSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var referer = request.Headers.Referer.ToString();
        return referer.Length == 0
            || (Uri.TryCreate(referer, UriKind.Absolute, out var from)
                && string.Equals(from.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<IResult> CheckAsync(HttpContext context, IPermalinkLookup permalinks, IRollSigner signer, PublicUrls urls,
        IRateLimiter limiter, IOptions<VerifyOptions> options, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return Render(context, new VerifyPageModel(null, null, options.Value.MaxLogBytes, urls.Base)
            {
                Error = Invalid("Send the form of this page (a roll's link, or a pasted or uploaded log); nothing else is read here."),
            });
        }

        // Same-origin posts only: another site's form cannot spend this visitor's checks (nothing is read or counted).
        if (!await AntiforgeryFilter.IsValidAsync(context))
        {
            return Render(context, new VerifyPageModel(null, null, options.Value.MaxLogBytes, urls.Base) { Error = HtmlResults.BadForm });
        }

        var form = await context.Request.ReadFormAsync(ct);
        var url = form["url"].ToString();
        var log = form["log"].ToString();
        var page = new VerifyPageModel(url, log, options.Value.MaxLogBytes, urls.Base);
        if (form.Files.GetFile("log_file") is { Length: > 0 } file)
        {
            if (log.Trim().Length > 0)
            {
                return Render(context, page with { Error = Invalid("Paste the log or upload its file, not both.") });
            }

            using var reader = new StreamReader(file.OpenReadStream(), new UTF8Encoding(false, throwOnInvalidBytes: true));
            try
            {
                log = await reader.ReadToEndAsync(ct);
            }
            catch (DecoderFallbackException)
            {
                return Render(context, page with { Error = Invalid("The uploaded file is not UTF-8 text. Upload the room's log.json as saved from the browser.") });
            }

            page = page with { Log = null, FileName = file.FileName };
        }

        return Render(context, await RunAsync(context, page with { LogText = log }, permalinks, signer, limiter, options.Value, ct));
    }

    private static async Task<VerifyPageModel> RunAsync(HttpContext context, VerifyPageModel page, IPermalinkLookup permalinks, IRollSigner signer,
        IRateLimiter limiter, VerifyOptions options, CancellationToken ct)
    {
        var url = page.Url?.Trim() ?? "";
        var log = page.LogText?.Trim() ?? "";
        if (url.Length > 0 && log.Length > 0)
        {
            return page with { Error = Invalid("Give either a roll's link or a room log, not both.") };
        }

        if (url.Length == 0 && log.Length == 0)
        {
            return page with { Error = Invalid("Paste a roll's link, or paste or upload a room log.") };
        }

        if (Encoding.UTF8.GetByteCount(log) > options.MaxLogBytes)
        {
            return page with { Error = new RoomError(ErrorCodes.TooLarge, $"That log is larger than {options.MaxLogBytes / 1024} KiB, more than this page checks. Run scripts/verify.py on the file instead; nothing was checked.") };
        }

        var rate = await limiter.TryAcquireAsync($"verify:{PlayerCookie.ClientAddress(context)}", options.Limit, options.Window, ct);
        if (!rate.Allowed)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(rate.RetryAfter.TotalSeconds));
            return page with { Error = new RoomError(ErrorCodes.RateLimit, $"Slow down: at most {options.Limit} checks every {options.Window.TotalSeconds:0} seconds. Try again in {seconds} s.") { RetryAfter = rate.RetryAfter } };
        }

        var key = new VerifiableKey { Algorithm = signer.Key.Algorithm, KeyId = signer.Key.KeyId, PublicKey = signer.Key.PublicKey };
        if (url.Length > 0)
        {
            var (rollId, error) = RollIdOf(url, page.SiteBase);
            if (error is not null)
            {
                return page with { Error = Invalid(error) };
            }

            var roll = await permalinks.FindPublicAsync(rollId!, ct);
            return roll is null
                ? page with { Error = new RoomError(ErrorCodes.RollNotFound, "There is no public roll at that link: it has expired, was never shared, or is still hidden by the DM.") }
                : page with { Checks = RollVerifier.VerifyRoll(roll, key), Source = $"the roll {rollId}" };
        }

        if (VerifiableJson.LooksLikeLog(log))
        {
            var (parsed, logError) = VerifiableJson.ParseLog(log);
            if (parsed is null)
            {
                return page with { Error = Invalid($"That is not a room log. {logError}") };
            }

            var checks = new List<VerificationCheck> { SiteKeyCheck(parsed.Key, key) };
            checks.AddRange(RollVerifier.VerifyLog(parsed));
            return page with { Checks = checks, Source = parsed.RoomCode is { } code ? $"the log of room {code} ({parsed.Rolls.Count} rolls)" : $"a log of {parsed.Rolls.Count} rolls" };
        }

        var (single, rollError) = VerifiableJson.ParseRoll(log);
        if (single is null || single.RollId.Length == 0)
        {
            return page with { Error = Invalid(single is null ? $"That is not a room log or a roll's JSON. {rollError}" : "That JSON is neither a room log (with \"rolls\") nor a roll (with \"roll_id\").") };
        }

        return page with { Checks = RollVerifier.VerifyRoll(single, key), Source = $"the roll {single.RollId}" };
    }

    /// <summary>A pasted log carries its own key: say whether it is this site's, or its signatures prove nothing about this site.</summary>
    private static VerificationCheck SiteKeyCheck(VerifiableKey? logKey, VerifiableKey site) =>
        logKey?.KeyId == site.KeyId && logKey.PublicKey == site.PublicKey
            ? new(null, null, "site_key", CheckStatus.Passed, $"the log's key is this site's signing key {site.KeyId}")
            : new(null, null, "site_key", CheckStatus.Failed, $"the log's key {logKey?.KeyId ?? "(none)"} is not this site's signing key {site.KeyId}: its signatures say nothing about rolls made here");

    [GeneratedRegex(@"^/(?:roll|api/permalink)/(?<id>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})/?$")]
    private static partial Regex RollPath();

    /// <summary>The roll id of a permalink of this site (<c>/roll/{id}</c> or <c>/api/permalink/{id}</c>, absolute or not), or a bare id.</summary>
    public static (string? RollId, string? Error) RollIdOf(string text, string siteBase)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (Guid.TryParseExact(text, "D", out var bare))
        {
            return (bare.ToString("D"), null);
        }

        string path;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            var site = new Uri(siteBase);
            if (!string.Equals(uri.Host, site.Host, StringComparison.OrdinalIgnoreCase))
            {
                return (null, $"This page checks rolls of this site ({site.Host}) only, and never fetches other addresses. For a roll elsewhere, run scripts/verify.py with its link.");
            }

            path = uri.AbsolutePath;
        }
        else if (text.StartsWith('/'))
        {
            path = text.Split('?', '#')[0];
        }
        else
        {
            return (null, "That is not a roll's link. A roll's link looks like " + siteBase + "/roll/ followed by the roll's id.");
        }

        var match = RollPath().Match(path);
        return match.Success
            ? (match.Groups["id"].Value.ToLowerInvariant(), null)
            : (null, "That link does not point at a roll. A roll's link looks like " + siteBase + "/roll/ followed by the roll's id.");
    }

    private static RoomError Invalid(string message) => new(ErrorCodes.InvalidVerifyInput, message);

    /// <summary>The page, with a fresh form token (the form posts it back: only this site's page can spend a visitor's checks).</summary>
    private static IResult Render(HttpContext context, VerifyPageModel page)
    {
        HtmlResults.SetRetryAfter(context, page.Error);
        return Results.RazorSlice<VerifyPage, VerifyPageModel>(page with { FormToken = HtmlResults.FormToken(context) },
            page.Error is null ? StatusCodes.Status200OK : ErrorStatus.For(page.Error.Code));
    }
}

/// <summary>The verify page: the form (with what was sent), an error, or the checks.</summary>
public sealed record VerifyPageModel(string? Url, string? Log, int MaxLogBytes, string SiteBase)
{
    /// <summary>The log text to check (pasted or read from the uploaded file); not echoed back when it came from a file.</summary>
    public string? LogText { get; init; }

    public string? FileName { get; init; }

    /// <summary>The link came from another site: the form is filled in and waits for the visitor's button; nothing was checked.</summary>
    public bool Prefilled { get; init; }

    public RoomError? Error { get; init; }

    /// <summary>The antiforgery token the form posts back.</summary>
    public string? FormToken { get; init; }
    public IReadOnlyList<VerificationCheck>? Checks { get; init; }
    public string? Source { get; init; }

    public CheckStatus? Overall => Checks is null ? null : RollVerifier.Overall(Checks);

    /// <summary>The checks grouped by what they are about (the log first, then each roll in order).</summary>
    public IEnumerable<IGrouping<string, VerificationCheck>> Groups => (Checks ?? []).GroupBy(c => c.Subject);

    public static string Name(string check) => check switch
    {
        RollVerifier.Key => "Signing key",
        "site_key" => "This site's key",
        RollVerifier.Fairness => "Verifiable",
        RollVerifier.Commitment => "Seed commitment",
        RollVerifier.Dice => "Dice follow from the seed",
        RollVerifier.Total => "Total",
        RollVerifier.ValuesUsed => "Stream values used",
        RollVerifier.Hash => "Hash",
        RollVerifier.Chain => "Chain link",
        RollVerifier.Sequence => "Sequence",
        RollVerifier.Nonce => "Nonce",
        RollVerifier.Signature => "Signature",
        RollVerifier.KeyId => "Key id",
        RollVerifier.Successes => "Successes",
        RollVerifier.CapReached => "Dice cap",
        RollVerifier.Crit => "Critical",
        _ => check,
    };

    public static string Word(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "Passed",
        CheckStatus.Failed => "Failed",
        _ => "Pending",
    };
}
