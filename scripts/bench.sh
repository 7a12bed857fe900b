#!/usr/bin/env bash
# DiceRoller's fan-out benchmark against a bare .NET SSE broadcaster and a Socket.IO 4.8 server (bench/).
#
#   bash scripts/bench.sh [--steps 400,800,1600,3200] [--rounds 3] [--duration 30] [--rate 0.2] [--room-size 8]
#                         [--targets diceroller-embedded,diceroller-valkey,bare-sse,socketio] [--seed 12]
#                         [--memory 10000,20000] [--memory-targets diceroller-embedded] [--settle 3] [--drain 30]
#                         [--warmup 90]  # seconds of rolls before the measured schedule, not counted: the JIT is still
#                                        # compiling the roll path 30 s into 80 rolls/s (CPU per delivery 3.2x the figure after 90 s)
#                         [--memory-hold 60]   # keep each memory run open this long after measuring (prints the server PID: dotnet-gcdump)
#                         [--keep]             # keep each run's folder (the server's log) instead of deleting it
#                         [--saturate 400 [--saturate-rates 0.5,1,2,4,8,16]]   # rolls/s at saturation (p99 < 1 s)
#                         [--baseline REV]     # also build the app at git revision REV (a worktree under bench/.build), for the
#                                              # targets diceroller-embedded-before and diceroller-valkey-before: before/after
#                                              # side by side on the same machine, interleaved with the other targets
#   bash scripts/bench.sh --smoke      # CI: 40 players, 10 s, both stores and the bare broadcaster; exits 1 unless 0 gaps,
#                                      # 0 duplicates, every roll delivered (timings and CPU per 1,000 deliveries beside the
#                                      # bare broadcaster's are printed, never asserted)
#
# Builds the app (dotnet publish, as the image runs it), the bare peer and the load generator (bench/DiceRoller.Bench),
# installs the Socket.IO peer's npm package (bench/socketio), then runs the generator pinned to the last core while it
# starts each server pinned to core 0 (taskset). The table goes to stdout and bench/results/<UTC time>.md.
# A short full run: bash scripts/bench.sh --steps 400 --rounds 1 --duration 10
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

smoke=false
keep=false
needs_node=true
baseline=""
args=()
while (($# > 0)); do
  case "$1" in
    --baseline) baseline="$2"; shift 2; continue ;;
    --smoke) smoke=true ;;
    --keep) keep=true ;;
  esac
  args+=("$1")
  shift
done
set -- ${args[@]+"${args[@]}"}
if $smoke; then
  needs_node=false
fi
needs_postgres=false
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == "--targets" ]]; then
    j=$((i + 1))
    [[ "${!j}" == *socketio* ]] || needs_node=false
    [[ "${!j}" == *diceroller-cluster* ]] && needs_postgres=true
  fi
done

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
if $needs_node && ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
if $needs_postgres && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then missing+=(postgresql); fi
if ((${#missing[@]} > 0)); then
  echo "bench.sh: installing ${missing[*]}"
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

build="$repo/bench/.build"
mkdir -p "$build"
echo "bench.sh: building the app, the bare peer and the generator (Release)"
dotnet publish DiceRoller/DiceRoller.csproj -c Release -o "$build/app" -p:UseAppHost=false --nologo -v quiet
dotnet publish bench/BareSse/BareSse.csproj -c Release -o "$build/bare" -p:UseAppHost=false --nologo -v quiet
dotnet publish bench/DiceRoller.Bench/DiceRoller.Bench.csproj -c Release -o "$build/generator" -p:UseAppHost=false --nologo -v quiet
baseline_args=()
if [[ -n "$baseline" ]]; then
  rev="$(git rev-parse --verify "$baseline^{commit}")"
  echo "bench.sh: building the baseline app at $rev"
  rm -rf "$build/baseline-src"
  git worktree prune
  git worktree add --detach "$build/baseline-src" "$rev" >/dev/null
  dotnet publish "$build/baseline-src/DiceRoller/DiceRoller.csproj" -c Release -o "$build/app-before" -p:UseAppHost=false --nologo -v quiet
  git worktree remove --force "$build/baseline-src"
  baseline_args=(--baseline-app "$build/app-before/DiceRoller.dll" --baseline-rev "$baseline")
fi
if $needs_node && [[ ! -d bench/socketio/node_modules/socket.io ]]; then
  echo "bench.sh: installing the Socket.IO peer (npm ci in bench/socketio)"
  npm ci --prefix bench/socketio --no-audit --no-fund
fi

# Every stream holds a connection (a file descriptor in the server and one in the generator): 20,000 streams need more than
# the default 1024. A container's hard limit caps it (here 20,000: at most ~19,400 streams; the generator says so).
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work="$(mktemp -d "${TMPDIR:-/tmp}/diceroller-bench.XXXXXX")"
if $keep; then
  echo "bench.sh: --keep: run folders (server logs) stay in $work"
else
  trap 'rm -rf "$work"' EXIT
fi

cores=$(nproc)
if ((cores >= 2)); then
  server_cores=0
  generator_cores=$((cores - 1))
else
  server_cores=0
  generator_cores=0
  echo "bench.sh: only one core: servers and generator share it (figures are not comparable with 2-core runs)"
fi

taskset -c "$generator_cores" dotnet "$build/generator/DiceRoller.Bench.dll" \
  --repo "$repo" --app "$build/app/DiceRoller.dll" --bare "$build/bare/BareSse.dll" --socketio "$repo/bench/socketio/server.js" \
  --work "$work" --server-cores "$server_cores" --results "$repo/bench/results" ${baseline_args[@]+"${baseline_args[@]}"} "$@"
