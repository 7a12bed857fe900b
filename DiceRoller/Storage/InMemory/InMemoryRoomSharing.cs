using System.Collections.Concurrent;
using DiceRoller.Rooms;
using DiceRoller.Sharing;

namespace DiceRoller.Storage;

/// <summary>
/// Sharing settings for the embedded store, beside its rooms: each entry belongs to one room by code and creation time, so a
/// room created later under the same code never inherits an earlier room's webhook or overlay token; entries of rooms that
/// are gone are dropped when read, and swept whenever a new entry is made.
/// </summary>
public sealed class InMemoryRoomSharing(IRooms rooms) : IRoomSharing
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed class Entry(long roomCreatedAt)
    {
        public Lock Gate { get; } = new();
        public long RoomCreatedAt { get; } = roomCreatedAt;
        public SharingSettings Settings { get; set; } = new(null, null, null, null, null);
    }

    public async Task<SharingSettings?> GetSharingAsync(string code, CancellationToken cancellationToken = default)
    {
        var entry = await EntryAsync(code, create: false, cancellationToken);
        if (entry.Room is null)
        {
            return null;
        }

        if (entry.Entry is not { } found)
        {
            return new SharingSettings(null, null, null, null, null);
        }

        lock (found.Gate)
        {
            return found.Settings;
        }
    }

    public async Task<bool> SetWebhookAsync(string code, string? webhookUrl, CancellationToken cancellationToken = default)
    {
        var (room, entry) = await EntryAsync(code, create: true, cancellationToken);
        if (room is null)
        {
            return false;
        }

        lock (entry!.Gate)
        {
            entry.Settings = entry.Settings with { WebhookUrl = webhookUrl, LastError = null, LastErrorAt = null, LastPostedAt = null };
        }

        return true;
    }

    public async Task<string?> SetOverlayTokenAsync(string code, string token, bool replace, CancellationToken cancellationToken = default)
    {
        var (room, entry) = await EntryAsync(code, create: true, cancellationToken);
        if (room is null)
        {
            return null;
        }

        lock (entry!.Gate)
        {
            if (replace || entry.Settings.OverlayToken is null)
            {
                entry.Settings = entry.Settings with { OverlayToken = token };
            }

            return entry.Settings.OverlayToken;
        }
    }

    public async Task RecordDeliveryAsync(string code, string webhookUrl, string? error, long at, CancellationToken cancellationToken = default)
    {
        var (_, entry) = await EntryAsync(code, create: false, cancellationToken);
        if (entry is null)
        {
            return;
        }

        lock (entry.Gate)
        {
            if (entry.Settings.WebhookUrl != webhookUrl)
            {
                return;
            }

            entry.Settings = error is null
                ? entry.Settings with { LastPostedAt = at }
                : entry.Settings with { LastError = error, LastErrorAt = at };
        }
    }

    /// <summary>The live room and its entry (made when <paramref name="create"/>); an entry of an earlier room of the code is dropped.</summary>
    private async Task<(RoomSnapshot? Room, Entry? Entry)> EntryAsync(string code, bool create, CancellationToken ct)
    {
        var room = await rooms.GetAsync(code, ct);
        if (room is null)
        {
            _entries.TryRemove(code, out _);
            return (null, null);
        }

        var createdAt = room.Room.CreatedAt;
        if (_entries.TryGetValue(code, out var entry) && entry.RoomCreatedAt == createdAt)
        {
            return (room, entry);
        }

        if (entry is not null)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(code, entry));
        }

        if (!create)
        {
            return (room, null);
        }

        await SweepAsync(ct);
        return (room, _entries.GetOrAdd(code, _ => new Entry(createdAt)));
    }

    /// <summary>Drops the entries of rooms that are gone (a few hundred rooms at most: the embedded store is one instance).</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        foreach (var (code, entry) in _entries)
        {
            if (await rooms.GetAsync(code, ct) is not { } live || live.Room.CreatedAt != entry.RoomCreatedAt)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(code, entry));
            }
        }
    }
}
