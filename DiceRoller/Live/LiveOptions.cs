namespace DiceRoller.Live;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>How often an idle stream gets a comment line, so proxies keep it open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>retry:</c> hint sent to browsers: how soon to reconnect after a drop.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);
}
