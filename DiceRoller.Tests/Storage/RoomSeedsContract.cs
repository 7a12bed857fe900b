using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>What every <see cref="IRoomSeeds"/> must do (the room seed, its rotation, the members' client seeds), written once and run on every backend.</summary>
public abstract partial class RoomSeedsContract(StoreBackend backend) : StoreContract(backend)
{
    [Fact]
    public async Task A_new_room_holds_a_secret_seed_whose_commitment_its_snapshot_shows()
    {
        var (room, _) = await CreateRoomAsync();

        var snapshot = await Store.GetAsync(room.Code);
        var seed = await Store.GetSeedAsync(room.Code);

        Assert.NotNull(seed);
        Assert.Equal(32, seed!.Seed.Length);
        Assert.Equal(32, seed.HiddenKey!.Length); // rules 2: the hidden key is kept beside the seed, and its root is committed
        Assert.Equal(DiceRoller.Fairness.RoomSeed.Commitment(seed.Seed, DiceRoller.Fairness.HiddenSecrets.Root(seed.HiddenKey)), seed.Commitment);
        Assert.Equal(seed.Commitment, snapshot!.Commitment);
        var (second, _) = await CreateRoomAsync();
        Assert.NotEqual((await Store.GetSeedAsync(second.Code))!.Commitment, seed.Commitment);
    }

    [Fact]
    public async Task A_client_seed_is_refused_for_a_non_member_and_a_rotation_for_a_gone_room()
    {
        var (room, _) = await CreateRoomAsync();

        Assert.False(await Store.SetClientSeedAsync(room.Code, "someone-else", "seed", Now));
        Assert.Empty((await Store.GetAsync(room.Code))!.ClientSeeds);
        Assert.Null(await Store.RotateSeedAsync(UniqueCode(), RoomSeedSecret.New(), Now));
    }

    [Fact]
    public async Task Rotating_returns_the_old_seed_and_commits_the_new_one()
    {
        var (room, _) = await CreateRoomAsync();
        var before = await Store.GetSeedAsync(room.Code);
        var fresh = RoomSeedSecret.New();

        var rotation = await Store.RotateSeedAsync(room.Code, fresh, Now);

        Assert.Equal(before!.Commitment, rotation!.Old!.Commitment);
        Assert.Equal(before.Seed, rotation.Old.Seed);
        Assert.Equal(fresh.Commitment, (await Store.GetAsync(room.Code))!.Commitment);
        Assert.Equal(fresh.Commitment, (await StartAsync(room.Code, "p"))!.Ticket!.Seed.Commitment);
        Assert.Equal(fresh.HiddenKey, (await Store.GetSeedAsync(room.Code))!.HiddenKey);
    }

    [Fact]
    public async Task A_client_seed_is_kept_with_the_commitment_current_when_it_was_set()
    {
        var (room, creator) = await CreateRoomAsync();
        var first = (await Store.GetSeedAsync(room.Code))!.Commitment;
        Assert.True(await Store.SetClientSeedAsync(room.Code, creator.PlayerId, "set-under-first", Now));

        var before = (await StartAsync(room.Code, creator.PlayerId)).Ticket!;
        var fresh = RoomSeedSecret.New();
        await Store.RotateSeedAsync(room.Code, fresh, Now);
        var after = (await StartAsync(room.Code, creator.PlayerId)).Ticket!;
        var snapshot = (await Store.GetAsync(room.Code))!;

        Assert.Equal(("set-under-first", first), (before.ClientSeed, before.ClientSeedCommitment));
        Assert.Equal(first, after.ClientSeedCommitment); // the store says when it was set; the roll path sees it is stale
        Assert.NotEqual(fresh.Commitment, after.ClientSeedCommitment);
        Assert.Equal(first, snapshot.ClientSeedCommitments[creator.PlayerId]);
        Assert.Null(snapshot.ClientSeedOf(creator.PlayerId));
        Assert.Null((await StartAsync(room.Code, "no-seed-set")).Ticket!.ClientSeedCommitment);
    }

    [Fact]
    public async Task Hidden_rolls_take_the_secrets_of_their_commitment_in_order_until_they_run_out_and_a_rotation_starts_again()
    {
        var (room, creator) = await CreateRoomAsync();
        Task<RollStart> HiddenAsync(bool hidden = true) => Store.StartRollAsync(room.Code, new RollAttempt(creator.PlayerId, null,
            new RollLimit($"roll:{room.Code}:{creator.PlayerId}", 10_000, RollWindow), "fallback-seed", false, RoomSeedSecret.New(), Now, hidden));

        Assert.Null((await HiddenAsync(hidden: false)).Ticket!.HiddenIndex);
        var indices = new List<int?>();
        for (var i = 0; i < DiceRoller.Fairness.HiddenSecrets.Count; i++)
        {
            indices.Add((await HiddenAsync()).Ticket!.HiddenIndex);
        }

        var nonceBefore = (await HiddenAsync(hidden: false)).Ticket!.Nonce;
        var usedUp = await HiddenAsync();
        var nonceAfter = (await HiddenAsync(hidden: false)).Ticket!.Nonce;
        await Store.RotateSeedAsync(room.Code, RoomSeedSecret.New(), Now);

        Assert.Equal(Enumerable.Range(0, DiceRoller.Fairness.HiddenSecrets.Count).Select(i => (int?)i), indices);
        Assert.Equal(RollRequestState.HiddenSecretsUsedUp, usedUp.State);
        Assert.Equal(nonceBefore + 1, nonceAfter); // the refused roll took no nonce
        Assert.Equal(0, (await HiddenAsync()).Ticket!.HiddenIndex);
    }
}

/// <summary>The seeds contract on the in-process store.</summary>
public sealed class InMemoryRoomSeedsContractTests() : RoomSeedsContract(StoreBackend.InMemory());

/// <summary>The seeds contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomSeedsContractTests(ValkeyServer valkey) : RoomSeedsContract(StoreBackend.Valkey(valkey));

/// <summary>The seeds contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterRoomSeedsContractTests(ValkeyClusterFixture cluster) : RoomSeedsContract(StoreBackend.ValkeyCluster(cluster));
