# Helpers shared by scripts/test.sh's parts (sourced, not run): root, checks, free ports, step timings.

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

# check NAME COMMAND...: runs one deploy check, prints its command and PASS or FAIL (with its output on FAIL) and
# appends `PASS NAME` or `FAIL NAME` to $checks_file; failures count in the summary.
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

# start_on_free_port VAR START NAME LOG: up to 5 tries of `START PORT` on a free port (a port taken between the pick
# and the bind fails START: the next try picks another). Sets VAR to the port it started on; when every try failed,
# prints NAME's LOG and the summary line `0 passed, 1 failed`, and exits.
start_on_free_port() {
  local var="$1" start="$2" name="$3" log="$4"
  for _ in 1 2 3 4 5; do
    pick_free_port || break
    if "$start" "$candidate"; then
      printf -v "$var" '%s' "$candidate"
      return 0
    fi
  done
  echo "test.sh: $name did not start; its log:" >&2
  cat "$log" >&2 || true
  echo "0 passed, 1 failed"
  exit 1
}

# step NAME: ends the previous step (its wall time goes to $run_dir/steps.txt, printed by the summary; the whole
# machine's CPU meanwhile to $run_dir/cpu.txt) and starts NAME.
step_name=""
step_start=0
step_cpu=""
# Prints "BUSY TOTAL": the machine's busy and total CPU time since boot, in clock ticks (/proc/stat's first line).
machine_cpu() {
  local _ user nice system idle iowait irq softirq steal
  read -r _ user nice system idle iowait irq softirq steal _ < /proc/stat
  echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
}
step() {
  local now cpu busy total ticks b0 t0
  now=$(date +%s)
  cpu=$(machine_cpu 2>/dev/null || echo "")
  if [[ -n "$step_name" ]]; then
    echo "$((now - step_start)) $step_name" >> "$run_dir/steps.txt"
    echo "test.sh: step $step_name took $((now - step_start)) s"
    if [[ -n "$cpu" && -n "$step_cpu" ]]; then
      read -r busy total <<< "$cpu"
      read -r b0 t0 <<< "$step_cpu"
      ticks=$(getconf CLK_TCK)
      if (( total > t0 )); then
        echo "$step_name | $(( (busy - b0) / ticks )) CPU s busy of $(( (total - t0) / ticks )) ($(( 100 * (busy - b0) / (total - t0) ))%)" >> "$run_dir/cpu.txt"
      fi
    fi
  fi
  step_name="${1:-}"
  step_start=$now
  step_cpu=$cpu
}

# The background job of scripts/test/beside.sh (its process group), when one runs.
beside_pid=""
# Stops it, the whole group (podman, bench.sh's servers), when test.sh ends before waiting for it.
stop_beside() {
  if [[ -n "$beside_pid" ]] && kill -0 "$beside_pid" 2>/dev/null; then
    echo "test.sh: stopping the checks beside the tests (process group $beside_pid)" >&2
    kill -TERM -- "-$beside_pid" 2>/dev/null || true
    wait "$beside_pid" 2>/dev/null || true
  fi
}
