using DiceRoller.Rooms;

namespace DiceRoller.Live;

/// <summary>
/// How the stream overlay looks: <c>?theme=dark</c> (light text, the default: for a dark scene) or <c>light</c>, and
/// <c>?size=s|m|l</c> (default <c>m</c>). A value it does not know gets the default rather than an error page: an overlay
/// open on a stream should show rolls, not a 400.
/// </summary>
public sealed record OverlayLook(string Theme, string Size)
{
    /// <summary>The newest public rolls on screen.</summary>
    public const int Shown = 5;

    public static readonly OverlayLook Default = new("dark", "m");

    public static OverlayLook Parse(string? theme, string? size) => new(
        theme?.Trim().ToLowerInvariant() is "light" or "dark" ? theme.Trim().ToLowerInvariant() : Default.Theme,
        size?.Trim().ToLowerInvariant() is "s" or "m" or "l" ? size.Trim().ToLowerInvariant() : Default.Size);
}

/// <summary>One roll on the overlay: public values only (the template is never given a hidden roll before its reveal).</summary>
public sealed record OverlayRollModel(Roll Roll, OverlayLook Look);

/// <summary>The overlay page: the newest public rolls (newest first) and the stream that brings the next ones.</summary>
public sealed record OverlayPageModel(string Code, IReadOnlyList<Roll> Rolls, string StreamUrl, OverlayLook Look);
