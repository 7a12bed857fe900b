#!/usr/bin/env bash
# Runs every test of the solution on a Debian 12 machine, from a fresh clone.
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Dice]
#
# Installs what is missing (redis-server, chromium, npm packages), starts a private
# redis-server on a free loopback port, runs `dotnet test`, and ends with the line
# `N passed, N failed[, N skipped]` read from the trx results.
#
# Environment:
#   DICEROLLER_SLN   solution or project to test (default DiceRoller.sln)
# Exported to the tests:
#   DICEROLLER_TEST_VALKEY=127.0.0.1:PORT   the private redis-server
#   DICEROLLER_CHROMIUM=/usr/bin/chromium   the browser for the E2E tests
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"

sln="${DICEROLLER_SLN:-DiceRoller.sln}"
chromium_bin=/usr/bin/chromium
run_dir="$repo_root/.test-run"
results_dir="$run_dir/results"

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "test.sh: need root (or sudo) to run: $*" >&2
    return 1
  fi
}

# --- 1. Install what is missing --------------------------------------------------
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[[ -x "$chromium_bin" ]] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [[ -x /usr/bin/python3 ]]; then
  python=/usr/bin/python3
elif command -v python3 >/dev/null 2>&1; then
  python="$(command -v python3)"
else
  python=/usr/bin/python3
  missing+=(python3-minimal)
fi

if ((${#missing[@]} > 0)); then
  echo "test.sh: installing ${missing[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

if [[ ! -f node_modules/axe-core/axe.min.js ]]; then
  echo "test.sh: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# --- 2. Private redis-server on a free port -------------------------------------
redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/diceroller-valkey.XXXXXX")"
redis_pid=""

cleanup() {
  if [[ -n "$redis_pid" ]] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$redis_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# Sets $candidate to a free port; runs in this shell so $RANDOM advances between calls.
pick_free_port() {
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 40000))
    if ! port_in_use "$candidate"; then
      return 0
    fi
  done
  echo "test.sh: no free port found" >&2
  return 1
}

start_redis() {
  local port="$1"
  redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes \
    --save '' --appendonly no --dir "$redis_dir" --daemonize no \
    --logfile "$redis_dir/redis.log" &
  redis_pid=$!
  for _ in $(seq 1 100); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == "PONG" ]]; then
      return 0
    fi
    if ! kill -0 "$redis_pid" 2>/dev/null; then
      wait "$redis_pid" 2>/dev/null || true
      redis_pid=""
      return 1
    fi
    sleep 0.1
  done
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
  return 1
}

redis_port=""
for _ in 1 2 3 4 5; do
  pick_free_port
  if start_redis "$candidate"; then
    redis_port="$candidate"
    break
  fi
done
if [[ -z "$redis_port" ]]; then
  echo "test.sh: redis-server did not start; its log:" >&2
  cat "$redis_dir/redis.log" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
fi
echo "test.sh: redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on 127.0.0.1:$redis_port (pid $redis_pid)"

export DICEROLLER_TEST_VALKEY="127.0.0.1:$redis_port"
export DICEROLLER_CHROMIUM="$chromium_bin"

# --- 3. Run the tests ------------------------------------------------------------
rm -rf "$results_dir"
mkdir -p "$results_dir"

# The trx logger's default file name is unique per test project; a fixed
# LogFileName would make several test projects overwrite one another's results.
set +e
dotnet test "$sln" -c Release \
  --logger trx \
  --logger "console;verbosity=normal" \
  --results-directory "$results_dir" \
  "$@"
dotnet_rc=$?
set -e

# --- 4. Summarise from the trx files (last line: N passed, N failed[, N skipped]) --
set +e
"$python" - "$results_dir" "$dotnet_rc" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results_dir, dotnet_rc = Path(sys.argv[1]), int(sys.argv[2])
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
trx_files = sorted(results_dir.rglob("*.trx"))

if not trx_files:
    print(f"test.sh: no trx file in {results_dir} (dotnet test exited {dotnet_rc}; build failure?)")
    print("0 passed, 1 failed")
    sys.exit(1)

passed = failed = skipped = 0
skipped_tests, failed_tests = [], []
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
    for result in root.iter(f"{ns}UnitTestResult"):
        name, outcome = result.get("testName", "?"), result.get("outcome", "")
        if outcome == "NotExecuted":
            not_executed += 1
            reason = " ".join(
                (el.text or "").strip()
                for el in (result.find(f"{ns}Output/{ns}ErrorInfo/{ns}Message"),
                           result.find(f"{ns}Output/{ns}StdOut"))
                if el is not None and (el.text or "").strip())
            skipped_tests.append((name, reason or "no reason given"))
        elif outcome in ("Failed", "Error", "Timeout", "Aborted"):
            failed_tests.append(name)
    skipped += max(count("notExecuted"), not_executed)

print()
print(f"test.sh: {len(trx_files)} trx file(s) in {results_dir}")
if skipped_tests:
    print(f"Skipped tests ({len(skipped_tests)}):")
    for name, reason in skipped_tests:
        print(f"  - {name}: {reason}")
if failed_tests:
    print(f"Failed tests ({len(failed_tests)}):")
    for name in failed_tests:
        print(f"  - {name}")

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
PY
summary_rc=$?
set -e

exit "$summary_rc"
