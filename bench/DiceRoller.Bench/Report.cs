using System.Globalization;
using System.Text;

namespace DiceRoller.Bench;

/// <summary>The printed lines and the markdown table (medians over rounds; ratios computed within each round, then their median).</summary>
internal static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

    public static string Line(RunResult r) => r.Error is not null
        ? $"run: {r.Target} {r.Players} players round {r.Round}: ERROR {r.Error}"
        : string.Create(Inv, $"run: {r.Target} {r.Players} players round {r.Round}: {r.Confirmed}/{r.Scheduled} rolls ({r.Failed} failed), " +
            $"{r.Deliveries}/{r.ExpectedDeliveries} deliveries; roll p50/p95/p99/max {Ms(r.RollMs, 50)}/{Ms(r.RollMs, 95)}/{Ms(r.RollMs, 99)}/{Ms(r.RollMs, 100)} ms; " +
            $"gaps {r.Gaps} dups {r.Duplicates} out-of-order {r.OutOfOrder} missing {r.Missing}; server CPU {r.ServerCpuSeconds:0.00} s " +
            $"({r.CpuPerThousandDeliveries:0.000} s/1k deliveries), generator {r.GeneratorCpuPercent:0}% of a core; load {r.LoadAverage}");

    /// <summary>
    /// One line per step: each DiceRoller store's server CPU per 1,000 deliveries (app and its Valkey together) beside the bare
    /// broadcaster's under the same load, with the ratio (issue 22's goal: at most 1.5). Medians over rounds. Printed, never asserted.
    /// </summary>
    public static IEnumerable<string> CpuLines(List<RunResult> results, BenchOptions options)
    {
        foreach (var step in results.Where(r => r.Error is null).GroupBy(r => r.Players).OrderBy(g => g.Key))
        {
            double Cpu(string target) => Median(step.Where(r => r.Target == target).Select(r => r.CpuPerThousandDeliveries));
            var bare = Cpu(Targets.Bare);
            var stores = new[] { Targets.Embedded, Targets.Valkey, Targets.Cluster, Targets.EmbeddedBefore, Targets.ValkeyBefore }
                .Select(t => (Target: t, Cpu: Cpu(t)))
                .Where(t => !double.IsNaN(t.Cpu))
                .Select(t => $"{t.Target} {F(t.Cpu, "0.000")} s" + (double.IsNaN(bare) ? "" : $" ({F(t.Cpu / bare, "0.0")}x bare)"))
                .ToList();
            if (stores.Count == 0)
            {
                continue;
            }

            yield return string.Create(Inv, $"bench: CPU per 1,000 deliveries at {step.Key} players ({options.Duration.TotalSeconds:0} s after a ") +
                string.Create(Inv, $"{options.Warmup.TotalSeconds:0} s warm-up): {string.Join(", ", stores)}; {Targets.Bare} {F(bare, "0.000")} s");
        }
    }

    private static string Ms(double[] sorted, double p) => Percentile(sorted, p).ToString("0.0", Inv);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value, string format = "0.0") => double.IsNaN(value) ? "-" : value.ToString(format, Inv);

    public static string Markdown(BenchOptions options, List<RunResult> results, List<MemoryResult> memory)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# DiceRoller fan-out benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.Append(Inv, $"Machine: {CoreCount()} core(s), {CpuModel()}; servers pinned to core(s) {options.Paths.ServerCores}, ")
            .Append(Inv, $"generator to the others (taskset). Schedule: {options.Rate} rolls per player per second (Poisson, seed {options.Seed}), rooms of {options.RoomSize}, ")
            .Append(Inv, $"{options.Duration.TotalSeconds:0} s per run after a {options.Warmup.TotalSeconds:0} s warm-up on the same schedule (not counted), {options.Rounds} round(s), targets rotated each round. Latency counts from the intended send time; ")
            .AppendLine("a roll's latency is its arrival at the last member of its room. Figures are medians over rounds.");
        md.AppendLine();
        md.AppendLine("| players | target | rolls ok/sent | roll p50 / p95 / p99 / max ms | delivery p50 / p95 / p99 / max ms | gaps / dups / out-of-order / missing | server CPU s per 1k deliveries | generator CPU % | load avg |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var group in results.GroupBy(r => (r.Players, r.Target)).OrderBy(g => g.Key.Players).ThenBy(g => Array.IndexOf(Targets.All, g.Key.Target)))
        {
            var runs = group.ToList();
            var ok = runs.Where(r => r.Error is null).ToList();
            string P(Func<RunResult, double[]> pick, double p) => F(Median(ok.Select(r => Percentile(pick(r), p))));
            var errors = runs.Count - ok.Count;
            md.AppendLine(Inv, $"| {group.Key.Players} | {group.Key.Target}{(errors > 0 ? $" ({errors} run(s) failed: {runs.First(r => r.Error is not null).Error})" : "")} " +
                $"| {ok.Sum(r => r.Confirmed)}/{ok.Sum(r => r.Scheduled)} " +
                $"| {P(r => r.RollMs, 50)} / {P(r => r.RollMs, 95)} / {P(r => r.RollMs, 99)} / {P(r => r.RollMs, 100)} " +
                $"| {P(r => r.DeliveryMs, 50)} / {P(r => r.DeliveryMs, 95)} / {P(r => r.DeliveryMs, 99)} / {P(r => r.DeliveryMs, 100)} " +
                $"| {ok.Sum(r => r.Gaps)} / {ok.Sum(r => r.Duplicates)} / {ok.Sum(r => r.OutOfOrder)} / {ok.Sum(r => r.Missing)} " +
                $"| {F(Median(ok.Select(r => r.CpuPerThousandDeliveries)), "0.000")} | {F(Median(ok.Select(r => r.GeneratorCpuPercent)), "0")} " +
                $"| {string.Join(", ", ok.Select(r => r.LoadAverage.Split(' ')[0]))} |");
        }

        AppendRatios(md, results);
        if (memory.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("| target | idle streams | RSS before streams MB | RSS with streams MB | KB RSS per stream |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var m in memory)
            {
                md.AppendLine(m.Error is not null
                    ? $"| {m.Target} | {m.Streams} | failed: {m.Error} | | |"
                    : string.Create(Inv, $"| {m.Target} | {m.Streams} | {m.RssBeforeBytes / 1048576.0:0.0} | {m.RssAfterBytes / 1048576.0:0.0} | {m.KbPerStream:0.0} |"));
            }
        }

        md.AppendLine();
        md.AppendLine(options.Smoke ? "Reproduce: `bash scripts/bench.sh --smoke`" : string.Create(Inv,
            $"Reproduce: `bash scripts/bench.sh --steps {string.Join(',', options.Steps)} --rounds {options.Rounds} --duration {options.Duration.TotalSeconds:0} --warmup {options.Warmup.TotalSeconds:0} --targets {string.Join(',', options.Targets)}{(options.Memory.Length > 0 ? $" --memory {string.Join(',', options.Memory)}" : "")}{(options.BaselineRev is { } rev ? $" --baseline {rev}" : "")}`"));
        return md.ToString();
    }

    /// <summary>Rolls per second each target confirmed at each rate, and the highest with p99 under 1 s.</summary>
    public static string Saturation(List<RunResult> runs)
    {
        if (runs.Count == 0)
        {
            return "";
        }

        var md = new StringBuilder();
        md.AppendLine();
        md.AppendLine("Saturation (the same players rolling faster each run; throughput = rolls confirmed per second of schedule):");
        md.AppendLine();
        md.AppendLine("| target | players | rolls/player/s | rolls/s | roll p99 ms | clean | highest rolls/s with p99 < 1 s |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var target in runs.GroupBy(r => r.Target))
        {
            var best = target.Where(r => r.Clean && r.Failed == 0 && Percentile(r.RollMs, 99) < 1000).Select(Throughput).DefaultIfEmpty(double.NaN).Max();
            foreach (var r in target)
            {
                md.AppendLine(string.Create(Inv, $"| {r.Target} | {r.Players} | {(double)r.Scheduled / r.Players / Math.Max(1, r.ScheduleSeconds):0.00} | {Throughput(r):0} | {F(Percentile(r.RollMs, 99))} | {(r.Clean ? "yes" : r.Error ?? "no")} | {F(best, "0")} |"));
            }
        }

        return md.ToString();
    }

    private static double Throughput(RunResult r) => r.ScheduleSeconds <= 0 ? double.NaN : r.Confirmed / r.ScheduleSeconds;

    /// <summary>The goals of issue 12, as ratios within each round (median over rounds), for each DiceRoller store.</summary>
    private static void AppendRatios(StringBuilder md, List<RunResult> results)
    {
        var rows = new List<string>();
        foreach (var step in results.GroupBy(r => r.Players).OrderBy(g => g.Key))
        {
            foreach (var app in new[] { Targets.Embedded, Targets.Valkey, Targets.EmbeddedBefore, Targets.ValkeyBefore })
            {
                var p95VsBare = new List<double>();
                var p99VsSocketIo = new List<double>();
                var cpuVsBare = new List<double>();
                foreach (var round in step.GroupBy(r => r.Round))
                {
                    var mine = round.FirstOrDefault(r => r.Target == app && r.Error is null);
                    var bare = round.FirstOrDefault(r => r.Target == Targets.Bare && r.Error is null);
                    var sio = round.FirstOrDefault(r => r.Target == Targets.SocketIo && r.Error is null);
                    if (mine is null)
                    {
                        continue;
                    }

                    if (bare is not null)
                    {
                        p95VsBare.Add(Percentile(mine.RollMs, 95) / Percentile(bare.RollMs, 95));
                        cpuVsBare.Add(mine.CpuPerThousandDeliveries / bare.CpuPerThousandDeliveries);
                    }

                    if (sio is not null)
                    {
                        p99VsSocketIo.Add(Percentile(mine.RollMs, 99) / Percentile(sio.RollMs, 99));
                    }
                }

                if (p95VsBare.Count + p99VsSocketIo.Count > 0)
                {
                    rows.Add($"| {step.Key} | {app} | {F(Median(p95VsBare), "0.00")} | {F(Median(p99VsSocketIo), "0.00")} | {F(Median(cpuVsBare), "0.00")} |");
                }
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("Ratios within each round (median over rounds). Goals: p95 / bare <= 2 at 3,200 (<= 1.5 at 400); p99 / Socket.IO <= 1 at 3,200; CPU / bare <= 1.5.");
        md.AppendLine();
        md.AppendLine("| players | DiceRoller store | roll p95 / bare SSE p95 | roll p99 / Socket.IO p99 | CPU per delivery / bare SSE |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }
    }

    private static int CoreCount()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
