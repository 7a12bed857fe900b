// DiceRoller's fan-out benchmark (run it with `bash scripts/bench.sh`, which builds and pins everything).
// For every step (players) and round, each target is started fresh on the server core, its players join and
// hold one stream each, and they roll open-loop on one seeded Poisson schedule; targets rotate between rounds.
using System.Globalization;
using DiceRoller.Bench;

var options = BenchOptions.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var results = new List<RunResult>();
var memory = new List<MemoryResult>();
var saturation = new List<RunResult>();
Directory.CreateDirectory(options.ResultsDir);
var file = Path.Combine(options.ResultsDir, $"{DateTime.UtcNow:yyyyMMdd-HHmm}{(options.Smoke ? "-smoke" : "")}.md");

// The table is rewritten after every run, so an interrupted benchmark still leaves what it measured.
async Task<string> WriteTableAsync()
{
    var markdown = Report.Markdown(options, results, memory) + Report.Saturation(saturation);
    await File.WriteAllTextAsync(file, markdown);
    return markdown;
}
Console.WriteLine($"bench: steps {string.Join(',', options.Steps)}, {options.Rounds} round(s) of {options.Duration.TotalSeconds:0} s, " +
    $"{options.Rate.ToString(CultureInfo.InvariantCulture)} rolls/player/s, rooms of {options.RoomSize}, seed {options.Seed}, targets {string.Join(',', options.Targets)}");
foreach (var players in options.Steps)
{
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Rotated each round, so no target always runs first (or right after the heaviest one).
        var order = options.Targets.Skip((round - 1) % options.Targets.Length).Concat(options.Targets.Take((round - 1) % options.Targets.Length));
        foreach (var target in order.TakeWhile(_ => !stop.IsCancellationRequested))
        {
            var result = await Runner.RunAsync(target, players, round, options, stop.Token);
            results.Add(result);
            Console.WriteLine(Report.Line(result));
            await WriteTableAsync();
        }
    }
}

// Saturation: the same players rolling ever faster, until a roll's p99 reaches 1 s (or a run breaks an invariant).
if (options.SaturatePlayers > 0)
{
    foreach (var target in options.Targets)
    {
        foreach (var rate in options.SaturateRates)
        {
            var result = await Runner.RunAsync(target, options.SaturatePlayers, round: 0, options, stop.Token, rate);
            saturation.Add(result);
            await WriteTableAsync();
            Console.WriteLine($"saturation: {rate.ToString(CultureInfo.InvariantCulture)} rolls/player/s: {Report.Line(result)}");
            if (!result.Clean || result.Failed > 0 || Report.Percentile(result.RollMs, 99) >= 1000)
            {
                break;
            }
        }
    }
}

foreach (var streams in options.Memory)
{
    foreach (var target in options.MemoryTargets)
    {
        var result = await Runner.MeasureMemoryAsync(target, streams, options, stop.Token);
        memory.Add(result);
        await WriteTableAsync();
        Console.WriteLine($"memory: {target} {streams} idle streams: {result.Error ?? $"{result.KbPerStream:0.0} KB RSS per stream"}");
    }
}

var table = await WriteTableAsync();
Console.WriteLine();
Console.WriteLine(table);
Console.WriteLine($"bench: written to {file}");
foreach (var line in Report.CpuLines(results, options))
{
    Console.WriteLine(line);
}

var broken = results.Where(r => !r.Clean || r.Confirmed == 0 || (options.Smoke && r.Failed > 0)).ToList();
foreach (var run in broken)
{
    Console.WriteLine($"bench: FAILED invariant: {Report.Line(run)}");
}

Console.WriteLine(broken.Count == 0 ? "bench: every roll delivered once, in order, to every member" : $"bench: {broken.Count} run(s) broke an invariant");
return broken.Count == 0 && memory.All(m => m.Error is null) ? 0 : 1;
