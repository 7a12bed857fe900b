namespace DiceRoller.Shared;

/// <summary>What the layout needs from each page.</summary>
/// <param name="Title">The page title (the site name is appended).</param>
/// <param name="Live">Whether the page loads htmx and the live-update script.</param>
/// <param name="Script">Whether a page that is not live still loads the page script (app.js), e.g. for the proof of work.</param>
/// <param name="RefreshWithoutScript">A meta refresh (<c>"3;url=/..."</c>) for browsers without JavaScript (app.js polls instead).</param>
public sealed record LayoutModel(string Title, bool Live = false, string? Description = null, IReadOnlyList<MetaTag>? Meta = null,
    bool Script = false, string? RefreshWithoutScript = null);

public sealed record MetaTag(string Property, string Content, bool IsName = false);
