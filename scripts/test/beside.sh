# Part of scripts/test.sh (sourced in a background subshell, in its own process group, started before the tests' build):
# the slow checks that need neither the servers of servers.sh nor the test project, run beside the build and
# `dotnet test` instead of before them; test.sh waits for them before the summary and prints their output
# ($run_dir/beside.log) then. Most of their time is waiting (containers starting, health checks, the smoke's fixed
# 10 s per store), which the tests' CPU fills.
#   - the stack tier (scripts/stack-test.sh, when $stack_tier): the image built and compose.yaml run with Podman; its
#     steps are checks named stack-*, or one SKIP with the reason where Podman cannot run. It takes the machine's stack
#     lock (one stack at a time): a second checkout's full run waits there without holding up its own tests.
#   - the benchmark smoke (full run, or DICEROLLER_BENCH_SMOKE=1): its `dotnet publish` of the app writes DiceRoller/obj
#     as the tests' build does, so it starts once that build is over ($run_dir/build.done).
# Their wall times are steps named `... (beside the tests)` in $run_dir/steps.txt.

step_name=""
if [[ -n "$stack_tier" ]]; then
  step "stack-tier (beside the tests)"
  bash scripts/stack-test.sh "$checks_file"
fi
if [[ -n "$full_run" || "${DICEROLLER_BENCH_SMOKE:-}" == "1" ]]; then
  step ""
  until [[ -e "$run_dir/build.done" ]]; do
    sleep 1
  done
  # The benchmark tool's smoke (bench/, scripts/bench.sh --smoke): 40 players for 10 s on each store, through the HTML
  # contract; fails only on a broken invariant (a gap, a duplicate, a roll not delivered to every member), never on a timing.
  step "bench-smoke (beside the tests)"
  # The bare .NET broadcaster runs under the same load, and each store's server CPU per 1,000 deliveries is printed beside
  # its (the line `bench: CPU per 1,000 deliveries ...`, also when the check passes; issue 22).
  check bench-smoke bash scripts/bench.sh --smoke --results "$run_dir/bench"
  grep -h '^bench: CPU per 1,000 deliveries' "$run_dir/check-bench-smoke.log" | sed 's/^/check: bench-smoke: /' || true
fi
step
