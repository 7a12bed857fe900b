"""The summary of scripts/test.sh, read from the trx files and the deploy checks; its last line is
`N passed, N failed[, N skipped]` (what .ci/run and CI read). Also prints the skipped tests with their reasons, the
failed ones with the first lines of why, the line coverage of DiceRoller/ (a full run fails below 80%), where the
time went (test.sh's steps, the slowest test classes) and exits non-zero when anything failed.

    python3 scripts/test/summary.py RESULTS_DIR DOTNET_EXIT_CODE CHECKS_FILE ARG_COUNT [STEPS_FILE]

ARG_COUNT is the number of arguments test.sh was given: 0 is a full run.
"""
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results_dir, dotnet_rc = Path(sys.argv[1]), int(sys.argv[2])
checks_file, full_run = Path(sys.argv[3]), sys.argv[4] == "0"
steps_file = Path(sys.argv[5]) if len(sys.argv) > 5 else None
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
trx_files = sorted(results_dir.rglob("*.trx"))

if not trx_files:
    print(f"test.sh: no trx file in {results_dir} (dotnet test exited {dotnet_rc}; build failure?)")
    print("0 passed, 1 failed")
    sys.exit(1)

passed = failed = skipped = 0
skipped_tests, failed_tests = [], []
class_seconds, test_seconds = {}, []


def duration_seconds(text):
    """A trx duration (hh:mm:ss.fffffff) in seconds."""
    try:
        hours, minutes, seconds = (text or "0:0:0").split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return 0.0


for trx in trx_files:
    root = ET.parse(trx).getroot()
    counters = root.find(f"{ns}ResultSummary/{ns}Counters")
    if counters is None:
        print(f"test.sh: {trx} has no Counters element")
        failed += 1
        continue
    count = lambda name: int(counters.get(name, "0"))
    passed += count("passed")
    failed += count("failed") + count("error") + count("timeout") + count("aborted")
    # xunit's skips appear only as NotExecuted results (the counter stays 0).
    not_executed = 0
    classes = {test.get("id"): test.find(f"{ns}TestMethod").get("className", "?")
               for test in root.iter(f"{ns}UnitTest") if test.find(f"{ns}TestMethod") is not None}
    for result in root.iter(f"{ns}UnitTestResult"):
        name, outcome = result.get("testName", "?"), result.get("outcome", "")
        if outcome != "NotExecuted":
            seconds = duration_seconds(result.get("duration"))
            cls = classes.get(result.get("testId"), "?")
            class_seconds[cls] = class_seconds.get(cls, 0.0) + seconds
            test_seconds.append((seconds, name))
        if outcome == "NotExecuted":
            not_executed += 1
            reason = " ".join(
                (el.text or "").strip()
                for el in (result.find(f"{ns}Output/{ns}ErrorInfo/{ns}Message"),
                           result.find(f"{ns}Output/{ns}StdOut"))
                if el is not None and (el.text or "").strip())
            skipped_tests.append((name, reason or "no reason given"))
        elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
            # The first lines of the failure and of its stack, so a CI log's tail says why, not only which.
            message = result.find(f"{ns}Output/{ns}ErrorInfo/{ns}Message")
            stack = result.find(f"{ns}Output/{ns}ErrorInfo/{ns}StackTrace")
            lines = [line.rstrip() for line in (message.text or "").splitlines() if line.strip()][:12] if message is not None else []
            frames = [line.strip() for line in (stack.text or "").splitlines() if "DiceRoller" in line] if stack is not None else []
            lines += list(dict.fromkeys(frames))[:4]  # async frames repeat
            failed_tests.append((name, result.get("duration", "?"), lines))
    skipped += max(count("notExecuted"), not_executed)

print()
print(f"test.sh: {len(trx_files)} trx file(s) in {results_dir}")
if skipped_tests:
    print(f"Skipped tests ({len(skipped_tests)}):")
    for name, reason in skipped_tests:
        print(f"  - {name}: {reason}")
if failed_tests:
    print(f"Failed tests ({len(failed_tests)}):")
    for name, duration, lines in failed_tests:
        print(f"  - {name} ({duration})")
        for line in lines:
            print(f"      {line[:300]}")

# Deploy checks (printed above with their commands).
# A line is `PASS NAME`, `FAIL NAME` or `SKIP NAME REASON` (the stack tier where Podman cannot run).
checks = [line.split(" ", 2) for line in checks_file.read_text().splitlines() if line.strip()] if checks_file.exists() else []
failed_checks = [c[1] for c in checks if c[0] not in ("PASS", "SKIP")]
skipped_checks = [(c[1], c[2] if len(c) > 2 else "no reason given") for c in checks if c[0] == "SKIP"]
passed += len(checks) - len(failed_checks) - len(skipped_checks)
failed += len(failed_checks)
skipped += len(skipped_checks)
print(f"test.sh: {len(checks)} deploy check(s), {len(failed_checks)} failed" + (": " + ", ".join(failed_checks) if failed_checks else "")
      + (f", {len(skipped_checks)} skipped" if skipped_checks else ""))
for name, reason in skipped_checks:
    print(f"  - skipped check {name}: {reason}")

# Where the time went: test.sh's steps (wall clock) and the slowest test classes and tests (the sum of their tests'
# durations; classes of one collection run one after another, collections run side by side).
if steps_file is not None and steps_file.exists():
    steps = [line.split(" ", 1) for line in steps_file.read_text().splitlines() if line.strip()]
    print("test.sh: steps (wall clock): " + ", ".join(f"{name} {int(seconds)} s" for seconds, name in steps))
# The whole machine's CPU while each step ran (every process, so the checks beside the tests count in dotnet-test's),
# from /proc/stat (scripts/test/lib.sh): busy near 100% means the step waited on CPU, not on servers or timers.
cpu_file = steps_file.with_name("cpu.txt") if steps_file is not None else None
if cpu_file is not None and cpu_file.exists():
    rows = [row.split(" | ", 1) for row in cpu_file.read_text().splitlines() if " | " in row]
    print("test.sh: the machine's CPU per step: " + "; ".join(f"{name} {figure}" for name, figure in rows))
if class_seconds:
    print("test.sh: slowest test classes (sum of their tests' durations):")
    for cls, seconds in sorted(class_seconds.items(), key=lambda item: -item[1])[:10]:
        print(f"  {seconds:7.1f} s  {cls}")
    print("test.sh: slowest tests:")
    for seconds, name in sorted(test_seconds, reverse=True)[:5]:
        print(f"  {seconds:7.1f} s  {name[:160]}")
    # The browser tests run in two collections (each its own Chromium and app servers, DiceRoller.Tests/E2E/
    # ChromiumFixture.cs); within one, tests run one after another, so the larger sum is a floor under the run's wall clock.
    tests_dir = Path(__file__).resolve().parents[2] / "DiceRoller.Tests"
    collection_of = {}
    for source in tests_dir.rglob("*.cs"):
        text = source.read_text()
        for m in re.finditer(r"\[Collection\((\w*BrowserCollection)\.Name\)\][^{]*?\bclass (\w+)", text):
            collection_of[m.group(2)] = m.group(1)
    per_collection = {}
    for cls, seconds in class_seconds.items():
        collection = collection_of.get(cls.rsplit(".", 1)[-1])
        if collection is not None:
            per_collection[collection] = per_collection.get(collection, 0.0) + seconds
    browser = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in sorted(per_collection.items()))
    print(f"test.sh: the tests' durations summed: {sum(class_seconds.values()):.0f} s; "
          f"the browser collections' (each one test after another): {browser or 'none ran'}")

# Line coverage of the app assembly (DiceRoller/), from coverlet's cobertura files; lines are counted once
# per file and number even when several classes (async state machines, partials) share them.
coverage_floor = 80.0
hits = {}
for report in sorted(results_dir.rglob("coverage.cobertura.xml")):
    for package in ET.parse(report).getroot().iter("package"):
        if package.get("name") != "DiceRoller":
            continue
        for cls in package.iter("class"):
            for line in cls.iter("line"):
                key = (cls.get("filename"), line.get("number"))
                hits[key] = hits.get(key, 0) + int(line.get("hits", "0"))
coverage_failed = False
if hits:
    covered = sum(1 for h in hits.values() if h > 0)
    percent = 100.0 * covered / len(hits)
    print(f"test.sh: line coverage of DiceRoller/: {percent:.1f}% ({covered} of {len(hits)} lines)"
          + ("" if full_run else " (partial run: not held to the floor)"))
    if full_run and percent < coverage_floor:
        print(f"test.sh: line coverage {percent:.1f}% is below the {coverage_floor:.0f}% floor; counted as 1 failed")
        coverage_failed = True
        failed += 1
else:
    print("test.sh: no coverage report for DiceRoller (coverlet.collector)")
    if full_run:
        coverage_failed = True
        failed += 1

code = 0
if dotnet_rc != 0:
    code = 1
    if failed == 0:
        print(f"test.sh: dotnet test exited {dotnet_rc} with no failed test in the trx "
              "(build error or test host crash); counted as 1 failed")
        failed = 1
if failed > 0:
    code = 1
if passed + failed == 0:
    print("test.sh: no test ran")
    code = 1

summary = f"{passed} passed, {failed} failed"
if skipped > 0:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(code)
