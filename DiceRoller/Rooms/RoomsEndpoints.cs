using DiceRoller.Rooms.Players;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DiceRoller.Rooms;

public static class RoomsEndpoints
{
    public static IEndpointRouteBuilder MapRooms(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Home);
        var forms = app.MapForms();
        forms.MapPost("/rooms", Create);
        forms.MapPost("/join", Join);
        app.MapGet("/join", (HttpContext context) =>
        {
            DeviceCookie.Ensure(context);
            return Results.RazorSlice<JoinPage, JoinPageModel>(new JoinPageModel(HtmlResults.FormToken(context), null));
        });
        app.MapGet("/rooms/{code}", Show);
        return app;
    }

    private static IResult Home(HttpContext context)
    {
        DeviceCookie.Ensure(context);
        return Results.RazorSlice<HomePage, HomePageModel>(new HomePageModel(HtmlResults.FormToken(context)) { LeftRoom = LeftFlash.Take(context) });
    }

    private static async Task<IResult> Create([AsParameters] CreateForm form, HttpContext context, RoomService rooms, ProofOfWork proofOfWork)
    {
        var (name, mode) = (form.PlayerName, form.Mode);
        var proof = new ProofOfWorkAnswer(form.PowToken, form.PowNonce);
        var result = await rooms.CreateAsync(name, mode, DeviceCookie.Visitor(context), proof, form.ClientSeed, context.RequestAborted);
        if (result.Error is { } error)
        {
            // Beyond the burst: a browser with JavaScript proves some work and sends the form again by itself
            // (at once, unless a proof it sent was just refused); without JavaScript the message says how long to wait.
            var challenge = error.ProofHelps ? await proofOfWork.IssueAsync(context.RequestAborted) : null;
            HtmlResults.SetRetryAfter(context, error);
            return Results.RazorSlice<HomePage, HomePageModel>(
                new HomePageModel(HtmlResults.FormToken(context), error, name, mode, challenge, SolveNow: challenge is not null && !proof.IsPresent),
                ErrorStatus.For(error.Code));
        }

        PlayerCookie.Write(context, result.Value!);
        return SeeOther(context, $"/rooms/{result.Value!.RoomCode}");
    }

    private static async Task<IResult> Join([AsParameters] JoinForm form, HttpContext context, RoomService rooms, IOptions<RoomOptions> options)
    {
        var (code, name) = (form.RoomCode, form.PlayerName);

        // Someone who is already in the room (their cookie says so) just goes back in.
        var existing = await rooms.FindAsync(code, context.RequestAborted);
        if (existing is not null && RoomService.Authenticate(existing, PlayerCookie.Read(context, existing.Room.Code)) is not null)
        {
            return SeeOther(context, $"/rooms/{existing.Room.Code}");
        }

        var result = await rooms.JoinAsync(code, name, DeviceCookie.Visitor(context), form.ClientSeed, context.RequestAborted);
        if (result.Error is { } error)
        {
            // Past the guessing budget the page is the same for every code: it must not greet a real room by name.
            var knownRoom = existing is not null && error.Code is not (ErrorCodes.RoomNotFound or ErrorCodes.RateLimit);
            var normalized = RoomCode.Normalize(code) ?? code?.Trim();
            HtmlResults.SetRetryAfter(context, error);
            return Results.RazorSlice<JoinPage, JoinPageModel>(
                new JoinPageModel(HtmlResults.FormToken(context), normalized, name, error, knownRoom), ErrorStatus.For(error.Code));
        }

        // A knock: the cookie's credential works once the room's admin lets them in; until then they wait (202).
        PlayerCookie.Write(context, result.Value!);
        return result.Value!.Knock is { } knock
            ? DoorEndpoints.WaitingPage(context, knock, options.Value)
            : SeeOther(context, $"/rooms/{result.Value!.RoomCode}");
    }

    private static async Task<IResult> Show(string code, HttpContext context, RoomService rooms, IRoomPage pages)
    {
        // Bound by hand: a typed long? parameter turns "?before=abc" into an exception (a 500 page in Development).
        // Anything but a roll number means "the newest rolls".
        long? before = long.TryParse(context.Request.Query["before"], System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var sequence) ? sequence : null;
        var room = await rooms.FindAsync(code, context.RequestAborted);
        var credential = room is null ? null : PlayerCookie.Read(context, room.Room.Code);
        var me = room is null ? null : RoomService.Authenticate(room, credential);

        // A non-member's answer (join page, not found, removed, even the redirect to the code's spelling) tells whether
        // the room exists: it counts against the address's guessing budget, past which every code gets the same 429.
        if (me is null && await MemberRequest.CountLookAsync(context, rooms) is { } tooMany)
        {
            return HtmlResults.ErrorPage(tooMany, "Too many tries");
        }

        if (room is null)
        {
            return HtmlResults.ErrorPage(RoomService.RoomNotFound(code.ToUpperInvariant()), "Room not found");
        }

        if (!string.Equals(room.Room.Code, code, StringComparison.Ordinal))
        {
            return Results.Redirect($"/rooms/{room.Room.Code}");
        }

        if (me is null && room.Bars(credential?.PlayerId, DeviceCookie.Read(context)))
        {
            return HtmlResults.ErrorPage(new RoomError(ErrorCodes.Kicked, $"You were removed from room {room.Room.Code} and cannot rejoin it."), "Removed from the room");
        }

        if (me is null)
        {
            DeviceCookie.Ensure(context);
            context.Response.Headers.CacheControl = "no-store";
            return Results.RazorSlice<JoinPage, JoinPageModel>(
                new JoinPageModel(HtmlResults.FormToken(context), room.Room.Code, KnownRoom: true));
        }

        return await pages.RoomPageAsync(context, room, me, before);
    }

    /// <summary>Post/redirect/get: 303 to <paramref name="url"/> (htmx follows it transparently).</summary>
    public static IResult SeeOther(HttpContext context, string url)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.Location = url;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}

/// <summary>The home page's "Start a room" form; a proof of work comes with it only when the server asked for one.</summary>
public sealed record CreateForm(
    [FromForm(Name = "player_name")] string? PlayerName, [FromForm(Name = "mode")] string? Mode, [FromForm(Name = "pow_token")] string? PowToken,
    [FromForm(Name = "pow_nonce")] string? PowNonce, [FromForm(Name = "client_seed")] string? ClientSeed);

/// <summary>The join form (the join page's, or a room page's for a visitor).</summary>
public sealed record JoinForm(
    [FromForm(Name = "room_code")] string? RoomCode, [FromForm(Name = "player_name")] string? PlayerName, [FromForm(Name = "client_seed")] string? ClientSeed);
