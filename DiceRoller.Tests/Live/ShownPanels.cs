using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Live;

/// <summary>
/// What a room page shows after the stream's events so far, as far as the tests of lost events need it: the roster's names
/// (null while it lists <see cref="Gone"/>, whose removal is awaited), the DC, the door's lock, and the last roll's id.
/// </summary>
internal sealed class ShownPanels(string gone)
{
    public string Gone { get; } = gone;

    public string[]? Names { get; private set; }

    public string? Dc { get; private set; }

    public string? Locked { get; private set; }

    public string? Roll { get; private set; }

    /// <summary>Takes what <paramref name="e"/> puts on the page.</summary>
    public void Take(SseEvent e)
    {
        switch (e.Type)
        {
            case "player-joined" or "player-left":
                var listed = e.Element().QuerySelectorAll("[data-player-id] .font-medium").Select(n => n.TextContent).ToArray();
                Names = listed.Contains(Gone) ? null : listed;
                break;
            case "dc-updated":
                Dc = e.Element().QuerySelector("#dc-status")?.GetAttribute("data-dc");
                break;
            case "door-changed":
                Locked = e.Element().GetAttribute("data-locked");
                break;
            case "roll":
                Roll = e.Id;
                break;
        }
    }
}
