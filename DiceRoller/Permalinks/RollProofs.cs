using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;

namespace DiceRoller.Permalinks;

/// <summary>What the server's own check of a roll's proof found (the permalink page's "Verified" line).</summary>
/// <param name="HashMatches">The hash recomputed from the roll's fields equals its recorded hash.</param>
/// <param name="SignatureValid">The signature of the hash checks out against the server's published key.</param>
/// <param name="DiceFollow">With the published seed: the dice replayed from seed, client seed and nonce are the recorded ones; null before the seed is published.</param>
public sealed record ProofCheck(bool HashMatches, bool SignatureValid, bool? DiceFollow)
{
    public bool Passed => HashMatches && SignatureValid && DiceFollow != false;
}

/// <summary>
/// The reading side of a roll's proof: publishes a seed lazily once its room no longer uses it (the room expired or closed
/// without telling us, or was rotated), and checks a proof the way any verifier would (docs/fairness.md).
/// </summary>
public sealed class RollProofs(IPermalinkArchive store, IRooms rooms, IRollSigner signer)
{
    /// <summary>
    /// The seed behind <paramref name="commitment"/> if it is published: revealed already, or its room is gone or has moved on to
    /// another seed (then it is marked revealed now). Null while the seed is still in use, or unknown.
    /// </summary>
    public async Task<string?> PublishedSeedAsync(string commitment, CancellationToken ct = default)
    {
        var row = await store.FindSeedAsync(commitment, ct);
        if (row is null)
        {
            return null;
        }

        if (row.RevealedAt is null)
        {
            var room = await rooms.GetAsync(row.RoomCode, ct);
            if (room is not null && room.Commitment == commitment)
            {
                return null;
            }

            await store.MarkSeedRevealedAsync(commitment, ct);
        }

        return row.ServerSeed;
    }

    /// <summary>The permalink with its fairness's <c>server_seed</c> filled in when published (<paramref name="seeds"/> caches per request).</summary>
    public async Task<Permalink> WithSeedAsync(Permalink permalink, Dictionary<string, string?>? seeds = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(permalink);
        if (permalink.Fairness is not { } fairness)
        {
            return permalink;
        }

        seeds ??= new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!seeds.TryGetValue(fairness.Commitment, out var seed))
        {
            seed = await PublishedSeedAsync(fairness.Commitment, ct);
            seeds[fairness.Commitment] = seed;
        }

        return permalink with { Fairness = fairness with { ServerSeed = seed } };
    }

    /// <summary>Recomputes the hash, checks the signature, and (with the seed published) replays the dice.</summary>
    public ProofCheck? Check(Permalink permalink)
    {
        ArgumentNullException.ThrowIfNull(permalink);
        if (permalink.Fairness is not { Salt: { } salt } f)
        {
            return null;
        }

        var hash = RollHash.Compute(new RollHash.Input(f.PrevHash, permalink.RollId, f.Sequence, f.PlayerId, permalink.DiceFormula,
            permalink.IndividualResults, permalink.Total, f.ClientSeed, f.Nonce, f.Commitment, salt, f.Rules, f.ClientSeedCommitment,
            f.ClientSeedByServer ?? false, f.HiddenIndex));
        var signed = Ed25519RollSigner.Verify(signer.Key.PublicKey, f.Hash, f.Signature) && f.KeyId == signer.Key.KeyId;
        bool? dice = null;
        if (RoomSeed.FromHex(f.ServerSeed) is { } seed)
        {
            dice = RoomSeed.Commitment(seed) == RoomSeed.SeedHashOf(f.Commitment) && Replays(permalink, seed, f);
        }

        return new ProofCheck(hash == f.Hash, signed, dice);
    }

    private static bool Replays(Permalink permalink, byte[] seed, PermalinkFairness f)
    {
        var (spec, error) = DiceNotation.ParseStored(permalink.DiceFormula, permalink.Advantage);
        if (error is not null || spec is null)
        {
            return false;
        }

        var source = new SeededRandomSource(seed, f.ClientSeed, f.Nonce, f.HiddenIndex is null ? null : f.Salt);
        var outcome = DiceEngine.Roll(spec, source);
        return outcome.Results.SequenceEqual(permalink.IndividualResults) && outcome.Total == permalink.Total && source.ValuesUsed == f.BlockValuesUsed;
    }
}
