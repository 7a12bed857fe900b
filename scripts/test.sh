#!/usr/bin/env bash
# Runs every test of the solution on a Debian 12 machine, from a fresh clone.
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter FullyQualifiedName~Dice]
#
# Installs what is missing (redis-server, chromium, nginx, openssl, docker-compose, npm packages and
# the linters), runs the deploy checks (fresh Tailwind CSS, compose parsed by docker-compose, Dockerfile
# and workflow linted, the app published as the image runs it), starts a private redis-server on a free
# loopback port, runs `dotnet test` with coverage, and ends with the line `N passed, N failed[, N skipped]`
# read from the trx results plus the deploy checks (each printed as `check: NAME: PASS|FAIL` with its command).
# A full run (no arguments) also fails when the line coverage of DiceRoller/ is below 80%, and runs the stack tier
# (scripts/stack-test.sh: the image built and compose.yaml run with Podman; its steps are the checks named stack-*,
# or one skipped check with the reason where Podman cannot run).
#
# Environment:
#   DICEROLLER_SLN   solution or project to test (default DiceRoller.sln)
#   DICEROLLER_STACK=1   run the stack tier on a partial run too (it installs podman, podman-compose, debootstrap)
# Exported to the tests:
#   DICEROLLER_TEST_VALKEY=127.0.0.1:PORT   the private redis-server
#   DICEROLLER_TEST_POSTGRES=Host=127.0.0.1;Port=PORT;...   a private PostgreSQL server (initdb in a temp dir, run as
#                                            DICEROLLER_TEST_USER, stopped at the end); tests make a schema each
# The Valkey Cluster tests start their own 6-node clusters from the same redis-server (DiceRoller.Tests/Infrastructure/
# ValkeyCluster.cs: free ports, a temp folder, every node killed when the tests end, also when they fail).
#   DICEROLLER_CHROMIUM=/usr/bin/chromium   the browser for the E2E tests
#   DICEROLLER_PYTHON=/usr/bin/python3      the interpreter the tests run scripts/verify.py with
#   DICEROLLER_PUBLISHED=.test-run/publish   `dotnet publish -c Release` output (owned by root, read-only to others)
#   DICEROLLER_DEPLOY_ENV=.test-run/deploy-env.json   the image's ENV and compose's app environment, as parsed
#   DICEROLLER_COMPOSE_JSON=.test-run/compose.json    compose.yaml as docker-compose resolved it
#   DICEROLLER_TEST_USER=diceroller-ci       the non-root user the published app runs as
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
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# The stack tier (scripts/stack-test.sh): a full run, or DICEROLLER_STACK=1.
stack_tier=""
[[ $# -eq 0 || "${DICEROLLER_STACK:-}" == "1" ]] && stack_tier=1
if [[ -n "$stack_tier" ]]; then
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
fi
if [[ -x /usr/bin/python3 ]]; then
  python=/usr/bin/python3
elif command -v python3 >/dev/null 2>&1; then
  python="$(command -v python3)"
else
  python=/usr/bin/python3
  missing+=(python3)  # the full standard library: scripts/verify.py needs hmac, json, urllib
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

# Linters for what cannot run here, pinned, outside node_modules (which belongs to the front-end build).
tools_dir="$run_dir/tools"
lint_packages=(dockerfile-utils@0.16.3 @action-validator/cli@0.6.0 @action-validator/core@0.6.0)
if [[ ! -x "$tools_dir/node_modules/.bin/dockerfile-utils" || ! -x "$tools_dir/node_modules/.bin/action-validator" ]]; then
  echo "test.sh: installing linters (npm install --prefix $tools_dir ${lint_packages[*]})"
  mkdir -p "$tools_dir"
  npm install --prefix "$tools_dir" --no-audit --no-fund --no-save "${lint_packages[@]}"
fi

# --- 1b. Deploy checks: each prints its command and PASS or FAIL; failures count in the summary ---------
mkdir -p "$run_dir"
checks_file="$run_dir/checks.txt"
: > "$checks_file"
check() {
  local name="$1"
  shift
  echo "check: $name: $*"
  local log="$run_dir/check-$name.log"
  if "$@" >"$log" 2>&1; then
    echo "check: $name: PASS"
    echo "PASS $name" >> "$checks_file"
  else
    echo "check: $name: FAIL; its output:"
    sed 's/^/    /' "$log"
    echo "FAIL $name" >> "$checks_file"
  fi
}

# The committed stylesheet must be what Tailwind builds from today's templates (as scripts/build-assets.sh does).
fresh_css() {
  local built="$run_dir/app.fresh.css"
  node_modules/.bin/tailwindcss --input static/css/app.src.css --output "$built" --minify || return 1
  if ! cmp -s "$built" static/css/app.css; then
    echo "static/css/app.css is stale: run bash scripts/build-assets.sh and commit static/css/app.css"
    diff <(tr '}' '\n' < static/css/app.css) <(tr '}' '\n' < "$built") | head -40
    return 1
  fi
  cmp node_modules/htmx.org/dist/htmx.min.js static/js/htmx.min.js
  cmp node_modules/htmx-ext-sse/dist/sse.min.js static/js/sse.min.js
}
check tailwind-css-fresh fresh_css

# compose.yaml parsed and resolved by a real Compose implementation, with every variable from .env.example
# (an unset variable fails the check); its output feeds the compose tests and the published-app test.
compose_config() {
  docker-compose --version
  docker-compose --project-directory . --env-file .env.example -f compose.yaml config > "$run_dir/compose.resolved.yaml" 2> "$run_dir/compose.stderr" \
    || { cat "$run_dir/compose.stderr"; return 1; }
  cat "$run_dir/compose.stderr"
  if grep -qi "variable is not set" "$run_dir/compose.stderr"; then
    return 1
  fi
  "$python" - "$run_dir" <<'PY'
import json, re, sys
import yaml  # python3-yaml, a dependency of Debian's docker-compose
run_dir = sys.argv[1]
compose = yaml.safe_load(open(f"{run_dir}/compose.resolved.yaml"))
json.dump(compose, open(f"{run_dir}/compose.json", "w"), indent=2)
image_env, stage = {}, None
lines = open("Dockerfile").read().replace("\\\n", " ").splitlines()
for line in lines:
    words = line.strip().split(None, 1)
    if not words or words[0].startswith("#"):
        continue
    if words[0].upper() == "FROM":
        stage, image_env = line, {}
    elif words[0].upper() == "ENV":
        for key, value in re.findall(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)', words[1]):
            image_env[key] = value.strip('"')
app_env = compose["services"]["app"].get("environment", {})
json.dump({"image": image_env, "compose": app_env}, open(f"{run_dir}/deploy-env.json", "w"), indent=2)
print("image ENV:", ", ".join(sorted(image_env)))
print("compose app environment:", ", ".join(sorted(app_env)))
PY
}
check compose-config compose_config
export DICEROLLER_COMPOSE_JSON="$run_dir/compose.json"
export DICEROLLER_DEPLOY_ENV="$run_dir/deploy-env.json"

check dockerfile-lint "$tools_dir/node_modules/.bin/dockerfile-utils" lint Dockerfile
lint_workflows() {
  local file
  for file in .github/workflows/*.yml; do
    echo "action-validator $file"
    "$tools_dir/node_modules/.bin/action-validator" "$file" || return 1
  done
}
check workflows-lint lint_workflows

# The image's app: `dotnet publish` output, owned by root and read-only to the user it runs as.
published="$run_dir/publish"
publish_app() {
  rm -rf "$published"
  dotnet publish DiceRoller/DiceRoller.csproj -c Release -o "$published" -p:UseAppHost=false --nologo -v quiet || return 1
  chmod -R go-w "$published"
  du -sh "$published"
}
check dotnet-publish publish_app
export DICEROLLER_PUBLISHED="$published"

# The benchmark tool's smoke (bench/, scripts/bench.sh --smoke): 40 players for 10 s on each store, through the HTML
# contract; fails only on a broken invariant (a gap, a duplicate, a roll not delivered to every member), never on a timing.
# Part of a full run (no arguments, as CI runs it) or of any run with DICEROLLER_BENCH_SMOKE=1.
if [[ $# -eq 0 || "${DICEROLLER_BENCH_SMOKE:-}" == "1" ]]; then
  check bench-smoke bash scripts/bench.sh --smoke --results "$run_dir/bench"
fi
# The stack tier: the image built and compose.yaml run with Podman, through nginx's HTTPS port (minutes; its steps are
# checks named stack-*, or one SKIP with the reason where Podman cannot run). Before the tests, so it has the CPU alone.
if [[ -n "$stack_tier" ]]; then
  bash scripts/stack-test.sh "$checks_file"
fi

test_user=diceroller-ci
if [[ "$(id -u)" -eq 0 ]] && ! id "$test_user" >/dev/null 2>&1; then
  echo "test.sh: creating the non-root user $test_user (useradd --system)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$test_user"
fi
export DICEROLLER_TEST_USER="$test_user"

# --- 2. Private redis-server and PostgreSQL on free ports ------------------------
redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/diceroller-valkey.XXXXXX")"
redis_pid=""
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/diceroller-postgres.XXXXXX")"
pg_bin="$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -1)"
pg_started=""

# PostgreSQL refuses to run as root: as root, run it as the non-root test user.
as_pg_user() {
  if [[ "$(id -u)" -eq 0 ]]; then
    setpriv --reuid="$test_user" --regid="$test_user" --init-groups "$@"
  else
    "$@"
  fi
}

cleanup() {
  if [[ -n "$redis_pid" ]] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  if [[ -n "$pg_started" ]]; then
    as_pg_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$redis_dir" "$pg_dir"
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

start_postgres() {
  local port="$1"
  as_pg_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 120 \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null
}

[[ "$(id -u)" -eq 0 ]] && chown "$test_user:" "$pg_dir"
if ! as_pg_user "$pg_bin/initdb" -D "$pg_dir/data" -U diceroller --auth=trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1; then
  echo "test.sh: initdb failed; its log:" >&2
  cat "$pg_dir/initdb.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
pg_port=""
for _ in 1 2 3 4 5; do
  pick_free_port
  if start_postgres "$candidate"; then
    pg_started=1
    pg_port="$candidate"
    break
  fi
done
if [[ -z "$pg_port" ]]; then
  echo "test.sh: PostgreSQL did not start; its log:" >&2
  cat "$pg_dir/postgres.log" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
fi
echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_dir)"
export DICEROLLER_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=diceroller;Database=postgres;Maximum Pool Size=50"
export DICEROLLER_CHROMIUM="$chromium_bin"
export DICEROLLER_PYTHON="$python"

# --- 3. Run the tests ------------------------------------------------------------
rm -rf "$results_dir"
mkdir -p "$results_dir"

# The trx logger's default file name is unique per test project; a fixed
# LogFileName would make several test projects overwrite one another's results.
set +e
dotnet test "$sln" -c Release \
  --collect "XPlat Code Coverage" \
  --logger trx \
  --logger "console;verbosity=normal" \
  --results-directory "$results_dir" \
  "$@"
dotnet_rc=$?
set -e

# --- 4. Summarise from the trx files and the checks (last line: N passed, N failed[, N skipped]) --
set +e
"$python" - "$results_dir" "$dotnet_rc" "$checks_file" "$#" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results_dir, dotnet_rc = Path(sys.argv[1]), int(sys.argv[2])
checks_file, full_run = Path(sys.argv[3]), sys.argv[4] == "0"
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
PY
summary_rc=$?
set -e

exit "$summary_rc"
