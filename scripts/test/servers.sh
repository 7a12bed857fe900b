# Part of scripts/test.sh (sourced): the non-root test user, a private redis-server and a private PostgreSQL on free
# loopback ports (stopped and deleted on exit by the trap set here). Exports DICEROLLER_TEST_USER, DICEROLLER_TEST_VALKEY,
# DICEROLLER_TEST_POSTGRES, DICEROLLER_CHROMIUM and DICEROLLER_PYTHON.

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
  stop_beside
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
start_on_free_port redis_port start_redis redis-server "$redis_dir/redis.log"
echo "test.sh: redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on 127.0.0.1:$redis_port (pid $redis_pid)"

export DICEROLLER_TEST_VALKEY="127.0.0.1:$redis_port"

start_postgres() {
  local port="$1"
  as_pg_user "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 120 \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null || return 1
  pg_started=1
}

[[ "$(id -u)" -eq 0 ]] && chown "$test_user:" "$pg_dir"
if ! as_pg_user "$pg_bin/initdb" -D "$pg_dir/data" -U diceroller --auth=trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1; then
  echo "test.sh: initdb failed; its log:" >&2
  cat "$pg_dir/initdb.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
pg_port=""
start_on_free_port pg_port start_postgres PostgreSQL "$pg_dir/postgres.log"
echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_dir)"
export DICEROLLER_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=diceroller;Database=postgres;Maximum Pool Size=50"
export DICEROLLER_CHROMIUM="$chromium_bin"
export DICEROLLER_PYTHON="$python"
