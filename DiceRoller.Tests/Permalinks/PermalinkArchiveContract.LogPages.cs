using DiceRoller.Permalinks;
using DiceRoller.Rooms;

namespace DiceRoller.Tests.Permalinks;

/// <summary>
/// One page of a room's log is read from the archive on its own (<see cref="IPermalinkArchive.RoomLogPageAsync"/>): the same
/// rolls, in the same order, as that page of the whole log, with rolls left out by id; the same on every provider.
/// </summary>
public abstract partial class PermalinkArchiveContract
{
    private Roll ChainRoll(string room, long sequence) =>
        BatchRoll() with
        {
            RoomCode = room,
            Sequence = sequence,
            Proof = new RollProof("c", "s", sequence, 1, "", $"prev{sequence}", $"hash{sequence}", "sig", "k"),
        };

    [Fact]
    public async Task A_page_of_a_rooms_log_is_that_page_of_the_whole_log_read_alone()
    {
        var (archive, batches) = await NewMigratedArchiveAsync();
        try
        {
            const int Total = 5_000;
            const string Room = "ALPHA-1234";
            for (var from = 1; from <= Total; from += 500)
            {
                await batches.SaveBatchAsync(Enumerable.Range(from, 500).Select(s => new ArchivedRoll(ChainRoll(Room, s), RoomMode.Open)).ToList());
            }

            await batches.SaveBatchAsync([new(ChainRoll("OTHER-0001", 1), RoomMode.Open), new(BatchRoll() with { RoomCode = Room, Sequence = 9 }, RoomMode.Open)]);

            var all = await archive.RoomLogAsync(Room, 0);
            Assert.Equal(Total, all.Count);

            var count = await archive.RoomLogCountAsync(Room, 0, []);
            var newest = await archive.RoomLogPageAsync(Room, 0, [], Total - 500, 500);
            Assert.Equal(Total, count);
            Assert.Equal(all.Skip(Total - 500).Select(r => r.RollId), newest.Select(r => r.RollId));
            Assert.Equal(Enumerable.Range(Total - 499, 500).Select(s => (long?)s), newest.Select(r => r.Sequence));

            // A replaced roll (another id at a sequence still in the history) is left out of the count and moves the pages.
            var replaced = all[4_999 - 10].RollId;
            var links = await archive.RoomLogFromAsync(Room, 0, Total - 19);
            Assert.Equal(Enumerable.Range(Total - 19, 20).Select(s => (long?)s), links.Select(l => l.Sequence).Order());
            Assert.Contains(replaced, links.Select(l => l.RollId));
            Assert.Equal(Total - 1, await archive.RoomLogCountAsync(Room, 0, [replaced]));
            var last = await archive.RoomLogPageAsync(Room, 0, [replaced], Total - 501, 500);
            Assert.Equal(all.Where(r => r.RollId != replaced).Skip(Total - 501).Select(r => r.RollId), last.Select(r => r.RollId));
            Assert.Equal(all.Take(3).Select(r => r.RollId), (await archive.RoomLogPageAsync(Room, 0, [replaced], 0, 3)).Select(r => r.RollId));
            Assert.Empty(await archive.RoomLogPageAsync(Room, 0, [], Total, 500));

            // Since the room was created: an older room of the same code is not in it.
            Assert.Equal(0, await archive.RoomLogCountAsync(Room, _clock.GetUtcNow().ToUnixTimeMilliseconds() + 1, []));
        }
        finally
        {
            await DisposeArchiveAsync(archive);
        }
    }
}
