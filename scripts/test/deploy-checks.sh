# Part of scripts/test.sh (sourced): the deploy checks. Each prints its command and PASS or FAIL; failures count in
# the summary. Exports DICEROLLER_COMPOSE_JSON, DICEROLLER_DEPLOY_ENV and DICEROLLER_PUBLISHED for the tests. On a full
# run (or DICEROLLER_BENCH_SMOKE=1) also the benchmark smoke; with $stack_tier the stack tier (scripts/stack-test.sh).

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

step bench-smoke
# The benchmark tool's smoke (bench/, scripts/bench.sh --smoke): 40 players for 10 s on each store, through the HTML
# contract; fails only on a broken invariant (a gap, a duplicate, a roll not delivered to every member), never on a timing.
# The bare .NET broadcaster runs under the same load, and each store's server CPU per 1,000 deliveries is printed beside its
# (the line `bench: CPU per 1,000 deliveries ...`, also when the check passes; issue 22).
# Part of a full run (no arguments, as CI runs it) or of any run with DICEROLLER_BENCH_SMOKE=1.
if [[ -n "$full_run" || "${DICEROLLER_BENCH_SMOKE:-}" == "1" ]]; then
  check bench-smoke bash scripts/bench.sh --smoke --results "$run_dir/bench"
  grep -h '^bench: CPU per 1,000 deliveries' "$run_dir/check-bench-smoke.log" | sed 's/^/check: bench-smoke: /' || true
fi
step stack-tier
# The stack tier: the image built and compose.yaml run with Podman, through nginx's HTTPS port (minutes; its steps are
# checks named stack-*, or one SKIP with the reason where Podman cannot run). Before the tests, so it has the CPU alone.
if [[ -n "$stack_tier" ]]; then
  bash scripts/stack-test.sh "$checks_file"
fi
