using System.Diagnostics;
using System.Text.RegularExpressions;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Fairness;

/// <summary>scripts/verify.py, an independent (standard-library Python) implementation of the checks, agrees with the scheme.</summary>
[Trait(Tiers.Trait, Tiers.Tools)]
public sealed partial class VerifyScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("diceroller-verify-");

    public static string Python => Environment.GetEnvironmentVariable("DICEROLLER_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string Script => Path.Combine(RepoRoot.Path, "scripts", "verify.py");

    /// <summary>A game on a fresh random seed and signing key (or the test vectors' ones, for known dice).</summary>
    private static FairLog Game(int rolls = 12, bool random = true)
    {
        var game = random ? new FairLog(RoomSeed.Create(), Ed25519RollSigner.NewPrivateKey()) : new FairLog();
        string[] formulas = ["1d20+5", "4d6kh3", "3d6!", "2d10r1+1d8-1d4", "4dF", "1d100", "6d10>=8", "2d20kl1+3", "8d6dl2", "1d12"];
        for (var i = 0; i < rolls; i++)
        {
            var player = (i % 3) switch { 0 => "ann", 1 => "bob", _ => "dee" };
            if (i % 7 == 1)
            {
                game.Roll(player, "1d20", advantage: "advantage");
            }
            else
            {
                game.Roll(player, formulas[i % formulas.Length], hidden: i % 5 == 3, revealed: i % 10 == 3);
            }
        }

        return game;
    }

    [Fact]
    public async Task The_self_test_checks_rfc_8032_and_every_vector_of_the_doc()
    {
        var (code, stdout, stderr) = await RunAsync("--self-test");

        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("PASS self-test RFC 8032 test 1: the signature verifies", stdout, StringComparison.Ordinal);
        Assert.Contains("rejected [4294967163]", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generated_log_of_100_rolls_passes_every_check_with_withheld_rolls_pending()
    {
        using var game = Game(100);
        var log = game.Build();
        var file = Write("log.json", log);

        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = await RunAsync(file);
        output.WriteLine($"verify.py checked 100 rolls in {clock.ElapsedMilliseconds} ms");

        Assert.True(code == 0, stdout + stderr);
        var lines = Lines(stdout);
        Assert.DoesNotContain(lines, l => l.Status == "FAIL");
        // Python and C# reach the same verdict on every (roll, check).
        var csharp = RollVerifier.VerifyLog(log).Select(c => (Word(c.Status), c.Sequence, c.Check)).ToHashSet();
        var python = lines.Select(l => (l.Status, l.Sequence, l.Check)).ToHashSet();
        Assert.True(csharp.SetEquals(python), $"C# and verify.py differ: {string.Join("; ", csharp.Except(python).Concat(python.Except(csharp)))}");
        Assert.Contains(lines, l => l.Status == "PENDING" && l.Check == "hash");
    }

    private static string Word(CheckStatus status) => status switch
    {
        CheckStatus.Passed => "PASS",
        CheckStatus.Failed => "FAIL",
        _ => "PENDING",
    };

    public static TheoryData<string> Tampers => ["die", "nonce", "prev_hash", "signature", "successes", "cap_reached", "crit"];

    [Theory]
    [MemberData(nameof(Tampers))]
    public async Task A_tampered_log_fails_with_exit_1_naming_the_roll_and_check(string tamper)
    {
        using var game = Game(random: false);
        var log = game.Build();
        var (index, changed, expected) = Tamper(log, tamper);
        var file = Write($"{tamper}.json", log with { Rolls = log.Rolls.Select((r, i) => i == index ? changed : r).ToList() });

        var (code, stdout, stderr) = await RunAsync(file);

        Assert.True(code == 1, $"exit {code}\n{stdout}{stderr}");
        var failed = Lines(stdout).Where(l => l.Status == "FAIL").Select(l => (l.Sequence, l.Check)).ToHashSet();
        Assert.True(failed.SetEquals(expected.Select(c => ((long?)index + 1, c))), $"{tamper}: expected {string.Join(", ", expected)} of roll #{index + 1}, got {stdout}");
    }

    [Fact]
    public async Task A_log_whose_client_seed_was_set_before_its_commitment_fails_client_seed_order_with_exit_1()
    {
        var file = Path.Combine(_dir.FullName, "order.json");
        await File.WriteAllTextAsync(file, RulesTwoVectorTests.VectorJson("seed_set_before_commitment"));

        var (code, stdout, stderr) = await RunAsync(file);

        Assert.True(code == 1, $"exit {code}\n{stdout}{stderr}");
        Assert.Equal([((long?)1, "client_seed_order")], Lines(stdout).Where(l => l.Status == "FAIL").Select(l => (l.Sequence, l.Check)));
    }

    [Fact]
    public async Task Csharp_and_verify_py_agree_on_every_check_of_the_rules_two_log()
    {
        var file = Path.Combine(_dir.FullName, "rules2.json");
        var json = RulesTwoVectorTests.VectorJson("log");
        await File.WriteAllTextAsync(file, json);

        var (code, stdout, stderr) = await RunAsync(file);

        Assert.True(code == 0, stdout + stderr);
        var csharp = RollVerifier.VerifyLog(VerifiableJson.ParseLog(json).Log!).Select(c => (Word(c.Status), c.Sequence, c.Check)).ToHashSet();
        var python = Lines(stdout).Select(l => (l.Status, l.Sequence, l.Check)).ToHashSet();
        Assert.True(csharp.SetEquals(python), $"C# and verify.py differ: {string.Join("; ", csharp.Except(python).Concat(python.Except(csharp)))}");
        Assert.Contains(python, l => l.Check == "hidden_secret" && l.Status == "PASS");
    }

    [Fact]
    public async Task Input_that_is_not_a_log_is_an_error_with_exit_2()
    {
        var file = Path.Combine(_dir.FullName, "bad.json");
        await File.WriteAllTextAsync(file, "[1, 2");

        var (code, _, stderr) = await RunAsync(file);
        var (urlCode, _, urlError) = await RunAsync("https://example.org/rooms/ALPHA-1234/log.json");

        Assert.Equal(2, code);
        Assert.Contains("verify.py:", stderr, StringComparison.Ordinal);
        Assert.Equal(2, urlCode);
        Assert.Contains("save it from the browser", urlError, StringComparison.Ordinal);
    }

    /// <summary>Roll 5 (index 4) changed one way; the checks verify.py must fail for it.</summary>
    private static (int Index, VerifiableRoll Changed, string[] Failures) Tamper(VerifiableLog log, string tamper)
    {
        const int Index = 4;
        var roll = log.Rolls[Index];
        var f = roll.Fairness!;
        switch (tamper)
        {
            case "die":
                var dice = roll.IndividualResults!.ToArray();
                dice[0] = dice[0] == 1 ? 0 : 1;
                return (Index, roll with { IndividualResults = dice }, ["dice", "hash"]);
            case "nonce":
                // The dice drawn for another nonce differ (their stream length is then not compared).
                return (Index, roll with { Fairness = f with { Nonce = f.Nonce + 1 } }, ["nonce", "hash", "dice"]);
            case "prev_hash":
                return (Index, roll with { Fairness = f with { PrevHash = new string('e', 64) } }, ["chain", "hash"]);
            // Outside the hash line, but they follow from the dice (roll 5 is 4dF: no success target, no cap, no d20).
            case "successes":
                return (Index, roll with { Successes = System.Text.Json.JsonSerializer.SerializeToElement(1) }, ["successes"]);
            case "cap_reached":
                return (Index, roll with { CapReached = System.Text.Json.JsonSerializer.SerializeToElement(true) }, ["cap_reached"]);
            case "crit":
                return (Index, roll with { Crit = System.Text.Json.JsonSerializer.SerializeToElement("failure") }, ["crit"]);
            default:
                var signature = Convert.FromBase64String(f.Signature);
                signature[40] ^= 0x10;
                return (Index, roll with { Fairness = f with { Signature = Convert.ToBase64String(signature) } }, ["signature"]);
        }
    }

    private string Write(string name, VerifiableLog log)
    {
        var file = Path.Combine(_dir.FullName, name);
        File.WriteAllText(file, VerifiableJson.Serialize(log));
        return file;
    }

    [GeneratedRegex(@"^(PASS|FAIL|PENDING) (?:roll #(\d+) \([^)]*\)|log) (\w+): ")]
    private static partial Regex CheckLine();

    private static List<(string Status, long? Sequence, string Check)> Lines(string stdout) =>
        stdout.Split('\n').Select(l => CheckLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Success ? long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : (long?)null, m.Groups[3].Value))
            .ToList();

    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"verify.py {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
