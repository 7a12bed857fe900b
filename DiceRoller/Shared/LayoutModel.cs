namespace DiceRoller.Shared;

/// <summary>What the layout needs from each page.</summary>
/// <param name="Title">The page title (the site name is appended).</param>
/// <param name="Live">Whether the page is the live room: htmx, its sse extension and the room's script (js/room.js).</param>
/// <param name="Scripts">The scripts a page that is not live loads (paths under static/, e.g. <c>js/pow.js</c> only where a proof
/// of work is asked); none by default. With <c>js/htmx.min.js</c> the page also gets the htmx configuration.</param>
/// <param name="RefreshWithoutScript">A meta refresh (<c>"3;url=/..."</c>) for browsers without JavaScript (htmx polls instead).</param>
public sealed record LayoutModel(string Title, bool Live = false, string? Description = null, IReadOnlyList<MetaTag>? Meta = null,
    IReadOnlyList<string>? Scripts = null, string? RefreshWithoutScript = null);

public sealed record MetaTag(string Property, string Content, bool IsName = false);
