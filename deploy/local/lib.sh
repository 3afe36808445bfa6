# shellcheck shell=bash
# Shared functions for deploy/local/{up,down,test,bench,chaos,restart-test-server,kill-test-instance}. Source it, don't run it.
#
# A "stack" is RabbitMQ + Redis + PostgreSQL + the 7 services (8 processes: two analysis workers),
# running as plain background processes on 127.0.0.1, with every byte of state under one folder:
#   dev  -> <repo>/.run       test -> <repo>/.run-test
# Each stack has its own ports (see stack_config), so a test stack never touches a dev stack.
# Everything is started by PID file and stopped by PID; no systemd, no Docker.

LENDING_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
RABBITMQ_BIN_DIR=/usr/lib/rabbitmq/bin
PG_BIN_DIR=/usr/lib/postgresql/15/bin
# The executables built by `swift build` (debug). LENDING_BIN_DIR overrides (used to test these
# scripts with stand-in services).
LENDING_BIN_DIR="${LENDING_BIN_DIR:-$LENDING_ROOT/.build/debug}"
# Process instances, in admin-port order: admin port = STACK_ADMIN_BASE + index.
LENDING_INSTANCES=(gateway auth loans approvals analysis-worker-1 notifications analytics analysis-worker-2 gateway-2)
LENDING_APT_PACKAGES=(rabbitmq-server redis-server postgresql postgresql-client librabbitmq-dev
  libhiredis-dev libcurl4-openssl-dev python3-aiosmtpd python3-venv pkg-config openssl curl ca-certificates util-linux procps)
# What only the test run needs: a real browser for the web UI tests, Node.js for its logic tests.
LENDING_TEST_APT_PACKAGES=(chromium chromium-driver nodejs)

# ---------------------------------------------------------------------------------------------
# logging

log() { [[ -n "${LENDING_QUIET:-}" ]] || printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# stacks

# stack_config dev|test [state-dir]: sets the STACK_* variables every other function reads.
stack_config() {
  STACK_NAME="$1"
  STACK_PG_SETTINGS=()
  case "$1" in
    dev)
      STACK_STATE="$LENDING_ROOT/.run"
      STACK_RABBITMQ_PORT=5673 STACK_EPMD_PORT=4370 STACK_REDIS_PORT=6380 STACK_PG_PORT=5433
      STACK_GATEWAY_PORT="${GATEWAY_PORT:-8080}" STACK_ADMIN_BASE=9100
      # A web UI on a developer's machine may call the API from these origins.
      STACK_GATEWAY_SETTINGS=("GATEWAY_CORS_ORIGINS=${GATEWAY_CORS_ORIGINS:-http://localhost:3000,http://127.0.0.1:3000}")
      STACK_AUTH_SETTINGS=("AUTH_MFA_REQUIRED_ROLES=${AUTH_MFA_REQUIRED_ROLES:-}")
      STACK_SECOND_GATEWAY_SETTINGS=()
      STACK_LOANS_SETTINGS=("LOANS_OVERDUE_SWEEP_SECONDS=${LOANS_OVERDUE_SWEEP_SECONDS:-3600}")
      STACK_APPROVALS_SETTINGS=("APPROVALS_SLA_SWEEP_SECONDS=${APPROVALS_SLA_SWEEP_SECONDS:-60}")
      # A developer's own machine: plain http webhooks allowed (internal targets still are not,
      # unless WEBHOOK_ALLOWED_INTERNAL_ADDRESSES names them).
      STACK_NOTIFICATIONS_SETTINGS=("NOTIFICATIONS_WEBHOOK_RETRY_BASE_MS=${NOTIFICATIONS_WEBHOOK_RETRY_BASE_MS:-1000}"
        "WEBHOOK_ALLOW_HTTP=${WEBHOOK_ALLOW_HTTP:-true}" "WEBHOOK_ALLOWED_INTERNAL_ADDRESSES=${WEBHOOK_ALLOWED_INTERNAL_ADDRESSES:-}")
      # Local mode: emails are .eml files in .run/mail (set SMTP_URL to send them instead).
      STACK_SMTP_PORT="" ;;
    test)
      STACK_STATE="$LENDING_ROOT/.run-test"
      STACK_RABBITMQ_PORT=5674 STACK_EPMD_PORT=4371 STACK_REDIS_PORT=6381 STACK_PG_PORT=5434
      STACK_GATEWAY_PORT=8180 STACK_ADMIN_BASE=9200
      # The system tests act as many clients from one machine: loopback is their "proxy", so each
      # test's X-Forwarded-For is its own address; budgets are small so the limits can be reached.
      STACK_GATEWAY_SETTINGS=(
        "GATEWAY_TRUSTED_PROXIES=127.0.0.1"
        "GATEWAY_CORS_ORIGINS=https://app.test.example"
        "GATEWAY_RATE_LIMIT_PER_IP=300"
        "GATEWAY_RATE_LIMIT_PER_USER=400"
        "GATEWAY_WS_HEARTBEAT_SECONDS=1"
        "GATEWAY_TRAFFIC_REPORT_SECONDS=1"
      )
      # The second gateway takes the API fuzzing (thousands of requests from one address), so its
      # budgets are out of the way; the first keeps the small ones the defence tests reach.
      STACK_SECOND_GATEWAY_SETTINGS=("GATEWAY_RATE_LIMIT_PER_IP=1000000000" "GATEWAY_RATE_LIMIT_PER_USER=1000000000")
      # One role with mandatory MFA, so the restricted first sign-in can be tested. bcrypt at cost
      # 10, not the default 11: 70 suites at once sign up and sign in hundreds of accounts on two
      # cores, and at 11 the hashes queued past the gateway's 5 s timeout (a 504 on POST /users).
      # What the tests check does not depend on the cost; a deployment keeps 11 or more.
      STACK_AUTH_SETTINGS=("AUTH_MFA_REQUIRED_ROLES=manager" "AUTH_BCRYPT_COST=10")
      # Sweep for overdue instalments every second, so the tests need not wait an hour.
      # A backlog bound the intake test fills quickly (with rows of its own), far above what the
      # other suites leave waiting at once.
      STACK_LOANS_SETTINGS=("LOANS_OVERDUE_SWEEP_SECONDS=1" "LOANS_INTAKE_BACKLOG_LIMIT=300" "LOANS_INTAKE_RETRY_AFTER_SECONDS=2")
      # The same for stages past their SLA (tests move a due time into the past).
      STACK_APPROVALS_SETTINGS=("APPROVALS_SLA_SWEEP_SECONDS=1")
      # Webhook retries after 200 ms, 400 ms, … so a retried delivery is seen within the test.
      # Email goes over real SMTP to a local sink that files each message in the mail folder.
      STACK_SMTP_PORT=2526
      # Webhooks may use plain http and reach the tests' receiver on 127.0.0.2, and no other
      # internal address (the SSRF test checks that 127.0.0.1 stays out of reach).
      STACK_NOTIFICATIONS_SETTINGS=("NOTIFICATIONS_WEBHOOK_RETRY_BASE_MS=200" "SMTP_URL=smtp://127.0.0.1:$STACK_SMTP_PORT"
        "SMTP_STARTTLS=none" "WEBHOOK_ALLOW_HTTP=true" "WEBHOOK_ALLOWED_INTERNAL_ADDRESSES=127.0.0.2") ;;
    bench)
      STACK_STATE="$LENDING_ROOT/.run-bench"
      STACK_RABBITMQ_PORT=5675 STACK_EPMD_PORT=4372 STACK_REDIS_PORT=6382 STACK_PG_PORT=5435
      STACK_GATEWAY_PORT=8280 STACK_ADMIN_BASE=9300
      # One machine plays every client: the limits must not be what is measured.
      STACK_GATEWAY_SETTINGS=("GATEWAY_RATE_LIMIT_PER_IP=1000000000" "GATEWAY_RATE_LIMIT_PER_USER=1000000000"
        "GATEWAY_RATE_LIMIT_SIGN_IN_PER_IP=1000000000" "GATEWAY_RATE_LIMIT_SIGN_IN_PER_ACCOUNT=1000000000")
      STACK_SECOND_GATEWAY_SETTINGS=()
      STACK_AUTH_SETTINGS=("AUTH_MFA_REQUIRED_ROLES=")
      STACK_LOANS_SETTINGS=("LOANS_OVERDUE_SWEEP_SECONDS=3600")
      STACK_APPROVALS_SETTINGS=("APPROVALS_SLA_SWEEP_SECONDS=60")
      STACK_NOTIFICATIONS_SETTINGS=("NOTIFICATIONS_WEBHOOK_RETRY_BASE_MS=1000")
      # What each statement costs per application (deploy/local/bench prints the top ones).
      STACK_PG_SETTINGS=("shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track = all")
      STACK_SMTP_PORT="" ;;
    *) die "unknown stack '$1' (dev, test or bench)" ;;
  esac
  [[ -z "${2:-}" ]] || STACK_STATE="$2"
  STACK_RABBITMQ_NODE="lending-$1@localhost"
  STACK_RABBITMQ_DIST_PORT=$((STACK_RABBITMQ_PORT + 20000))
  STACK_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:$STACK_RABBITMQ_PORT"
  STACK_REDIS_URL="redis://127.0.0.1:$STACK_REDIS_PORT"
  STACK_DATABASE_URL="postgres://lending:lending@127.0.0.1:$STACK_PG_PORT/lending"
  STACK_MAIL_DIR="$STACK_STATE/mail"
  STACK_SMS_DIR="$STACK_STATE/sms"
  STACK_JWT_KEY="$STACK_STATE/keys/jwt-es256.pem"
}

instance_service() { # analysis-worker-2 -> analysis-worker
  case "$1" in analysis-worker-*) echo analysis-worker ;; gateway-*) echo gateway ;; *) echo "$1" ;; esac
}

# instance_gateway_port INST: gateway -> the stack's gateway port, gateway-2 -> the next one, …
instance_gateway_port() {
  case "$1" in gateway-*) echo $((STACK_GATEWAY_PORT + ${1#gateway-} - 1)) ;; *) echo "$STACK_GATEWAY_PORT" ;; esac
}

instance_admin_port() {
  local i
  for i in "${!LENDING_INSTANCES[@]}"; do
    if [[ "${LENDING_INSTANCES[$i]}" == "$1" ]]; then echo $((STACK_ADMIN_BASE + i)); return 0; fi
  done
  die "unknown instance $1"
}

# name=http://127.0.0.1:port,... for every process
admin_urls() {
  local out="" inst
  for inst in "${LENDING_INSTANCES[@]}"; do
    out+="${out:+,}$inst=http://127.0.0.1:$(instance_admin_port "$inst")"
  done
  echo "$out"
}

# ---------------------------------------------------------------------------------------------
# packages

_LENDING_APT_UPDATED=""

# apt_install_missing PKG...: installs (quietly) only the packages that are not installed yet.
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing missing packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  # Don't let the packages' maintainer scripts start system-wide daemons (we run our own).
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0 out
  out="$(mktemp)"
  if [[ -z $_LENDING_APT_UPDATED ]]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$out" 2>&1 || rc=$?
    _LENDING_APT_UPDATED=1
  fi
  if ((rc == 0)); then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >"$out" 2>&1 || rc=$?
  fi
  [[ -z $made_policy ]] || "${sudo[@]}" rm -f "$policy"
  if ((rc != 0)); then
    tail -n 30 "$out" >&2
    rm -f "$out"
    die "apt-get failed (exit $rc) installing: ${missing[*]}"
  fi
  rm -f "$out"
}

ensure_packages() { apt_install_missing "${LENDING_APT_PACKAGES[@]}"; }
# The gateway's third-party page assets (the API reference's Swagger UI), pinned and checksummed.
ensure_web_assets() { "$LENDING_ROOT/deploy/tools/web-vendor" web "$LENDING_ROOT/Services/Gateway/Web/vendor"; }
ensure_test_packages() { apt_install_missing "${LENDING_APT_PACKAGES[@]}" "${LENDING_TEST_APT_PACKAGES[@]}"; }

# ---------------------------------------------------------------------------------------------
# processes

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# pidfile_pid FILE [COMM-PREFIX]: prints the PID in FILE when that process is alive (and, when
# given, its /proc/PID/comm starts with COMM-PREFIX); fails otherwise.
pidfile_pid() {
  local f="$1" want="${2:-}" pid
  [[ -s "$f" ]] || return 1
  pid="$(head -n 1 "$f" 2>/dev/null | tr -d '[:space:]')"
  pid_alive "$pid" || return 1
  if [[ -n "$want" ]]; then
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$want"* ]] || return 1
  fi
  echo "$pid"
}

# stop_pid PID NAME [SIGNAL] [TIMEOUT]: signal, then wait until gone; SIGKILL after TIMEOUT s.
stop_pid() {
  local pid="$1" name="$2" sig="${3:-TERM}" timeout="${4:-30}" i
  pid_alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) still running after ${timeout}s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) did not go away"
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_port_free() {
  if port_in_use "$1"; then
    die "port 127.0.0.1:$1 ($2) is already in use by another process"
  fi
}

wait_port() { # wait_port PORT TIMEOUT-SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    port_in_use "$1" && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# RabbitMQ (scripts in /usr/lib/rabbitmq/bin run fine as root; /usr/sbin wrappers switch user)

# rabbitmq_env_vars: fills RABBITMQ_ENV (VAR=value words) with this stack's RabbitMQ environment.
rabbitmq_env_vars() {
  local d="$STACK_STATE/rabbitmq"
  RABBITMQ_ENV=(
    "HOME=$d" LANG=C.UTF-8 LC_ALL=C.UTF-8
    "RABBITMQ_NODENAME=$STACK_RABBITMQ_NODE"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    "RABBITMQ_NODE_PORT=$STACK_RABBITMQ_PORT"
    "RABBITMQ_DIST_PORT=$STACK_RABBITMQ_DIST_PORT"
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
    "RABBITMQ_MNESIA_BASE=$d/mnesia"
    "RABBITMQ_LOG_BASE=$d/log"
    "RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf"
    "RABBITMQ_ADVANCED_CONFIG_FILE=$d/advanced.config"
    "RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf"
    "RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins"
    "RABBITMQ_PID_FILE=$d/rabbitmq.pid"
    "ERL_EPMD_PORT=$STACK_EPMD_PORT"
    ERL_EPMD_ADDRESS=127.0.0.1
  )
}

rabbitmq_env() { # rabbitmq_env CMD...: runs CMD (in the foreground) with that environment
  rabbitmq_env_vars
  env "${RABBITMQ_ENV[@]}" "$@"
}

rabbitmqctl_stack() { rabbitmq_env "$RABBITMQ_BIN_DIR/rabbitmqctl" "$@"; }

rabbitmq_pid() { pidfile_pid "$STACK_STATE/rabbitmq/rabbitmq.pid" beam; }
epmd_pid() { pidfile_pid "$STACK_STATE/rabbitmq/epmd.pid" epmd; }

# A private epmd on its own port, started by us in the foreground (not -daemon) so it has a PID.
start_epmd() {
  local d="$STACK_STATE/rabbitmq" epmd
  epmd_pid >/dev/null && return 0
  require_port_free "$STACK_EPMD_PORT" "epmd of the $STACK_NAME stack"
  epmd="$(command -v epmd || echo /usr/lib/erlang/bin/epmd)"
  mkdir -p "$d/log"
  setsid nohup "$epmd" -port "$STACK_EPMD_PORT" -address 127.0.0.1 \
    >>"$d/log/epmd.log" 2>&1 </dev/null &
  echo $! >"$d/epmd.pid"
  wait_port "$STACK_EPMD_PORT" 10 || die "epmd did not listen on $STACK_EPMD_PORT"
}

start_rabbitmq() {
  local d="$STACK_STATE/rabbitmq" pid
  if pid="$(rabbitmq_pid)"; then
    log "rabbitmq: already running (pid $pid, port $STACK_RABBITMQ_PORT)"
    return 0
  fi
  require_port_free "$STACK_RABBITMQ_PORT" "RabbitMQ of the $STACK_NAME stack"
  require_port_free "$STACK_RABBITMQ_DIST_PORT" "RabbitMQ distribution of the $STACK_NAME stack"
  mkdir -p "$d/mnesia" "$d/log"
  chmod 700 "$d"
  cat >"$d/rabbitmq.conf" <<EOF
# generated by deploy/local/lib.sh
listeners.tcp.default = 127.0.0.1:$STACK_RABBITMQ_PORT
loopback_users.guest = true
log.console = false
log.file.level = info
EOF
  echo '[].' >"$d/enabled_plugins"
  echo '[].' >"$d/advanced.config"
  : >"$d/rabbitmq-env.conf"
  rm -f "$d/rabbitmq.pid"
  start_epmd
  log "rabbitmq: starting $STACK_RABBITMQ_NODE on 127.0.0.1:$STACK_RABBITMQ_PORT"
  rabbitmq_env_vars
  # A simple command run with & is forked and exec'd directly, so $! is the process itself.
  (
    cd "$d" || exit 1
    setsid nohup env "${RABBITMQ_ENV[@]}" "$RABBITMQ_BIN_DIR/rabbitmq-server" \
      >>"$d/log/console.log" 2>&1 </dev/null &
    echo $! >"$d/rabbitmq-server.pid"
  )
  wait_rabbitmq
}

wait_rabbitmq() {
  local d="$STACK_STATE/rabbitmq"
  if ! rabbitmq_env timeout 90 "$RABBITMQ_BIN_DIR/rabbitmqctl" -q wait --timeout 80 \
      "$d/rabbitmq.pid" >>"$d/log/wait.log" 2>&1 || ! wait_port "$STACK_RABBITMQ_PORT" 10; then
    tail -n 30 "$d/log/console.log" "$d/log/wait.log" >&2 2>/dev/null || true
    die "rabbitmq did not start (logs: $d/log)"
  fi
  log "rabbitmq: ready on 127.0.0.1:$STACK_RABBITMQ_PORT"
}

# stop_rabbitmq [keep-epmd]
stop_rabbitmq() {
  local d="$STACK_STATE/rabbitmq" pid
  if pid="$(rabbitmq_pid)"; then
    log "rabbitmq: stopping (pid $pid)"
    stop_pid "$pid" rabbitmq TERM 60
  fi
  if pid="$(pidfile_pid "$d/rabbitmq-server.pid")"; then stop_pid "$pid" rabbitmq-server-script TERM 10; fi
  rm -f "$d/rabbitmq.pid" "$d/rabbitmq-server.pid"
  if [[ -z "${1:-}" ]] && pid="$(epmd_pid)"; then
    stop_pid "$pid" epmd TERM 10
    rm -f "$d/epmd.pid"
  fi
}

restart_rabbitmq() {
  stop_rabbitmq keep-epmd
  start_rabbitmq
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_pid() { pidfile_pid "$STACK_STATE/redis/redis.pid" redis-server; }

start_redis() {
  local d="$STACK_STATE/redis" pid
  if pid="$(redis_pid)"; then
    log "redis: already running (pid $pid, port $STACK_REDIS_PORT)"
    return 0
  fi
  require_port_free "$STACK_REDIS_PORT" "Redis of the $STACK_NAME stack"
  mkdir -p "$d" "$STACK_STATE/logs"
  rm -f "$d/redis.pid"
  log "redis: starting on 127.0.0.1:$STACK_REDIS_PORT"
  # An append-only file flushed every second: a crash (SIGKILL, power) costs at most the last
  # second of writes, where snapshots alone lost everything since the last one.
  redis-server --port "$STACK_REDIS_PORT" --bind 127.0.0.1 --dir "$d" --daemonize yes \
    --appendonly yes --appendfsync everysec \
    --pidfile "$d/redis.pid" --logfile "$STACK_STATE/logs/redis.log" >/dev/null
  wait_redis
}

wait_redis() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ "$(redis-cli -h 127.0.0.1 -p "$STACK_REDIS_PORT" ping 2>/dev/null)" == PONG ]] && {
      log "redis: ready on 127.0.0.1:$STACK_REDIS_PORT"
      return 0
    }
    sleep 0.1
  done
  tail -n 20 "$STACK_STATE/logs/redis.log" >&2 2>/dev/null || true
  die "redis did not start"
}

stop_redis() {
  local pid
  if pid="$(redis_pid)"; then
    log "redis: stopping (pid $pid)"
    stop_pid "$pid" redis TERM 30
  fi
  rm -f "$STACK_STATE/redis/redis.pid"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL 15 (root cannot run the server: it runs as the `postgres` user when we are root)

pg_user() { if ((EUID == 0)); then echo postgres; else id -un; fi; }
as_pg() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_dir() { # the cluster's folder (resolved when it is a link, see _pg_prepare_dir)
  local d="$STACK_STATE/postgres"
  if [[ -L "$d" ]]; then readlink "$d"; else echo "$d"; fi
}
postgres_pid() { pidfile_pid "$(pg_dir)/data/postmaster.pid" postgres; }

# The server's user must be able to reach the state folder. When an ancestor folder is closed
# to it (e.g. a clone under /root), keep the cluster in /var/tmp and link it from the state folder.
_pg_prepare_dir() {
  local d user
  d="$(pg_dir)" user="$(pg_user)"
  mkdir -p "$STACK_STATE"
  if [[ ! -e "$d" ]]; then
    mkdir -p "$d"
    chown "$user:" "$d" 2>/dev/null || true
    chmod 700 "$d"
    if ! as_pg test -w "$d" 2>/dev/null; then
      local alt
      alt="/var/tmp/lending-pg-$STACK_NAME-$(printf '%s' "$STACK_STATE" | md5sum | cut -c1-12)"
      warn "user $user cannot reach $d; keeping PostgreSQL data in $alt (linked from $d)"
      rmdir "$d"
      rm -rf "$alt"
      mkdir -p "$alt"
      chown "$user:" "$alt"
      chmod 700 "$alt"
      ln -s "$alt" "$d"
      d="$alt"
    fi
  fi
  as_pg test -w "$d/" || die "user $user cannot write to $d"
}

start_postgres() {
  local d pid
  d="$(pg_dir)"
  if pid="$(postgres_pid)"; then
    log "postgres: already running (pid $pid, port $STACK_PG_PORT)"
    return 0
  fi
  require_port_free "$STACK_PG_PORT" "PostgreSQL of the $STACK_NAME stack"
  _pg_prepare_dir
  d="$(pg_dir)"
  if [[ ! -s "$d/data/PG_VERSION" ]]; then
    log "postgres: initdb in $d/data"
    as_pg "$PG_BIN_DIR/initdb" -D "$d/data" -U postgres --encoding=UTF8 --no-locale \
      --auth-local=peer --auth-host=scram-sha-256 >"$d/initdb.log" 2>&1 ||
      { tail -n 20 "$d/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'lending-local.conf'" | as_pg tee -a "$d/data/postgresql.conf" >/dev/null
  fi
  as_pg mkdir -p "$d/socket"
  as_pg tee "$d/data/lending-local.conf" >/dev/null <<EOF
# generated by deploy/local/lib.sh at every start
listen_addresses = '127.0.0.1'
port = $STACK_PG_PORT
unix_socket_directories = '$d/socket'
max_connections = 200
fsync = off
$(printf '%s\n' "${STACK_PG_SETTINGS[@]}")
EOF
  log "postgres: starting on 127.0.0.1:$STACK_PG_PORT"
  # pg_ctl forks the server and leaves; setsid keeps it out of our terminal's process group.
  if ! as_pg setsid "$PG_BIN_DIR/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 60 start \
      >"$d/pg_ctl.log" 2>&1; then
    tail -n 20 "$d/postgres.log" "$d/pg_ctl.log" >&2 2>/dev/null || true
    die "postgres did not start"
  fi
  wait_postgres
  ensure_lending_database
}

psql_super() { as_pg "$PG_BIN_DIR/psql" -h "$(pg_dir)/socket" -p "$STACK_PG_PORT" -U postgres -X -q "$@"; }

wait_postgres() {
  local i
  for ((i = 0; i < 300; i++)); do
    as_pg "$PG_BIN_DIR/pg_isready" -q -h "$(pg_dir)/socket" -p "$STACK_PG_PORT" && {
      log "postgres: ready on 127.0.0.1:$STACK_PG_PORT"
      return 0
    }
    sleep 0.1
  done
  die "postgres did not become ready"
}

# role lending/lending (LOGIN) and database lending owned by it; idempotent.
ensure_lending_database() {
  psql_super -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lending') THEN
    CREATE ROLE lending LOGIN PASSWORD 'lending';
  ELSE
    ALTER ROLE lending LOGIN PASSWORD 'lending';
  END IF;
END
$$;
SELECT 'CREATE DATABASE lending OWNER lending'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'lending')\gexec
SQL
}

stop_postgres() {
  local pid
  if pid="$(postgres_pid)"; then
    log "postgres: stopping (pid $pid)"
    stop_pid "$pid" postgres INT 60 # SIGINT = fast shutdown
  fi
}

# ---------------------------------------------------------------------------------------------
# all three servers

start_servers() {
  mkdir -p "$STACK_STATE/logs"
  start_redis
  start_postgres
  start_rabbitmq
  start_smtp_sink
}

stop_servers() {
  stop_smtp_sink
  stop_rabbitmq
  stop_redis
  stop_postgres
}

# ---------------------------------------------------------------------------------------------
# SMTP sink (test stack only): a real SMTP server that files messages in the mail folder

smtp_sink_pid() { pidfile_pid "$STACK_STATE/smtp/smtp.pid" python3; }

start_smtp_sink() {
  [[ -n "${STACK_SMTP_PORT:-}" ]] || return 0
  local pid
  if pid="$(smtp_sink_pid)"; then
    log "smtp sink: already running (pid $pid, port $STACK_SMTP_PORT)"
    return 0
  fi
  require_port_free "$STACK_SMTP_PORT" "SMTP sink of the $STACK_NAME stack"
  mkdir -p "$STACK_STATE/smtp" "$STACK_MAIL_DIR"
  log "smtp sink: starting on 127.0.0.1:$STACK_SMTP_PORT"
  # Debian's own Python, which python3-aiosmtpd is installed for (not a pyenv or venv one).
  setsid nohup /usr/bin/python3 "$LENDING_ROOT/deploy/local/smtp-sink.py" --port "$STACK_SMTP_PORT" --dir "$STACK_MAIL_DIR" \
    >>"$STACK_STATE/logs/smtp.log" 2>&1 </dev/null &
  echo $! >"$STACK_STATE/smtp/smtp.pid"
  wait_port "$STACK_SMTP_PORT" 15 || die "the SMTP sink did not start (see $STACK_STATE/logs/smtp.log)"
}

stop_smtp_sink() {
  local pid
  if pid="$(smtp_sink_pid)"; then
    log "smtp sink: stopping (pid $pid)"
    stop_pid "$pid" "smtp sink" TERM 10
  fi
  rm -f "$STACK_STATE/smtp/smtp.pid"
}

# ---------------------------------------------------------------------------------------------
# JWT signing key (local dev / tests only): EC P-256, PKCS#8 PEM

ensure_jwt_key() {
  local f="$STACK_JWT_KEY"
  if [[ -s "$f" ]]; then return 0; fi
  mkdir -p "$(dirname "$f")"
  chmod 700 "$(dirname "$f")"
  (umask 077 && openssl ecparam -name prime256v1 -genkey -noout |
    openssl pkcs8 -topk8 -nocrypt -out "$f.tmp") || die "could not generate $f"
  mv "$f.tmp" "$f"
  log "generated the local JWT signing key $f"
}

# ---------------------------------------------------------------------------------------------
# services

instance_pidfile() { echo "$STACK_STATE/pids/$1.pid"; }
instance_log() { echo "$STACK_STATE/logs/$1.log"; }

# instance_pid INST: PID of the running instance (its argv[0] is the service's executable)
instance_pid() {
  local pid argv0
  pid="$(pidfile_pid "$(instance_pidfile "$1")")" || return 1
  argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)"
  [[ "$(basename -- "$argv0")" == "$(instance_service "$1")" ]] || return 1
  echo "$pid"
}

all_services_running() {
  local inst
  for inst in "${LENDING_INSTANCES[@]}"; do instance_pid "$inst" >/dev/null || return 1; done
}

# instance_env INST VAR: VAR from the running instance's environment
instance_env() {
  local pid
  pid="$(instance_pid "$1")" || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n "s/^$2=//p" | head -n 1
}

# Local-dev defaults; values already in the environment win.
bootstrap_defaults() {
  BOOTSTRAP_SUPER_ADMIN_EMAIL="${BOOTSTRAP_SUPER_ADMIN_EMAIL:-admin@lending.local}"
  # LOCAL-DEV DEFAULT ONLY: never use this password anywhere but a developer's own machine.
  BOOTSTRAP_SUPER_ADMIN_PASSWORD="${BOOTSTRAP_SUPER_ADMIN_PASSWORD:-local-dev-only-root-password}"
}

start_instance() {
  local inst="$1" svc bin pid
  svc="$(instance_service "$inst")"
  bin="$LENDING_BIN_DIR/$svc"
  if pid="$(instance_pid "$inst")"; then
    log "$inst: already running (pid $pid)"
    return 0
  fi
  [[ -x "$bin" ]] || die "$bin not found: build first (swift build)"
  local port
  port="$(instance_admin_port "$inst")"
  require_port_free "$port" "admin port of $inst"
  local vars=(
    "RABBITMQ_URL=$STACK_RABBITMQ_URL"
    "REDIS_URL=$STACK_REDIS_URL"
    "DATABASE_URL=$STACK_DATABASE_URL"
    "ADMIN_PORT=$port"
    "LOG_LEVEL=${LOG_LEVEL:-info}"
    "SERVICE_INSTANCE=$inst"
    "BIND_ADDRESS=127.0.0.1"
  )
  case "$svc" in
    gateway)
      local gateway_port
      gateway_port="$(instance_gateway_port "$inst")"
      require_port_free "$gateway_port" "$inst"
      vars+=("GATEWAY_PORT=$gateway_port" "BLOB_DIR=$STACK_STATE/blobs" "GATEWAY_WEB_ROOT=$LENDING_ROOT/Services/Gateway/Web"
        "${STACK_GATEWAY_SETTINGS[@]}")
      [[ "$inst" == gateway ]] || vars+=("${STACK_SECOND_GATEWAY_SETTINGS[@]}") ;;
    auth)
      bootstrap_defaults
      vars+=("AUTH_JWT_PRIVATE_KEY_FILE=$STACK_JWT_KEY"
        "BOOTSTRAP_SUPER_ADMIN_EMAIL=$BOOTSTRAP_SUPER_ADMIN_EMAIL"
        "BOOTSTRAP_SUPER_ADMIN_PASSWORD=$BOOTSTRAP_SUPER_ADMIN_PASSWORD" "${STACK_AUTH_SETTINGS[@]}") ;;
    loans)
      vars+=("${STACK_LOANS_SETTINGS[@]}") ;;
    approvals)
      vars+=("${STACK_APPROVALS_SETTINGS[@]}") ;;
    notifications)
      mkdir -p "$STACK_MAIL_DIR" "$STACK_SMS_DIR"
      vars+=("MAIL_DIR=$STACK_MAIL_DIR" "SMS_DIR=$STACK_SMS_DIR" "${STACK_NOTIFICATIONS_SETTINGS[@]}") ;;
    analysis-worker)
      vars+=("WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-4}") ;;
  esac
  mkdir -p "$STACK_STATE/logs" "$STACK_STATE/pids"
  local logf
  logf="$(instance_log "$inst")"
  printf '\n===== %s: starting %s =====\n' "$(date -u +%FT%TZ)" "$inst" >>"$logf"
  # setsid: own session, so a Ctrl-C in the terminal that started it does not reach it.
  (
    cd "$LENDING_ROOT" || exit 1
    # Per-service settings from the caller's environment reach only their own service.
    setsid nohup env -u GATEWAY_PORT -u AUTH_JWT_PRIVATE_KEY_FILE -u BOOTSTRAP_SUPER_ADMIN_EMAIL \
      -u BOOTSTRAP_SUPER_ADMIN_PASSWORD -u MAIL_DIR -u SMS_DIR -u WORKER_CONCURRENCY \
      "${vars[@]}" "$bin" >>"$logf" 2>&1 </dev/null &
    echo $! >"$(instance_pidfile "$inst")"
  )
  log "$inst: started (pid $(cat "$(instance_pidfile "$inst")"), admin port $port)"
}

start_services() {
  local inst
  ensure_web_assets || return 1
  for inst in "${LENDING_INSTANCES[@]}"; do start_instance "$inst"; done
}

# stop_services: SIGTERM to every instance at once, then wait for each (SIGKILL after 20 s).
stop_services() {
  local inst pid pids=() names=() i
  for inst in "${LENDING_INSTANCES[@]}"; do
    if pid="$(instance_pid "$inst")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("$inst")
    fi
    rm -f "$(instance_pidfile "$inst")"
  done
  ((${#pids[@]} == 0)) || log "stopping ${#pids[@]} service process(es): ${names[*]}"
  for i in "${!pids[@]}"; do stop_pid "${pids[$i]}" "${names[$i]}" TERM 20 || true; done
}

print_log_tails() { # print_log_tails [LINES]
  local n="${1:-40}" f inst
  for inst in "${LENDING_INSTANCES[@]}"; do
    f="$(instance_log "$inst")"
    [[ -f "$f" ]] || continue
    printf '\n----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
  done
}

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

# wait_gateway_ready TIMEOUT: until the gateway's /readyz answers 200; fails early when a
# service process dies.
wait_gateway_ready() {
  local timeout="${1:-120}" start=$SECONDS code="" inst url="http://127.0.0.1:$STACK_GATEWAY_PORT/readyz"
  log "waiting (at most ${timeout}s) for $url"
  while ((SECONDS - start < timeout)); do
    code="$(http_status "$url")"
    if [[ "$code" == 200 ]]; then
      log "gateway ready after $((SECONDS - start))s"
      return 0
    fi
    for inst in "${LENDING_INSTANCES[@]}"; do
      # (just started, argv[0] may still be setsid/nohup/env: only the PID is checked here)
      if ! pidfile_pid "$(instance_pidfile "$inst")" >/dev/null; then
        warn "$inst is not running (see $(instance_log "$inst"))"
        return 1
      fi
    done
    sleep 1
  done
  warn "$url did not answer 200 within ${timeout}s (last status: ${code:-none})"
  local p
  for inst in "${LENDING_INSTANCES[@]}"; do
    p="$(instance_admin_port "$inst")"
    warn "  $inst /readyz: $(http_status "http://127.0.0.1:$p/readyz")"
  done
  return 1
}

stop_stack() {
  stop_services
  stop_servers
}

# wipe_state: delete the (stopped) stack's state folder, and a PostgreSQL folder it links to.
wipe_state() {
  local d="$STACK_STATE/postgres"
  if [[ -L "$d" ]]; then rm -rf "$(readlink "$d")"; fi
  rm -rf "$STACK_STATE"
}
