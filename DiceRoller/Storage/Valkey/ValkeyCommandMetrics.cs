using DiceRoller.Shared;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace DiceRoller.Storage;

/// <summary>
/// Valkey command latency: StackExchange.Redis profiles every command into one long-lived session, and
/// every <see cref="MetricsOptions.ValkeySampleInterval"/> the finished commands go into the
/// <c>diceroller.valkey.command.duration</c> histogram (by command), so the session never grows unbounded.
/// </summary>
public sealed class ValkeyCommandMetrics(IConnectionMultiplexer redis, IOptions<MetricsOptions> options, TimeProvider time) : BackgroundService
{
    private readonly ProfilingSession _session = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.RegisterProfiler(() => _session);
        using var timer = new PeriodicTimer(options.Value.ValkeySampleInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Drain();
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            redis.RegisterProfiler(() => null);
            Drain();
        }
    }

    private void Drain()
    {
        foreach (var command in _session.FinishProfiling())
        {
            DiceRollerMetrics.ValkeyCommandCompleted(command.Command, command.ElapsedTime.TotalMilliseconds);
        }
    }
}
