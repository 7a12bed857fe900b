using Microsoft.Extensions.Options;

namespace DiceRoller.Permalinks;

/// <summary>Deletes expired permalinks on a schedule (daily by default) and logs how many went (one instance at a time).</summary>
public sealed class PermalinkCleanup(IPermalinkArchive store, TimeProvider time, IOptions<PermalinkOptions> options, ILogger<PermalinkCleanup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        do
        {
            await RunOnceAsync(stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Deletes expired permalinks; null when another app instance holds the cleanup right now (it does the work).</summary>
    public async Task<int?> RunOnceAsync(CancellationToken ct = default)
    {
        try
        {
            var deleted = await store.DeleteExpiredAsync(ct);
            if (deleted is null)
            {
                logger.LogInformation("Permalink cleanup skipped: another instance is running it");
                return null;
            }

            logger.LogInformation("Permalink cleanup deleted {DeletedCount} expired permalinks", deleted);
            return deleted;
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogError(ex, "Permalink cleanup failed");
            return 0;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
