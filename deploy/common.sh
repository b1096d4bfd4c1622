# Shared helpers for deploy/kafka.sh and deploy/postgres.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034  # variables here are used by the callers

SSI_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SSI_DEPLOY_DIR="$SSI_REPO_DIR/deploy"

# Where data dirs, logs and pid files go (absolute, created on demand).
SSI_STATE_DIR="${SSI_STATE_DIR:-$SSI_REPO_DIR/.run/dev}"
mkdir -p "$SSI_STATE_DIR"
SSI_STATE_DIR="$(cd "$SSI_STATE_DIR" && pwd -P)"
export SSI_STATE_DIR

# Bounded waits (seconds).
SSI_START_TIMEOUT="${SSI_START_TIMEOUT:-60}"
SSI_STOP_TIMEOUT="${SSI_STOP_TIMEOUT:-30}"

log() { printf '%s: %s\n' "$SSI_COMPONENT" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SSI_COMPONENT" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Install Debian packages non-interactively (only as root, only if apt exists,
# never with SSI_NO_APT=1).
apt_install() {
  [ -z "${SSI_NO_APT:-}" ] && is_root && command -v apt-get >/dev/null 2>&1 || return 1
  log "installing $* with apt-get (one-time)"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${SSI_APT_UPDATED:-}" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || return 1
    SSI_APT_UPDATED=1
  fi
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >&2
}

# Take an exclusive lock for the rest of the script (fd 9). Serialises
# concurrent start/stop calls on the same instance.
lock_or_die() {
  local file="$1"
  exec 9>"$file"
  flock -w "${2:-300}" 9 || die "timed out waiting for lock $file"
}

# True if something accepts TCP connections on 127.0.0.1:$1 (no external tools).
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True if process $1 exists and is not a zombie (a killed server can stay a
# zombie for a moment until it is reaped).
proc_alive() {
  local state
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  state="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}

# Read a pid from a pid file; succeed (printing it) only if it is alive.
pid_alive() {
  local pid
  pid="$(head -n1 "$1" 2>/dev/null || true)"
  proc_alive "$pid" && printf '%s' "$pid"
}

# Send SIGTERM (or $3) to pid $1, wait up to $2 s, then SIGKILL.
terminate_pid() {
  local pid="$1" timeout="$2" sig="${3:-TERM}" i
  kill -"$sig" "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 5; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.2
  done
  log "pid $pid still alive after ${timeout}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.2
  done
  die "could not kill pid $pid"
}

# Short stable hash of a string (used to name per-instance fallback dirs).
short_hash() { printf '%s' "$1" | sha1sum | cut -c1-10; }

usage() { echo "usage: $0 start|stop|status|destroy" >&2; exit 2; }
