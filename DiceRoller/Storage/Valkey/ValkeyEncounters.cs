using System.Globalization;
using DiceRoller.Initiative;
using DiceRoller.Rooms;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// The room's initiative encounter in Valkey: one hash per room (<see cref="ValkeyKeys.Initiative"/>), in the room's slot and
/// among its keys (refreshed and deleted with them). A change is one script that checks the version and writes.
/// </summary>
public sealed class ValkeyEncounters(IConnectionMultiplexer redis) : IEncounters
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<EncounterState?> GetEncounterAsync(string code, CancellationToken cancellationToken = default)
    {
        var db = Db;
        var exists = db.KeyExistsAsync(ValkeyKeys.Meta(code));
        var fields = db.HashGetAsync(ValkeyKeys.Initiative(code), ["json", "v"]);
        if (!await exists)
        {
            return null;
        }

        var values = await fields;
        var encounter = values[0].IsNullOrEmpty ? null : RoomJson.Deserialize<Encounter>(values[0].ToString());
        var version = values[1].IsNullOrEmpty ? 0 : long.Parse(values[1].ToString(), CultureInfo.InvariantCulture);
        return new EncounterState(encounter, version);
    }

    public async Task<EncounterSave> SaveEncounterAsync(string code, long expectedVersion, Encounter? encounter, long now,
        CancellationToken cancellationToken = default)
    {
        var result = (int)await Db.ScriptEvaluateAsync(ValkeyScripts.SaveEncounter, [.. ValkeyKeys.All(code), ValkeyKeys.Initiative(code)],
            [expectedVersion, encounter is null ? "" : RoomJson.Serialize(encounter), now]);
        return result switch
        {
            1 => EncounterSave.Saved,
            0 => EncounterSave.Stale,
            _ => EncounterSave.RoomNotFound,
        };
    }
}
