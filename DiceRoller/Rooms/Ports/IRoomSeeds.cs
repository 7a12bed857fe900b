namespace DiceRoller.Rooms;

/// <summary>The room's fairness seeds: the server seed and its rotation, the members' client seeds. Part of <see cref="IRoomStore"/>.</summary>
public interface IRoomSeeds
{
    /// <summary>The room's current secret seed and its commitment (never shown while in use); null when the room is gone or has none.</summary>
    Task<RoomSeedSecret?> GetSeedAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the room's seed with <paramref name="newSeed"/> atomically and returns the one it replaced (to publish), or
    /// null when the room is gone. A room that had none returns a rotation with <see cref="SeedRotation.Old"/> null.
    /// </summary>
    Task<SeedRotation?> RotateSeedAsync(string code, RoomSeedSecret newSeed, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sets a member's client seed (used from their next roll) and records the room's commitment current at that moment beside it
    /// (<see cref="RoomSnapshot.ClientSeedCommitments"/>); false when they are not a member or the room is gone.
    /// </summary>
    Task<bool> SetClientSeedAsync(string code, string playerId, string clientSeed, long now, CancellationToken cancellationToken = default);
}

/// <summary>
/// A room seed (32 bytes from the OS CSPRNG) with its commitment and, under rules 2, its hidden key (32 more bytes, never
/// published: <see cref="Fairness.HiddenSecrets"/>), whose Merkle root is part of the commitment. Seeds from before rules 2
/// have no hidden key.
/// </summary>
public sealed record RoomSeedSecret(byte[] Seed, string Commitment, byte[]? HiddenKey = null)
{
    public static RoomSeedSecret New()
    {
        var seed = Fairness.RoomSeed.Create();
        var hiddenKey = Fairness.HiddenSecrets.NewKey();
        return new RoomSeedSecret(seed, Fairness.RoomSeed.Commitment(seed, Fairness.HiddenSecrets.Root(hiddenKey)), hiddenKey);
    }

    /// <summary>
    /// A fresh seed without a hidden key (rules 1): what a roll offers as the seed of a room that has one already, so that it
    /// never pays for a hidden-roll tree it will not use (a store takes the offer only for a room from before fairness).
    /// </summary>
    public static RoomSeedSecret NewWithoutHiddenKey()
    {
        var seed = Fairness.RoomSeed.Create();
        return new RoomSeedSecret(seed, Fairness.RoomSeed.Commitment(seed));
    }

    /// <summary>The server seed alone: what is published on rotation, close or expiry.</summary>
    public string SeedHex => Fairness.RoomSeed.ToHex(Seed);

    /// <summary>What a room store keeps: the seed's hex, followed by the hidden key's under rules 2.</summary>
    public string StoredHex => HiddenKey is null ? SeedHex : SeedHex + Convert.ToHexStringLower(HiddenKey);

    /// <summary>The rules its rolls follow (1 before hidden-roll secrets and client-seed order, 2 after).</summary>
    public int Rules => HiddenKey is null ? 1 : 2;

    /// <summary>Reads <see cref="StoredHex"/> back; null when it is not 64 or 128 hex digits or the commitment is empty.</summary>
    public static RoomSeedSecret? FromStored(string? storedHex, string? commitment)
    {
        if (string.IsNullOrEmpty(commitment) || storedHex is null)
        {
            return null;
        }

        if (storedHex.Length == 2 * (Fairness.RoomSeed.Length + Fairness.HiddenSecrets.KeyLength) && storedHex.All(char.IsAsciiHexDigit))
        {
            var bytes = Convert.FromHexString(storedHex);
            return new RoomSeedSecret(bytes[..Fairness.RoomSeed.Length], commitment, bytes[Fairness.RoomSeed.Length..]);
        }

        return Fairness.RoomSeed.FromHex(storedHex) is { } seed ? new RoomSeedSecret(seed, commitment) : null;
    }
}

/// <summary>A seed rotation: the seed replaced (null when the room had none) and the one now in use.</summary>
public sealed record SeedRotation(RoomSeedSecret? Old, RoomSeedSecret New);
