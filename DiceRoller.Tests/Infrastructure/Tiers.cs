using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("DiceRoller.Tests.Infrastructure.TieredTestFramework", "DiceRoller.Tests")]

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The test tiers. A class that needs a server carries <c>[Trait("Tier", Tiers.X)]</c> (one or more); plain
/// <c>dotnet test</c> with none of the variables below is the fast tier: such a class's tests are skipped with the
/// reason (what is missing and how to get it). In a full run (<c>DICEROLLER_FULL_RUN=1</c>, set by
/// <c>scripts/test.sh</c>, or <c>CI=true</c>) nothing is skipped: a missing server fails its tests, as before.
/// Select tiers with <c>--filter "Tier=Stores"</c>, or the fast tier alone with <c>--filter "Tier!=..."</c> (see docs/testing.md).
/// </summary>
public static class Tiers
{
    public const string Trait = "Tier";

    /// <summary>Contract and endpoint tests on a real Valkey/Redis server (<c>DICEROLLER_TEST_VALKEY</c>).</summary>
    public const string Stores = "Stores";

    /// <summary>6-node Valkey Clusters started from <c>redis-server</c>, with PostgreSQL.</summary>
    public const string Cluster = "Cluster";

    /// <summary>The PostgreSQL permalink store (<c>DICEROLLER_TEST_POSTGRES</c>).</summary>
    public const string Postgres = "Postgres";

    /// <summary>Real Chromium (Playwright) against the app on Kestrel, on both stores.</summary>
    public const string Browser = "Browser";

    /// <summary>The published app, nginx, compose as scripts/test.sh prepared them.</summary>
    public const string Deploy = "Deploy";

    /// <summary>Tools outside the SDK: Python 3 for scripts/verify.py.</summary>
    public const string Tools = "Tools";

    public const string FullRunVariable = "DICEROLLER_FULL_RUN";

    /// <summary>A full run: every tier's server must be there; none is skipped.</summary>
    public static bool FullRun =>
        Environment.GetEnvironmentVariable(FullRunVariable) == "1"
        || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private const string HowTo = "run `bash scripts/test.sh` (it starts every server and sets the variables), or see docs/testing.md";

    /// <summary>What a tier lacks on this machine, or null when it can run.</summary>
    public static string? Missing(string tier)
    {
        var lacks = tier switch
        {
            Stores => Unset("DICEROLLER_TEST_VALKEY"),
            Cluster => Unset("DICEROLLER_TEST_VALKEY", "DICEROLLER_TEST_POSTGRES"),
            Postgres => Unset("DICEROLLER_TEST_POSTGRES"),
            Browser => Unset("DICEROLLER_CHROMIUM", "DICEROLLER_TEST_VALKEY"),
            Deploy => Unset("DICEROLLER_PUBLISHED", "DICEROLLER_DEPLOY_ENV", "DICEROLLER_COMPOSE_JSON", "DICEROLLER_TEST_VALKEY"),
            Tools => Unset("DICEROLLER_PYTHON") is { } unset && !File.Exists("/usr/bin/python3") ? unset + " and there is no /usr/bin/python3" : null,
            _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier"),
        };
        return lacks is null ? null : $"Tier {tier}: {lacks}; {HowTo}.";
    }

    /// <summary>Why a fixture or test of these tiers is skipped here, or null when it runs (always null in a full run).</summary>
    public static string? SkipReason(IEnumerable<string> tiers)
    {
        if (FullRun)
        {
            return null;
        }

        var reasons = tiers.Distinct(StringComparer.Ordinal).Select(Missing).OfType<string>().ToList();
        return reasons.Count == 0 ? null : "Fast tier, skipped: " + string.Join(" ", reasons);
    }

    /// <summary>For a fixture: true when its tier is skipped here, so it must start nothing (and must not throw).</summary>
    public static bool Skipped(params string[] tiers) => SkipReason(tiers) is not null;

    private static string? Unset(params string[] variables)
    {
        var unset = variables.Where(v => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(v))).ToList();
        return unset.Count == 0 ? null : string.Join(", ", unset) + (unset.Count == 1 ? " is" : " are") + " not set";
    }
}

/// <summary>xunit's framework, with the tests of a tier that cannot run here discovered as skipped (see <see cref="Tiers"/>).</summary>
public sealed class TieredTestFramework(IMessageSink diagnosticMessageSink) : XunitTestFramework(diagnosticMessageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new TieredDiscoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class TieredDiscoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForType(ITestClass testClass, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var tiers = testClass.Class.GetCustomAttributes(typeof(TraitAttribute))
                .Select(a => a.GetConstructorArguments().ToList())
                .Where(args => args.Count == 2 && Equals(args[0], Tiers.Trait))
                .Select(args => (string)args[1]);
            var reason = Tiers.SkipReason(tiers);
            return reason is null
                ? base.FindTestsForType(testClass, includeSourceInformation, messageBus, discoveryOptions)
                : base.FindTestsForType(testClass, includeSourceInformation, new SkippingBus(messageBus, reason, DiagnosticMessageSink, discoveryOptions), discoveryOptions);
        }
    }

    /// <summary>Passes discovered test cases on as skipped ones with the tier's reason (same method, arguments and traits).</summary>
    private sealed class SkippingBus(IMessageBus inner, string reason, IMessageSink diagnostics, ITestFrameworkDiscoveryOptions options) : IMessageBus
    {
        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestCaseDiscoveryMessage { TestCase: IXunitTestCase testCase } && string.IsNullOrEmpty(testCase.SkipReason))
            {
                var skipped = new XunitSkippedDataRowTestCase(diagnostics, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(),
                    testCase.TestMethod, reason, testCase.TestMethodArguments);
                return inner.QueueMessage(new TestCaseDiscoveryMessage(skipped));
            }

            return inner.QueueMessage(message);
        }

        public void Dispose()
        {
            // the inner bus belongs to the caller
        }
    }
}
