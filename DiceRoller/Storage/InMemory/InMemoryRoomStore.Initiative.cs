using System.Runtime.CompilerServices;
using DiceRoller.Initiative;

namespace DiceRoller.Storage;

/// <summary>The room's initiative encounter, kept beside the room's data (it goes when the room goes), under the room's lock.</summary>
public sealed partial class InMemoryRoomStore
{
    private sealed class EncounterSlot
    {
        public Encounter? Encounter { get; set; }

        public long Version { get; set; }
    }

    private readonly ConditionalWeakTable<RoomData, EncounterSlot> _encounters = [];

    public Task<EncounterState?> GetEncounterAsync(string code, CancellationToken cancellationToken = default) =>
        Locked<EncounterState?>(code, null, data =>
            _encounters.TryGetValue(data, out var slot) ? new EncounterState(slot.Encounter, slot.Version) : new EncounterState(null, 0));

    public Task<EncounterSave> SaveEncounterAsync(string code, long expectedVersion, Encounter? encounter, long now, CancellationToken cancellationToken = default) =>
        Locked(code, EncounterSave.RoomNotFound, data =>
        {
            var slot = _encounters.GetValue(data, _ => new EncounterSlot());
            if (slot.Version != expectedVersion)
            {
                return EncounterSave.Stale;
            }

            slot.Encounter = encounter;
            slot.Version++;
            Touch(data, now);
            return EncounterSave.Saved;
        });
}
