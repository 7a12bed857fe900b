#!/usr/bin/env bash
# The stack tier: the image built from the Dockerfile and compose.yaml brought up with Podman, then a room played
# through nginx's HTTPS port and the operations a self-hoster does (down/up, upgrade with a page open, docs/deploy.md's
# backup and restore, the app killed). Slow (minutes): scripts/test.sh runs it on a full run or with DICEROLLER_STACK=1.
#
#   bash scripts/stack-test.sh CHECKS_FILE
#
# Each step appends `PASS|FAIL stack-NAME` to CHECKS_FILE (test.sh counts them in its summary); where Podman cannot
# run here it appends one `SKIP stack REASON` and prints the reason. Needs root (rootful podman), podman,
# podman-compose, debootstrap, openssl and curl; the base images are local stand-ins (scripts/stack/standins.sh),
# passed to the Dockerfile and compose.yaml as build arguments and variables. Leaves no container, volume, network
# or image behind, except the stand-ins, cached between runs (keyed by their inputs).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
checks="${1:?usage: bash scripts/stack-test.sh CHECKS_FILE}"
run_dir="$PWD/.test-run/stack"
mkdir -p "$run_dir"
log="$run_dir/stack.log"
: > "$log"

skip() {
  echo "check: stack: SKIP: $1"
  echo "SKIP stack $1" >> "$checks"
  exit 0
}

[[ "$(id -u)" -eq 0 ]] || skip "needs root for rootful podman (CI runs as root)"
for tool in podman podman-compose debootstrap openssl curl python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install podman podman-compose debootstrap)"
done

# The default rlimits are refused on these machines (containers fail to start): set them for every container
# this run starts, podman-compose's and docs/deploy.md's `docker run`s included, without touching /etc.
export CONTAINERS_CONF="$run_dir/containers.conf"
cat > "$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
CONF

if ! probe="$(podman run --rm --network none --rootfs /:O true 2>&1)"; then
  skip "podman cannot run a container here: $(tr '\n' ' ' <<<"$probe" | cut -c1-300)"
fi

# One stack at a time on this machine: the compose project's name is fixed (docs/deploy.md's volume names hold literally),
# a run removes what an interrupted run left under it, and standins.sh removes stand-ins of other inputs. A second
# checkout's run (two full suites at once) waits here for the first instead of tearing down its containers.
exec 9>"${TMPDIR:-/tmp}/diceroller-stack.lock"
if ! flock -n 9; then
  echo "stack: another checkout's stack test holds ${TMPDIR:-/tmp}/diceroller-stack.lock; waiting for it (at most 30 min)"
  flock -w 1800 9 || skip "another stack test held the machine's stack lock for 30 minutes"
fi

started=$SECONDS
echo "check: stack-standins: bash scripts/stack/standins.sh (log: $log)"
if bash scripts/stack/standins.sh > "$run_dir/standins.txt" 2>>"$log" 9>&-; then
  echo "check: stack-standins: PASS ($((SECONDS - started)) s)"
  echo "PASS stack-standins" >> "$checks"
  sed 's/^/    /' "$run_dir/standins.txt"
else
  echo "check: stack-standins: FAIL; the end of its log:"
  tail -40 "$log" | sed 's/^/    /'
  echo "FAIL stack-standins" >> "$checks"
  exit 0
fi

# The stack runs in a network namespace of its own (its loopback up, nothing else): the bridges, veths and addresses
# Podman makes and removes come and go there, not where the browser tests' Chromium runs. Chromium fails whatever request
# is in flight with net::ERR_NETWORK_CHANGED when an address appears or goes on the machine's interfaces, and a full run
# (or a second checkout's) has its browser tests going while this tier starts and stops containers. The app's image
# builds (`dotnet restore` needs the package registry) run in the machine's namespace, entered by stack_test.py through
# STACK_HOST_NETNS (this script's own, which stays there); they use --network host, no bridge.
netns=(unshare --net -- bash -c 'ip link set lo up && exec "$@"' stack-netns)
if "${netns[@]}" nsenter --net="/proc/$$/ns/net" true 2>>"$log"; then
  export STACK_HOST_NETNS="/proc/$$/ns/net"
  echo "stack: the containers run in a network namespace of their own (the image builds in the machine's)"
else
  echo "stack: cannot make a network namespace here (see $log); the stack runs in the machine's own, and a browser test beside it may see net::ERR_NETWORK_CHANGED"
  netns=()
fi
set +e
DISABLE_HC_SYSTEMD=true "${netns[@]}" python3 scripts/stack/stack_test.py --checks "$checks" --standins "$run_dir/standins.txt" --log "$log" 9>&-
rc=$?
set -e
echo "stack: $((SECONDS - started)) s in all; every command and its output: $log"
if [[ $rc -ne 0 ]]; then
  echo "stack: the end of its log:"
  tail -80 "$log" | sed 's/^/    /'
fi
exit 0
