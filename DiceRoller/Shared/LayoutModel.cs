namespace DiceRoller.Shared;

/// <summary>What the layout needs from each page.</summary>
/// <param name="Title">The page title (the site name is appended).</param>
/// <param name="Live">Whether the page loads htmx and the live-update script.</param>
public sealed record LayoutModel(string Title, bool Live = false, string? Description = null, IReadOnlyList<MetaTag>? Meta = null);

public sealed record MetaTag(string Property, string Content, bool IsName = false);
