# shellcheck shell=bash
# Shared functions for deploy/local/{up,down,test,bench,chaos,cluster,kill-test-server,kill-test-instance}. Source it, don't run it.
#
# A "stack" is RabbitMQ + Redis + PostgreSQL + the 7 services (9 processes: two analysis workers
# and two gateways), running as plain background processes on 127.0.0.1, with every byte of state
# under one folder:
#   dev  -> <repo>/.run       test -> <repo>/.run-test       bench -> <repo>/.run-bench
#   cluster -> <repo>/.run-cluster: three RabbitMQ nodes, Redis with a replica and three
#   sentinels, and two replicas of every service (14 processes)
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
  # One broker node and one Redis; the cluster stack changes these.
  STACK_RABBITMQ_NODES=1 STACK_REDIS_SENTINEL_PORT=""
  # Settings every service of the stack gets.
  STACK_SERVICE_SETTINGS=()
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
    cluster)
      # What production runs, on loopback: three RabbitMQ nodes, Redis with a replica and three
      # sentinels, and two replicas of every service. The fault scenarios of a lost node run here.
      STACK_STATE="$LENDING_ROOT/.run-cluster"
      STACK_RABBITMQ_PORT=5676 STACK_EPMD_PORT=4373 STACK_REDIS_PORT=6383 STACK_PG_PORT=5436
      STACK_GATEWAY_PORT=8380 STACK_ADMIN_BASE=9400 STACK_RABBITMQ_NODES=3 STACK_REDIS_SENTINEL_PORT=26383
      LENDING_INSTANCES=(gateway auth loans approvals analysis-worker-1 notifications analytics analysis-worker-2 gateway-2
        auth-2 loans-2 approvals-2 notifications-2 analytics-2)
      # A classic queue would live on one node, and no replica could declare it while that node
      # is down (docs/DECISIONS.md).
      STACK_SERVICE_SETTINGS=("RABBITMQ_RPC_QUEUE_TYPE=quorum")
      # As the test stack, since the fault scenarios run here, with budgets out of the way on both
      # gateways: the streams are many requests from one address.
      STACK_GATEWAY_SETTINGS=("GATEWAY_TRUSTED_PROXIES=127.0.0.1" "GATEWAY_RATE_LIMIT_PER_IP=1000000000"
        "GATEWAY_RATE_LIMIT_PER_USER=1000000000" "GATEWAY_RATE_LIMIT_SIGN_IN_PER_IP=1000000000"
        "GATEWAY_RATE_LIMIT_SIGN_IN_PER_ACCOUNT=1000000000")
      STACK_SECOND_GATEWAY_SETTINGS=()
      STACK_AUTH_SETTINGS=("AUTH_MFA_REQUIRED_ROLES=manager" "AUTH_BCRYPT_COST=10")
      STACK_LOANS_SETTINGS=("LOANS_OVERDUE_SWEEP_SECONDS=1")
      STACK_APPROVALS_SETTINGS=("APPROVALS_SLA_SWEEP_SECONDS=1")
      STACK_SMTP_PORT=2527
      STACK_NOTIFICATIONS_SETTINGS=("NOTIFICATIONS_WEBHOOK_RETRY_BASE_MS=200" "SMTP_URL=smtp://127.0.0.1:$STACK_SMTP_PORT"
        "SMTP_STARTTLS=none" "WEBHOOK_ALLOW_HTTP=true" "WEBHOOK_ALLOWED_INTERNAL_ADDRESSES=127.0.0.2") ;;
    *) die "unknown stack '$1' (dev, test, bench or cluster)" ;;
  esac
  [[ -z "${2:-}" ]] || STACK_STATE="$2"
  local n
  STACK_RABBITMQ_URL=""
  for ((n = 0; n < STACK_RABBITMQ_NODES; n++)); do
    STACK_RABBITMQ_URL+="${STACK_RABBITMQ_URL:+,}amqp://guest:guest@127.0.0.1:$((STACK_RABBITMQ_PORT + n))"
  done
  if [[ -n "$STACK_REDIS_SENTINEL_PORT" ]]; then
    STACK_REDIS_URL="redis+sentinel://127.0.0.1:$STACK_REDIS_SENTINEL_PORT,127.0.0.1:$((STACK_REDIS_SENTINEL_PORT + 1)),"
    STACK_REDIS_URL+="127.0.0.1:$((STACK_REDIS_SENTINEL_PORT + 2))/lending"
  else
    STACK_REDIS_URL="redis://127.0.0.1:$STACK_REDIS_PORT"
  fi
  STACK_DATABASE_URL="postgres://lending:lending@127.0.0.1:$STACK_PG_PORT/lending"
  STACK_MAIL_DIR="$STACK_STATE/mail"
  STACK_SMS_DIR="$STACK_STATE/sms"
  STACK_JWT_KEY="$STACK_STATE/keys/jwt-es256.pem"
}

instance_service() { # analysis-worker-2 -> analysis-worker, loans-2 -> loans
  echo "${1%-[0-9]}"
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

# crash_pid NAME PID...: SIGKILL, as a crash or a lost machine would end them: no shutdown, no
# flush, no goodbye to clients. Waits until every one is gone.
crash_pid() {
  local name="$1" pid i
  shift
  log "$name: SIGKILL (pid $*)"
  kill -KILL "$@" 2>/dev/null || true
  for pid in "$@"; do
    for ((i = 0; i < 100; i++)); do pid_alive "$pid" || break; sleep 0.05; done
  done
}

# process_tree PID: PID and its descendants (the processes a crash of the server takes along).
process_tree() {
  local child
  echo "$1"
  for child in $(pgrep -P "$1" 2>/dev/null); do process_tree "$child"; done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port_closed PORT: the kernel closes a dead process's sockets as it reaps it, a moment
# after the process stops running; a new one could not listen before.
wait_port_closed() {
  for _ in $(seq 100); do port_in_use "$1" || return 0; sleep 0.05; done
}

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
#
# A stack runs STACK_RABBITMQ_NODES nodes: 1, or 3 clustered (the cluster stack). Node N listens
# on STACK_RABBITMQ_PORT + N - 1 and keeps its state in its own folder; every node of a stack
# shares one epmd and one Erlang cookie. Functions that act on one node take its number (1 when
# omitted).

rabbitmq_node_dir() { if ((STACK_RABBITMQ_NODES == 1)); then echo "$STACK_STATE/rabbitmq"; else echo "$STACK_STATE/rabbitmq-${1:-1}"; fi; }
rabbitmq_node_name() { if ((STACK_RABBITMQ_NODES == 1)); then echo "lending-$STACK_NAME@localhost"; else echo "lending-$STACK_NAME-${1:-1}@localhost"; fi; }
rabbitmq_node_port() { echo $((STACK_RABBITMQ_PORT + ${1:-1} - 1)); }

# rabbitmq_env_vars [N]: fills RABBITMQ_ENV (VAR=value words) with node N's environment.
rabbitmq_env_vars() {
  local n="${1:-1}" d
  d="$(rabbitmq_node_dir "$n")"
  RABBITMQ_ENV=(
    "HOME=$d" LANG=C.UTF-8 LC_ALL=C.UTF-8
    "RABBITMQ_NODENAME=$(rabbitmq_node_name "$n")"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    "RABBITMQ_NODE_PORT=$(rabbitmq_node_port "$n")"
    "RABBITMQ_DIST_PORT=$(($(rabbitmq_node_port "$n") + 20000))"
    # No busy-waiting schedulers: three nodes share two cores with everything else.
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none"
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

rabbitmq_env() { # rabbitmq_env N CMD...: runs CMD (in the foreground) with node N's environment
  rabbitmq_env_vars "$1"
  shift
  env "${RABBITMQ_ENV[@]}" "$@"
}

rabbitmqctl_stack() { rabbitmq_env 1 "$RABBITMQ_BIN_DIR/rabbitmqctl" "$@"; }

rabbitmq_pid() { pidfile_pid "$(rabbitmq_node_dir "${1:-1}")/rabbitmq.pid" beam; }
epmd_pid() { pidfile_pid "$STACK_STATE/epmd.pid" epmd; }

# A private epmd on its own port, started by us in the foreground (not -daemon) so it has a PID.
start_epmd() {
  local epmd
  epmd_pid >/dev/null && return 0
  require_port_free "$STACK_EPMD_PORT" "epmd of the $STACK_NAME stack"
  epmd="$(command -v epmd || echo /usr/lib/erlang/bin/epmd)"
  mkdir -p "$STACK_STATE/logs"
  setsid nohup "$epmd" -port "$STACK_EPMD_PORT" -address 127.0.0.1 \
    >>"$STACK_STATE/logs/epmd.log" 2>&1 </dev/null &
  echo $! >"$STACK_STATE/epmd.pid"
  wait_port "$STACK_EPMD_PORT" 10 || die "epmd did not listen on $STACK_EPMD_PORT"
}

# start_rabbitmq: every node of the stack; the nodes of a cluster join the first one the first
# time they start, and find their cluster again by themselves after that.
start_rabbitmq() {
  local n
  for ((n = 1; n <= STACK_RABBITMQ_NODES; n++)); do
    start_rabbitmq_node "$n"
    ((n == 1)) || join_rabbitmq_cluster "$n"
  done
}

start_rabbitmq_node() {
  local n="${1:-1}" d port pid
  d="$(rabbitmq_node_dir "$n")" port="$(rabbitmq_node_port "$n")"
  if pid="$(rabbitmq_pid "$n")"; then
    log "rabbitmq: $(rabbitmq_node_name "$n") already running (pid $pid, port $port)"
    return 0
  fi
  require_port_free "$port" "RabbitMQ of the $STACK_NAME stack"
  require_port_free "$((port + 20000))" "RabbitMQ distribution of the $STACK_NAME stack"
  mkdir -p "$d/mnesia" "$d/log"
  chmod 700 "$d"
  cat >"$d/rabbitmq.conf" <<CONF
# generated by deploy/local/lib.sh
listeners.tcp.default = 127.0.0.1:$port
loopback_users.guest = true
log.console = false
log.file.level = info
CONF
  echo '[].' >"$d/enabled_plugins"
  echo '[].' >"$d/advanced.config"
  : >"$d/rabbitmq-env.conf"
  # The nodes of a stack share one cookie, so they can cluster and one rabbitmqctl reaches all.
  [[ -s "$STACK_STATE/erlang.cookie" ]] || (umask 077 && openssl rand -hex 20 >"$STACK_STATE/erlang.cookie")
  install -m 400 "$STACK_STATE/erlang.cookie" "$d/.erlang.cookie"
  rm -f "$d/rabbitmq.pid"
  start_epmd
  log "rabbitmq: starting $(rabbitmq_node_name "$n") on 127.0.0.1:$port"
  rabbitmq_env_vars "$n"
  # A simple command run with & is forked and exec'd directly, so $! is the process itself.
  (
    cd "$d" || exit 1
    setsid nohup env "${RABBITMQ_ENV[@]}" "$RABBITMQ_BIN_DIR/rabbitmq-server" \
      >>"$d/log/console.log" 2>&1 </dev/null &
    echo $! >"$d/rabbitmq-server.pid"
  )
  wait_rabbitmq "$n"
}

wait_rabbitmq() {
  local n="${1:-1}" d
  d="$(rabbitmq_node_dir "$n")"
  if ! rabbitmq_env "$n" timeout 90 "$RABBITMQ_BIN_DIR/rabbitmqctl" -q wait --timeout 80 \
      "$d/rabbitmq.pid" >>"$d/log/wait.log" 2>&1 || ! wait_port "$(rabbitmq_node_port "$n")" 10; then
    tail -n 30 "$d/log/console.log" "$d/log/wait.log" >&2 2>/dev/null || true
    die "rabbitmq $(rabbitmq_node_name "$n") did not start (logs: $d/log)"
  fi
  log "rabbitmq: $(rabbitmq_node_name "$n") ready on 127.0.0.1:$(rabbitmq_node_port "$n")"
}

# join_rabbitmq_cluster N: node N joins node 1's cluster, once (a restarted node finds it again).
join_rabbitmq_cluster() {
  local n="$1" d ctl
  d="$(rabbitmq_node_dir "$n")"
  [[ -e "$d/joined" ]] && return 0
  ctl=(rabbitmq_env "$n" "$RABBITMQ_BIN_DIR/rabbitmqctl" -q -n "$(rabbitmq_node_name "$n")")
  { "${ctl[@]}" stop_app && "${ctl[@]}" join_cluster "$(rabbitmq_node_name 1)" && "${ctl[@]}" start_app; } \
    >>"$d/log/join.log" 2>&1 || { tail -n 20 "$d/log/join.log" >&2; die "$(rabbitmq_node_name "$n") could not join the cluster"; }
  touch "$d/joined"
  log "rabbitmq: $(rabbitmq_node_name "$n") joined $(rabbitmq_node_name 1)"
}

# stop_rabbitmq: every node, then epmd.
stop_rabbitmq() {
  local n pid d
  for ((n = STACK_RABBITMQ_NODES; n >= 1; n--)); do
    d="$(rabbitmq_node_dir "$n")"
    if pid="$(rabbitmq_pid "$n")"; then
      log "rabbitmq: stopping $(rabbitmq_node_name "$n") (pid $pid)"
      stop_pid "$pid" rabbitmq TERM 60
    fi
    forget_rabbitmq_node "$n"
  done
  if pid="$(epmd_pid)"; then
    stop_pid "$pid" epmd TERM 10
    rm -f "$STACK_STATE/epmd.pid"
  fi
}

# crash_rabbitmq [N]: kills node N (the Erlang VM and its helpers) with SIGKILL; epmd stays.
crash_rabbitmq() {
  local n="${1:-1}" pid
  if pid="$(rabbitmq_pid "$n")"; then
    # shellcheck disable=SC2046 # one PID per word
    crash_pid "rabbitmq $(rabbitmq_node_name "$n")" $(process_tree "$pid")
  fi
  forget_rabbitmq_node "$n"
  wait_port_closed "$(rabbitmq_node_port "$n")"
}

# forget_rabbitmq_node N: once node N's VM is gone, its start script (which waited on it) and
# PID files go too.
forget_rabbitmq_node() {
  local d pid
  d="$(rabbitmq_node_dir "$1")"
  if pid="$(pidfile_pid "$d/rabbitmq-server.pid")"; then stop_pid "$pid" rabbitmq-server-script TERM 10; fi
  rm -f "$d/rabbitmq.pid" "$d/rabbitmq-server.pid"
}

# Every quorum queue has a member on every node, each of them online (after a node came back).
quorum_queues_fully_replicated() {
  local listing
  listing="$(rabbitmqctl_stack -q list_queues name type members online --formatter json 2>/dev/null)" || return 1
  /usr/bin/python3 -c '
import json, sys
nodes = int(sys.argv[1])
queues = [q for q in json.loads(sys.stdin.read()) if q["type"] == "quorum"]
short = [q["name"] for q in queues if len(q["members"]) < nodes or len(q["online"]) < nodes]
if short: sys.exit("not fully replicated: " + ", ".join(short))
print(f"{len(queues)} quorum queues, each on {nodes} nodes, all online")
' "$STACK_RABBITMQ_NODES" <<<"$listing"
}

# ---------------------------------------------------------------------------------------------
# Redis
#
# The cluster stack runs two servers, "a" (the primary at first) and "b" (its replica), and three
# sentinels that fail over between them (STACK_REDIS_SENTINEL_PORT set); the other stacks run one
# server, "main". Functions that act on one server take its name ("main" when omitted).

redis_servers() { if [[ -n "$STACK_REDIS_SENTINEL_PORT" ]]; then echo a b; else echo main; fi; }
redis_server_dir() { if [[ "${1:-main}" == main ]]; then echo "$STACK_STATE/redis"; else echo "$STACK_STATE/redis-$1"; fi; }
redis_server_port() { if [[ "${1:-main}" == b ]]; then echo $((STACK_REDIS_PORT + 1)); else echo "$STACK_REDIS_PORT"; fi; }
redis_pid() { pidfile_pid "$(redis_server_dir "${1:-main}")/redis.pid" redis-server; }
# The name Sentinel monitors the primary by (in the services' redis+sentinel:// URL).
REDIS_SENTINEL_PRIMARY=lending

start_redis() {
  local name
  for name in $(redis_servers); do start_redis_server "$name"; done
  [[ -z "$STACK_REDIS_SENTINEL_PORT" ]] || start_sentinels
}

# start_redis_server NAME: a server of the stack; in the cluster stack a server that is not the
# primary Sentinel names starts as its replica.
start_redis_server() {
  local name="${1:-main}" d port pid replica_of=() primary
  d="$(redis_server_dir "$name")" port="$(redis_server_port "$name")"
  if pid="$(redis_pid "$name")"; then
    log "redis $name: already running (pid $pid, port $port)"
    return 0
  fi
  require_port_free "$port" "Redis of the $STACK_NAME stack"
  mkdir -p "$d" "$STACK_STATE/logs"
  rm -f "$d/redis.pid"
  if [[ -n "$STACK_REDIS_SENTINEL_PORT" ]]; then
    primary="$(redis_primary_port)" || primary="$(redis_server_port a)"
    [[ "$primary" == "$port" ]] || replica_of=(--replicaof 127.0.0.1 "$primary")
  fi
  log "redis $name: starting on 127.0.0.1:$port${replica_of:+ as a replica of 127.0.0.1:$primary}"
  # An append-only file flushed every second: a crash (SIGKILL, power) costs at most the last
  # second of writes, where snapshots alone lost everything since the last one. A replica gets
  # its first copy at once, not after the default 5 s wait for other replicas.
  redis-server --port "$port" --bind 127.0.0.1 --dir "$d" --daemonize yes \
    --appendonly yes --appendfsync everysec --repl-diskless-sync-delay 0 "${replica_of[@]}" \
    --pidfile "$d/redis.pid" --logfile "$STACK_STATE/logs/redis-$name.log" >/dev/null
  wait_redis "$port" "$STACK_STATE/logs/redis-$name.log"
}

wait_redis() { # wait_redis PORT LOG
  local i
  for ((i = 0; i < 100; i++)); do
    [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]] && {
      log "redis: ready on 127.0.0.1:$1"
      return 0
    }
    sleep 0.1
  done
  tail -n 20 "$2" >&2 2>/dev/null || true
  die "redis did not start on port $1"
}

sentinel_port() { echo $((STACK_REDIS_SENTINEL_PORT + $1 - 1)); }
sentinel_pid() { pidfile_pid "$STACK_STATE/sentinel-$1/sentinel.pid" redis-server; }

# Three sentinels, a quorum of two, quick to act: a primary silent for a second is failed over.
# Each rewrites its own configuration as it learns the replicas and the other sentinels, so it is
# written only at the first start.
start_sentinels() {
  local i d port
  for i in 1 2 3; do
    d="$STACK_STATE/sentinel-$i" port="$(sentinel_port "$i")"
    sentinel_pid "$i" >/dev/null && continue
    require_port_free "$port" "Redis sentinel of the $STACK_NAME stack"
    mkdir -p "$d"
    [[ -s "$d/sentinel.conf" ]] || cat >"$d/sentinel.conf" <<CONF
port $port
bind 127.0.0.1
daemonize yes
pidfile $d/sentinel.pid
logfile $STACK_STATE/logs/sentinel-$i.log
dir $d
sentinel monitor $REDIS_SENTINEL_PRIMARY 127.0.0.1 $(redis_server_port a) 2
sentinel down-after-milliseconds $REDIS_SENTINEL_PRIMARY 1000
sentinel failover-timeout $REDIS_SENTINEL_PRIMARY 10000
sentinel parallel-syncs $REDIS_SENTINEL_PRIMARY 1
CONF
    redis-server "$d/sentinel.conf" --sentinel >/dev/null
    wait_redis "$port" "$STACK_STATE/logs/sentinel-$i.log"
  done
}

stop_sentinels() {
  local i pid
  for i in 1 2 3; do
    if pid="$(sentinel_pid "$i")"; then stop_pid "$pid" "sentinel $i" TERM 10; fi
  done
}

# The port of the primary as the first sentinel that answers names it.
redis_primary_port() {
  local i reply
  for i in 1 2 3; do
    reply="$(redis-cli -h 127.0.0.1 -p "$(sentinel_port "$i")" sentinel get-master-addr-by-name "$REDIS_SENTINEL_PRIMARY" 2>/dev/null | sed -n 2p)"
    [[ "$reply" =~ ^[0-9]+$ ]] && { echo "$reply"; return 0; }
  done
  return 1
}

# redis_primary_name: "a" or "b", whichever Sentinel names the primary now.
redis_primary_name() {
  local port
  port="$(redis_primary_port)" || return 1
  if [[ "$port" == "$(redis_server_port b)" ]]; then echo b; else echo a; fi
}

# crash_redis [NAME]: SIGKILL, as a crash would end it.
crash_redis() {
  local name="${1:-main}" pid
  if pid="$(redis_pid "$name")"; then crash_pid "redis $name" "$pid"; fi
  rm -f "$(redis_server_dir "$name")/redis.pid"
  wait_port_closed "$(redis_server_port "$name")"
}

stop_redis() {
  local name pid
  [[ -z "$STACK_REDIS_SENTINEL_PORT" ]] || stop_sentinels
  for name in $(redis_servers); do
    if pid="$(redis_pid "$name")"; then
      log "redis $name: stopping (pid $pid)"
      stop_pid "$pid" redis TERM 30
    fi
    rm -f "$(redis_server_dir "$name")/redis.pid"
  done
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

# crash_postgres: the postmaster and every backend at once, as a lost machine would. They share
# the session `setsid` gave the server, which also catches a backend forked while they die.
crash_postgres() {
  local pid session
  if pid="$(postgres_pid)"; then
    session="$(ps -o sid= -p "$pid" | tr -d ' ')"
    log "postgres: SIGKILL (session $session)"
    for _ in $(seq 40); do
      pkill -KILL -s "$session" 2>/dev/null || break
      sleep 0.05
    done
    # Until PID 1 reaps it, the dead postmaster is a zombie that the new one would take for a
    # live one named in its lock files; every process of the server is gone, so they are stale.
    as_pg rm -f "$(pg_dir)/data/postmaster.pid" "$(pg_dir)/socket/.s.PGSQL.$STACK_PG_PORT.lock"
  fi
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
    "${STACK_SERVICE_SETTINGS[@]}"
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

# crash_instance INST: SIGKILL, no shutdown, no acks; returns once its ports are free again.
crash_instance() {
  local pid
  pid="$(instance_pid "$1")" || die "$1 is not running"
  crash_pid "$1" "$pid"
  wait_port_closed "$(instance_admin_port "$1")"
  rm -f "$(instance_pidfile "$1")"
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
