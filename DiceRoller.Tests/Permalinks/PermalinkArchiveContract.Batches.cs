using DiceRoller.Dice;
using DiceRoller.Permalinks;
using DiceRoller.Rooms;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Permalinks;

/// <summary>The batch writes the group commit relies on (<see cref="IRollBatchArchive"/>), the same on every provider.</summary>
public abstract partial class PermalinkArchiveContract
{
    private Roll BatchRoll(string? playerName = "Ann") =>
        new(Guid.NewGuid().ToString(), "ALPHA-1234", 0, "p1", playerName!, _clock.GetUtcNow().ToUnixTimeMilliseconds(), "1d20", 20, 1, 0,
            Advantage.None, [7], null, 7, Hidden: false, Revealed: false, DcCheck: null);

    private async Task<(IPermalinkArchive Archive, IRollBatchArchive Batches)> NewMigratedArchiveAsync()
    {
        var archive = NewArchive(_database, _clock);
        await archive.MigrateAsync();
        return (archive, Assert.IsAssignableFrom<IRollBatchArchive>(archive));
    }

    private static async Task DisposeArchiveAsync(IPermalinkArchive archive)
    {
        if (archive is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_of_rolls_is_written_whole_with_each_rolls_room_mode()
    {
        var (archive, batches) = await NewMigratedArchiveAsync();
        try
        {
            var rolls = new[] { BatchRoll(), BatchRoll(), BatchRoll() };
            await batches.SaveBatchAsync([new(rolls[0], RoomMode.Open), new(rolls[1], RoomMode.DmLed), new(rolls[2], RoomMode.Open)]);

            var found = await Task.WhenAll(rolls.Select(r => archive.FindAsync(r.RollId)));
            Assert.All(found, Assert.NotNull);
            Assert.Equal(["open", "dm-led", "open"], found.Select(f => f!.RoomMode));
        }
        finally
        {
            await DisposeArchiveAsync(archive);
        }
    }

    [Fact]
    public async Task A_batch_with_one_bad_roll_writes_none_of_its_rolls()
    {
        var (archive, batches) = await NewMigratedArchiveAsync();
        try
        {
            var good = BatchRoll();
            var bad = BatchRoll(playerName: null); // player_name is NOT NULL: the database refuses this row
            var later = BatchRoll();

            await Assert.ThrowsAnyAsync<Exception>(() => batches.SaveBatchAsync([new(good, RoomMode.Open), new(bad, RoomMode.Open), new(later, RoomMode.Open)]));

            Assert.Null(await archive.FindAsync(good.RollId));
            Assert.Null(await archive.FindAsync(later.RollId));
            Assert.Equal(0, await CountRowsAsync());
        }
        finally
        {
            await DisposeArchiveAsync(archive);
        }
    }

    [Fact]
    public async Task A_roll_already_archived_is_kept_as_it_was_when_a_batch_repeats_it()
    {
        var (archive, batches) = await NewMigratedArchiveAsync();
        try
        {
            var first = BatchRoll();
            await archive.SaveAsync(first, RoomMode.DmLed);
            var fresh = BatchRoll();

            await batches.SaveBatchAsync([new(first, RoomMode.Open), new(fresh, RoomMode.Open)]);

            Assert.Equal("dm-led", (await archive.FindAsync(first.RollId))!.RoomMode);
            Assert.NotNull(await archive.FindAsync(fresh.RollId));
            Assert.Equal(2, await CountRowsAsync());
        }
        finally
        {
            await DisposeArchiveAsync(archive);
        }
    }

    [Fact]
    public async Task Rolls_saved_at_once_through_the_group_commit_are_each_archived_once_and_a_bad_one_fails_alone()
    {
        var (archive, _) = await NewMigratedArchiveAsync();
        try
        {
            var writer = new GroupCommitRollArchive(archive, Options.Create(new GroupCommitOptions { MaxBatch = 16 }), NullLogger<GroupCommitRollArchive>.Instance);
            await using (writer)
            {
                var rolls = Enumerable.Range(0, 60).Select(i => BatchRoll(i == 30 ? null : "Ann")).ToList();
                var saves = rolls.Select(r => writer.SaveAsync(r, RoomMode.Open)).ToList();
                var outcomes = await Task.WhenAll(saves.Select(async s =>
                {
                    try
                    {
                        await s.WaitAsync(TimeSpan.FromSeconds(60));
                        return true;
                    }
                    catch (Exception ex) when (ex is not TimeoutException)
                    {
                        return false;
                    }
                }));

                Assert.Equal([30], outcomes.Select((ok, i) => (ok, i)).Where(o => !o.ok).Select(o => o.i));
                Assert.Equal(59, await CountRowsAsync());
                Assert.Null(await archive.FindAsync(rolls[30].RollId));
            }
        }
        finally
        {
            await DisposeArchiveAsync(archive);
        }
    }
}
