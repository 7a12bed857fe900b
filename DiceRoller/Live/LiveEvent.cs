using System.Globalization;
using DiceRoller.Rooms;
using RazorSlices;

namespace DiceRoller.Live;

/// <summary>
/// One room event as this instance delivers it to its open pages, carrying what those pages can share: the room read
/// once after the event (not once per page), and each distinct rendering of the event (public, the DM's, the roller's own)
/// rendered once and sent as the same UTF-8 bytes to every page that sees it that way.
/// </summary>
public sealed class LiveEvent(RoomEvent roomEvent)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, object> _shared = new(StringComparer.Ordinal);

    private string? _eventId;

    public RoomEvent Event { get; } = roomEvent;

    /// <summary>The event's sequence as the SSE id every page sends with it, made once (not once per page).</summary>
    public string EventId => _eventId ??= Event.Sequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first caller with <paramref name="key"/> runs <paramref name="make"/>; every later caller gets its task.</summary>
    public Task<T> Shared<T>(string key, Func<Task<T>> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        return Shared(key, make, static make => make());
    }

    /// <summary>
    /// As <see cref="Shared{T}(string, Func{Task{T}})"/>, with what <paramref name="make"/> needs passed in as
    /// <paramref name="state"/>: a page that finds the task made (all but the first) allocates no closure for it.
    /// </summary>
    public Task<T> Shared<TState, T>(string key, TState state, Func<TState, Task<T>> make)
    {
        ArgumentNullException.ThrowIfNull(make);
        TaskCompletionSource<T> mine;
        lock (_gate)
        {
            if (_shared.TryGetValue(key, out var existing))
            {
                return (Task<T>)existing;
            }

            mine = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _shared[key] = mine.Task;
        }

        _ = RunAsync(mine, state, make);
        return mine.Task;
    }

    private static async Task RunAsync<TState, T>(TaskCompletionSource<T> into, TState state, Func<TState, Task<T>> make)
    {
        try
        {
            into.TrySetResult(await make(state));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            into.TrySetException(ex);
        }
    }

    /// <summary>
    /// A template rendered to the bytes of an SSE <c>data:</c> field (trimmed, UTF-8): straight into a pooled UTF-8 buffer, so the
    /// only allocation is the returned array (rendering to a string first, trimming it and encoding it cost about 10 KB a roll row).
    /// </summary>
    public static async Task<byte[]> RenderAsync(RazorSlice slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var buffer = new PooledPipeWriter();
        try
        {
            await slice.RenderAsync(buffer, htmlEncoder: null, CancellationToken.None);
            return buffer.WrittenSpan.Trim(AsciiWhitespace).ToArray();
        }
        finally
        {
            buffer.Release();
        }
    }

    /// <summary>What <see cref="string.Trim()"/> removed from a rendered template's ends (templates begin and end with markup and line breaks).</summary>
    private static ReadOnlySpan<byte> AsciiWhitespace => " \t\r\n\f\v"u8;

    /// <summary>
    /// Which viewers see the same row for a roll: the values (or "hidden") decide it, and a hidden roll's roller gets a Reveal
    /// form carrying their own form token, so theirs is rendered for them alone. Rolls/_RollEntry.cshtml must depend on nothing else
    /// of the viewer (a test renders it for every kind of viewer and compares).
    /// </summary>
    public static string RollViewKey(RollEntryModel entry) => RollViewKeys(entry).Row;

    /// <summary>
    /// <see cref="RollViewKey"/> and the key of the same row with its line of the "At the table" strip (pages of the others), as
    /// constants but for a hidden roll's roller (whose row carries their own form token): no key is built per page.
    /// </summary>
    public static (string Row, string WithLine) RollViewKeys(RollEntryModel entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Roll.IsRevealableBy(entry.Viewer.PlayerId))
        {
            var key = "roll:roller:" + entry.Viewer.FormToken;
            return (key, key + TableSuffix);
        }

        return (entry.ShowValues, entry.OutOfBand) switch
        {
            (true, false) => ("roll:shown", "roll:shown" + TableSuffix),
            (false, false) => ("roll:secret", "roll:secret" + TableSuffix),
            (true, true) => ("roll:shown:oob", "roll:shown:oob" + TableSuffix),
            (false, true) => ("roll:secret:oob", "roll:secret:oob" + TableSuffix),
        };
    }

    private const string TableSuffix = "+table";
}
