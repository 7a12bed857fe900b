using DiceRoller.Dice;
using DiceRoller.Permalinks;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Permalinks;

/// <summary>
/// The group-commit writer in front of any roll archive: one writer, queued rolls committed together, each roll told its own
/// outcome. The real archives' batch writes are in <see cref="PermalinkArchiveContract"/> (SQLite and PostgreSQL).
/// </summary>
public sealed class GroupCommitTests
{
    private static Roll NewRoll(string id, long timestamp = 0) =>
        new(id, "ALPHA-1234", 0, "p1", "Ann", timestamp, "1d20", 20, 1, 0, Advantage.None, [7], null, 7, false, false, null);

    /// <summary>An archive whose writes wait for <see cref="Release"/>, recording what each call wrote.</summary>
    private sealed class GatedArchive(bool batches = true) : IRollArchive, IRollBatchArchive
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string[]> Calls { get; } = [];

        public HashSet<string> Committed { get; } = [];

        public string? Poisoned { get; init; }

        public void Release() => _gate.TrySetResult();

        public async Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default)
        {
            await WriteAsync([roll.RollId]);
        }

        public async Task SaveBatchAsync(IReadOnlyList<ArchivedRoll> rolls, CancellationToken cancellationToken = default)
        {
            if (!batches)
            {
                throw new NotSupportedException();
            }

            await WriteAsync([.. rolls.Select(r => r.Roll.RollId)]);
        }

        private async Task WriteAsync(string[] ids)
        {
            lock (Calls)
            {
                Calls.Add(ids);
            }

            FirstCallStarted.TrySetResult();
            await _gate.Task;
            if (Poisoned is not null && ids.Contains(Poisoned))
            {
                throw new InvalidOperationException($"constraint failed for {Poisoned}");
            }

            lock (Committed)
            {
                Committed.UnionWith(ids);
            }
        }

        public Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task DeleteAsync(string rollId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private static GroupCommitRollArchive Writer(IRollArchive inner, int maxBatch = 256) =>
        new(inner, Options.Create(new GroupCommitOptions { MaxBatch = maxBatch }), NullLogger<GroupCommitRollArchive>.Instance);

    [Fact]
    public async Task Rolls_queued_behind_a_commit_are_written_together_in_order_and_each_waits_for_its_own_commit()
    {
        var inner = new GatedArchive();
        await using var writer = Writer(inner);

        var first = writer.SaveAsync(NewRoll("r1"), RoomMode.Open);
        await inner.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { "r2", "r3", "r4", "r5" }.Select(id => writer.SaveAsync(NewRoll(id), RoomMode.Open)).ToList();

        // Nothing is acknowledged before its row is committed: the roll must not reach the room's history first.
        Assert.False(first.IsCompleted);
        Assert.All(queued, t => Assert.False(t.IsCompleted));

        inner.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["r1"], inner.Calls[0]);
        Assert.Equal(["r2", "r3", "r4", "r5"], inner.Calls[1]);
        Assert.Equal(2, inner.Calls.Count);
    }

    [Fact]
    public async Task A_batch_holds_at_most_MaxBatch_rolls()
    {
        var inner = new GatedArchive();
        await using var writer = Writer(inner, maxBatch: 2);

        var first = writer.SaveAsync(NewRoll("r1"), RoomMode.Open);
        await inner.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { "r2", "r3", "r4", "r5", "r6" }.Select(id => writer.SaveAsync(NewRoll(id), RoomMode.Open)).ToList();
        inner.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["r1", "r2", "r3", "r4", "r5", "r6"], inner.Calls.SelectMany(c => c));
        Assert.All(inner.Calls, c => Assert.InRange(c.Length, 1, 2));
    }

    [Fact]
    public async Task A_failing_insert_fails_only_its_own_roll_and_the_rest_of_its_batch_is_written()
    {
        var inner = new GatedArchive { Poisoned = "r3" };
        await using var writer = Writer(inner);

        var first = writer.SaveAsync(NewRoll("r1"), RoomMode.Open);
        await inner.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var r2 = writer.SaveAsync(NewRoll("r2"), RoomMode.Open);
        var r3 = writer.SaveAsync(NewRoll("r3"), RoomMode.Open);
        var r4 = writer.SaveAsync(NewRoll("r4"), RoomMode.Open);
        inner.Release();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => r3.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("r3", error.Message, StringComparison.Ordinal);
        await Task.WhenAll(first, r2, r4).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["r1", "r2", "r4"], inner.Committed.Order());
    }

    [Fact]
    public async Task Without_a_batch_capability_the_writer_saves_one_by_one_in_order()
    {
        var inner = new GatedArchive(batches: false);
        await using var writer = Writer(new PlainArchive(inner));

        var first = writer.SaveAsync(NewRoll("r1"), RoomMode.Open);
        await inner.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { "r2", "r3" }.Select(id => writer.SaveAsync(NewRoll(id), RoomMode.Open)).ToList();
        inner.Release();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["r1", "r2", "r3"], inner.Calls.Select(c => Assert.Single(c)));
    }

    [Fact]
    public async Task Shutting_down_writes_every_queued_roll_then_refuses_new_ones()
    {
        var inner = new GatedArchive();
        var writer = Writer(inner);
        var first = writer.SaveAsync(NewRoll("r1"), RoomMode.Open);
        await inner.FirstCallStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { "r2", "r3" }.Select(id => writer.SaveAsync(NewRoll(id), RoomMode.Open)).ToList();

        var disposing = writer.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        inner.Release();
        await disposing.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(queued.Append(first), t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(["r1", "r2", "r3"], inner.Committed.Order());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.SaveAsync(NewRoll("r4"), RoomMode.Open));
    }

    [Fact]
    public async Task The_app_writes_permalinks_through_the_group_commit_unless_it_is_turned_off()
    {
        await using (var app = new AppFactory())
        {
            _ = app.Server;
            Assert.IsType<GroupCommitRollArchive>(app.Services.GetRequiredService<IRollArchive>());
        }

        await using (var app = new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:GroupCommit:Enabled"] = "false" }))
        {
            _ = app.Server;
            Assert.IsType<SqlitePermalinkStore>(app.Services.GetRequiredService<IRollArchive>());
        }
    }

    /// <summary>Hides the batch capability of the archive it wraps.</summary>
    private sealed class PlainArchive(IRollArchive inner) : IRollArchive
    {
        public Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default) => inner.SaveAsync(roll, roomMode, cancellationToken);

        public Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default) => inner.MarkRevealedAsync(rollId, cancellationToken);

        public Task DeleteAsync(string rollId, CancellationToken cancellationToken = default) => inner.DeleteAsync(rollId, cancellationToken);

        public Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default) => inner.SaveSeedAsync(seed, cancellationToken);

        public Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default) => inner.UpdateChainAsync(roll, cancellationToken);
    }
}
