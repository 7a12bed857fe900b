# Part of scripts/test.sh (sourced): installs what is missing: Debian packages (redis-server, chromium-headless-shell, nginx,
# postgresql, docker-compose, ...; podman and the stack tier's tools when $stack_tier is set), the npm packages and
# the pinned linters. Sets $python.

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
[[ -x "$chromium_bin" ]] || missing+=(chromium-headless-shell)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# The stack tier (scripts/stack-test.sh): a full run, or DICEROLLER_STACK=1 ($stack_tier, set by test.sh).
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
