#!/usr/bin/env bash
# Runs every test of the solution on a Debian 12 machine, from a fresh clone: the one command (CI runs it via .ci/run).
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Dice or --filter Tier=Stores]
#
# Its parts, in order (each in scripts/test/, sourced so they share this shell's variables):
#   install.sh        installs what is missing (redis-server, chromium-headless-shell, nginx, postgresql, openssl, docker-compose,
#                     npm packages, the pinned linters; podman and the stack tier's tools for the stack tier)
#   deploy-checks.sh  fresh Tailwind CSS, compose parsed by docker-compose, Dockerfile and workflow linted, the app
#                     published as the image runs it; each check printed as `check: NAME: PASS|FAIL` with its command
#   servers.sh        a private redis-server and PostgreSQL on free loopback ports, stopped at the end
#   beside.sh         in the background, beside the build and the tests: the stack tier and the benchmark smoke
#   then `dotnet build`, `dotnet test --no-build` with coverage, and summary.py: the line `N passed, N failed[, N skipped]` (always the last
#   line) from the trx results plus the checks, where the time went, and the 80% line-coverage floor of DiceRoller/
#   on a full run.
# A full run is one with no arguments. Tiers and the fast tier (plain `dotnet test`): docs/testing.md.
#
# Environment:
#   DICEROLLER_SLN   solution or project to test (default DiceRoller.sln)
#   DICEROLLER_STACK=1   run the stack tier on a partial run too (it installs podman, podman-compose, debootstrap)
#   DICEROLLER_BENCH_SMOKE=1   run the benchmark smoke on a partial run too
# Exported to the tests:
#   DICEROLLER_FULL_RUN=1   every server is given: a test whose server is missing fails instead of being skipped
#   DICEROLLER_TEST_VALKEY=127.0.0.1:PORT   the private redis-server
#   DICEROLLER_TEST_POSTGRES=Host=127.0.0.1;Port=PORT;...   a private PostgreSQL server (initdb in a temp dir, run as
#                                            DICEROLLER_TEST_USER, stopped at the end); tests make a schema each
# The Valkey Cluster tests start their own 6-node clusters from the same redis-server (DiceRoller.Tests/Infrastructure/
# ValkeyCluster.cs: free ports, a temp folder, every node killed when the tests end, also when they fail).
#   DICEROLLER_CHROMIUM=/usr/bin/chromium-headless-shell   the browser for the E2E tests
#   DICEROLLER_PYTHON=/usr/bin/python3      the interpreter the tests run scripts/verify.py with
#   DICEROLLER_PUBLISHED=.test-run/publish   `dotnet publish -c Release` output (owned by root, read-only to others)
#   DICEROLLER_DEPLOY_ENV=.test-run/deploy-env.json   the image's ENV and compose's app environment, as parsed
#   DICEROLLER_COMPOSE_JSON=.test-run/compose.json    compose.yaml as docker-compose resolved it
#   DICEROLLER_TEST_USER=diceroller-ci       the non-root user the published app runs as
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"
parts="$repo_root/scripts/test"

sln="${DICEROLLER_SLN:-DiceRoller.sln}"
# Debian's headless shell of Chromium (the same source and version as `chromium`, old headless mode), the build
# Playwright itself runs headless: the 77 browser tests took 275 CPU s in it against 684 in the full browser
# (docs/testing.md, "Where the time goes").
chromium_bin=/usr/bin/chromium-headless-shell
run_dir="$repo_root/.test-run"
results_dir="$run_dir/results"
full_run=""
[[ $# -eq 0 ]] && full_run=1
# The stack tier (scripts/stack-test.sh): a full run, or DICEROLLER_STACK=1.
stack_tier=""
[[ -n "$full_run" || "${DICEROLLER_STACK:-}" == "1" ]] && stack_tier=1

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
# Every server below is given to the tests: none is skipped for a missing server (DiceRoller.Tests/Infrastructure/Tiers.cs).
export DICEROLLER_FULL_RUN=1

mkdir -p "$run_dir"
checks_file="$run_dir/checks.txt"
: > "$checks_file"
: > "$run_dir/steps.txt"
: > "$run_dir/cpu.txt"

# shellcheck source=test/lib.sh
source "$parts/lib.sh"

step install
# shellcheck source=test/install.sh
source "$parts/install.sh"

step deploy-checks
# shellcheck source=test/deploy-checks.sh
source "$parts/deploy-checks.sh"

step servers
# shellcheck source=test/servers.sh
source "$parts/servers.sh"

# The stack tier and the benchmark smoke (scripts/test/beside.sh) run beside the build and the tests, in their own
# process group (stopped by servers.sh's cleanup if test.sh ends early); their output is printed after the tests.
rm -f "$run_dir/build.done"
beside_log="$run_dir/beside.log"
: > "$beside_log"
if [[ -n "$stack_tier" || -n "$full_run" || "${DICEROLLER_BENCH_SMOKE:-}" == "1" ]]; then
  set -m
  # shellcheck source=test/beside.sh
  ( source "$parts/beside.sh" ) > "$beside_log" 2>&1 < /dev/null &
  beside_pid=$!
  set +m
  echo "test.sh: the stack tier and the benchmark smoke run beside the tests (pid $beside_pid; output after the tests)"
fi

step build
set +e
dotnet build "$sln" -c Release --nologo
dotnet_rc=$?
set -e
touch "$run_dir/build.done"

step dotnet-test
rm -rf "$results_dir"
mkdir -p "$results_dir"

# The trx logger's default file name is unique per test project; a fixed
# LogFileName would make several test projects overwrite one another's results.
if [[ $dotnet_rc -eq 0 ]]; then
  set +e
  dotnet test "$sln" -c Release --no-build \
    --collect "XPlat Code Coverage" \
    --logger trx \
    --logger "console;verbosity=normal" \
    --results-directory "$results_dir" \
    "$@"
  dotnet_rc=$?
  set -e
fi

if [[ -n "$beside_pid" ]]; then
  step beside-wait
  set +e
  wait "$beside_pid"
  beside_rc=$?
  set -e
  beside_pid=""
  echo "test.sh: the checks beside the tests (stack tier, benchmark smoke) said:"
  cat "$beside_log"
  if [[ $beside_rc -ne 0 ]]; then
    echo "test.sh: scripts/test/beside.sh exited $beside_rc; counted as a failed check"
    echo "FAIL beside-tests" >> "$checks_file"
  fi
fi
step

# The summary's last line is `N passed, N failed[, N skipped]`.
set +e
"$python" "$parts/summary.py" "$results_dir" "$dotnet_rc" "$checks_file" "$#" "$run_dir/steps.txt"
summary_rc=$?
set -e

exit "$summary_rc"
