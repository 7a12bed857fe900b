using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Permalinks;

/// <summary>One roll waiting for its permalink row.</summary>
public sealed record ArchivedRoll(Roll Roll, RoomMode RoomMode);

/// <summary>An archive that can write several rolls in one transaction (all or none). Optional: the group commit works without it.</summary>
public interface IRollBatchArchive
{
    Task SaveBatchAsync(IReadOnlyList<ArchivedRoll> rolls, CancellationToken cancellationToken = default);
}

public sealed class GroupCommitOptions
{
    public const string Section = "Permalinks:GroupCommit";

    /// <summary>Whether permalink inserts go through one writer that commits queued rolls together (on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most rolls one transaction writes.</summary>
    [Range(1, 10_000, ErrorMessage = "Permalinks:GroupCommit:MaxBatch must be between 1 and 10000.")]
    public int MaxBatch { get; set; } = 256;
}

/// <summary>
/// A decorator of any <see cref="IRollArchive"/> (SQLite, PostgreSQL): every roll's permalink insert is queued to ONE writer,
/// which writes whatever has queued up meanwhile in one transaction (through <see cref="IRollBatchArchive"/> when the inner
/// archive has it, else one by one). Each roll still awaits its own insert before its history append, so "permalink before
/// history" holds; inserts no longer contend for the database's write lock, and a burst costs one commit instead of many.
/// A failed batch is retried roll by roll, so an error reaches exactly the roll that caused it. Disposing drains the queue.
/// Reveals and deletes go straight to the inner archive (they only ever follow a save that has completed).
/// </summary>
public sealed class GroupCommitRollArchive : IRollArchive, IAsyncDisposable, IDisposable
{
    private sealed record Pending(ArchivedRoll Entry, TaskCompletionSource Done);

    private readonly IRollArchive _inner;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public GroupCommitRollArchive(IRollArchive inner, IOptions<GroupCommitOptions> options, ILogger<GroupCommitRollArchive> logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        _inner = inner;
        _maxBatch = options.Value.MaxBatch;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues the roll and completes when its row is committed (or fails with the error its insert met).</summary>
    public Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var pending = new Pending(new ArchivedRoll(roll, roomMode), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitRollArchive), "The permalink writer has stopped (the app is shutting down).");
        }

        // A caller that gives up stops waiting; the row may still be written (as when a request is aborted after its insert).
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default) => _inner.MarkRevealedAsync(rollId, cancellationToken);

    public Task DeleteAsync(string rollId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(rollId, cancellationToken);

    public Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default) => _inner.SaveSeedAsync(seed, cancellationToken);

    /// <summary>Straight through: the roll's own insert was committed before its <see cref="SaveAsync"/> returned.</summary>
    public Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default) => _inner.UpdateChainAsync(roll, cancellationToken);

    /// <summary>Stops taking rolls and waits until every queued one is written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        if (batch.Count > 1 && _inner is IRollBatchArchive batched)
        {
            try
            {
                await batched.SaveBatchAsync([.. batch.Select(p => p.Entry)], CancellationToken.None);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }

                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing of the batch was committed: write each roll alone, so only the roll at fault fails.
                _logger.LogWarning(ex, "A group commit of {Count} permalinks failed; writing them one by one", batch.Count);
            }
        }

        foreach (var pending in batch)
        {
            try
            {
                await _inner.SaveAsync(pending.Entry.Roll, pending.Entry.RoomMode, CancellationToken.None);
                pending.Done.TrySetResult();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }
}

public static class GroupCommitRegistration
{
    /// <summary>
    /// Wraps the <see cref="IRollArchive"/> registered so far (whichever provider) in a <see cref="GroupCommitRollArchive"/>,
    /// unless <c>Permalinks:GroupCommit:Enabled</c> is false. Call after the archive is registered.
    /// </summary>
    public static IServiceCollection AddRollArchiveGroupCommit(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (!configuration.GetValue(GroupCommitOptions.Section + ":" + nameof(GroupCommitOptions.Enabled), true))
        {
            return services;
        }

        var archive = services.LastOrDefault(d => d.ServiceType == typeof(IRollArchive))
            ?? throw new InvalidOperationException("Register an IRollArchive before its group commit.");
        services.Remove(archive);
        services.AddSingleton<IRollArchive>(sp => new GroupCommitRollArchive(Resolve(sp, archive),
            sp.GetRequiredService<IOptions<GroupCommitOptions>>(), sp.GetRequiredService<ILogger<GroupCommitRollArchive>>()));
        return services;
    }

    private static IRollArchive Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as IRollArchive
        ?? (IRollArchive?)descriptor.ImplementationFactory?.Invoke(services)
        ?? (IRollArchive)ActivatorUtilities.GetServiceOrCreateInstance(services, descriptor.ImplementationType!);
}
