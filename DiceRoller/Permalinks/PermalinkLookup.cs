using DiceRoller.Fairness;

namespace DiceRoller.Permalinks;

/// <summary>The verify page's view of the permalinks: exactly what <c>/api/permalink/{roll_id}</c> serves, read as the verifier's model.</summary>
public sealed class PermalinkLookup(IPermalinkArchive store, RollProofs proofs) : IPermalinkLookup
{
    public async Task<VerifiableRoll?> FindPublicAsync(string rollId, CancellationToken cancellationToken = default)
    {
        if (!Guid.TryParseExact(rollId, "D", out _))
        {
            return null;
        }

        var row = await store.FindAsync(rollId.ToLowerInvariant(), cancellationToken);
        return row is { IsPublic: true }
            ? VerifiableJson.ParseRoll(Rooms.RoomJson.Serialize(await proofs.WithSeedAsync(Permalink.From(row), ct: cancellationToken))).Roll
            : null;
    }
}
