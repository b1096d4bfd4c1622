#!/usr/bin/env bash
# Run a real single-node Apache Kafka (KRaft, combined broker+controller) on
# 127.0.0.1 for local dev and tests.
#
#   deploy/kafka.sh start|stop|status   (also: destroy = stop + delete data)
#
# Environment (defaults):
#   SSI_STATE_DIR          <repo>/.run/dev   data, kafka.log, kafka.pid
#   KAFKA_PORT             19092             PLAINTEXT listener (clients)
#   KAFKA_CONTROLLER_PORT  19093             KRaft controller listener
#   KAFKA_VERSION          4.1.1             org.apache.kafka:kafka_2.13 version
#   KAFKA_HEAP_OPTS        -Xms128m -Xmx512m
#   SSI_START_TIMEOUT / SSI_STOP_TIMEOUT     60 / 30 seconds
#   KAFKA_SASL_PORT        (unset)           optional SASL_PLAINTEXT listener (SCRAM-SHA-512) beside PLAINTEXT
#   KAFKA_SASL_USER / KAFKA_SASL_PASSWORD    the SCRAM user created on it (needed with KAFKA_SASL_PORT)
#
# Jars are fetched once with Maven (deploy/kafka/pom.xml) into
# <repo>/.cache/kafka-$KAFKA_VERSION/libs; storage is formatted once.
set -euo pipefail

SSI_COMPONENT=kafka   # prefix of our messages (used by common.sh)
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"

CACHE_DIR="$SSI_REPO_DIR/.cache/kafka-$KAFKA_VERSION"
LIBS_DIR="$CACHE_DIR/libs"
CONF_DIR="$SSI_STATE_DIR/kafka"
CONF_FILE="$CONF_DIR/server.properties"
DATA_DIR="$SSI_STATE_DIR/kafka-data"
LOG_FILE="$SSI_STATE_DIR/kafka.log"
PID_FILE="$SSI_STATE_DIR/kafka.pid"
FORMAT_STAMP="$CONF_DIR/formatted"   # for humans: cluster id + ports at format time

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA=java
fi

# Pid of our broker if it is running (checks the cmdline, not just the pid).
running_pid() {
  local pid
  pid="$(pid_alive "$PID_FILE")" || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"kafka.Kafka $CONF_FILE"* ]] || return 1
  printf '%s' "$pid"
}

check_java() {
  if ! command -v "$JAVA" >/dev/null 2>&1; then
    apt_install openjdk-17-jre-headless || true
  fi
  command -v "$JAVA" >/dev/null 2>&1 || die "Java 17+ not found (install a JDK/JRE 17+, or set JAVA_HOME)"
  local v major
  v="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${v%%.*}"
  [ "$major" = 1 ] && major="$(echo "$v" | cut -d. -f2)"   # 1.8 -> 8
  if ! [[ "$major" =~ ^[0-9]+$ ]] || [ "$major" -lt 17 ]; then
    die "Java 17+ not found (found '$("$JAVA" -version 2>&1 | head -n1)'); Kafka $KAFKA_VERSION needs 17+"
  fi
}

# Fetch the broker jars once (serialised across instances by a lock).
provision_libs() {
  [ -f "$LIBS_DIR/.complete" ] && return 0
  mkdir -p "$CACHE_DIR"
  (
    lock_or_die "$CACHE_DIR/.lock" 900
    [ -f "$LIBS_DIR/.complete" ] && exit 0
    if ! command -v mvn >/dev/null 2>&1; then
      apt_install maven || true
    fi
    command -v mvn >/dev/null 2>&1 || die "Maven (mvn) not found: needed once to fetch the Kafka jars"
    log "fetching Kafka $KAFKA_VERSION jars with Maven (one-time) into $LIBS_DIR"
    local tmp="$CACHE_DIR/libs.tmp.$$" mvnlog="$CACHE_DIR/mvn.log"
    rm -rf "$tmp"
    if ! mvn -q -B -Dstyle.color=never -f "$SSI_DEPLOY_DIR/kafka/pom.xml" \
        -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
        >"$mvnlog" 2>&1; then
      tail -n 30 "$mvnlog" | sed 's/\x1b\[[0-9;]*m//g' >&2
      rm -rf "$tmp"
      die "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (full log: $mvnlog)"
    fi
    ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka_2.13 jar after Maven run (see $mvnlog)"
    touch "$tmp/.complete"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
  )
}

# JVM flags shared by the broker and the storage tool.
# shellcheck disable=SC2206  # KAFKA_HEAP_OPTS is a list of flags
JVM_OPTS=($KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true -Dlog4j2.shutdownHookEnabled=false
  -Dlog4j2.configurationFile="$SSI_DEPLOY_DIR/kafka/log4j2.properties"
  -XX:ErrorFile="$SSI_STATE_DIR/kafka-hs_err_%p.log"
  -cp "$LIBS_DIR/*")

java_cmd() { "$JAVA" "${JVM_OPTS[@]}" "$@"; }

# --- optional SASL listener (SCRAM-SHA-512): only with KAFKA_SASL_PORT set ----------------------------
sasl_enabled() { [ -n "${KAFKA_SASL_PORT:-}" ]; }

sasl_listener() { if sasl_enabled; then printf ',SASL://127.0.0.1:%s' "$KAFKA_SASL_PORT"; fi; }

sasl_config() {
  sasl_enabled || return 0
  [ -n "${KAFKA_SASL_USER:-}" ] && [ -n "${KAFKA_SASL_PASSWORD:-}" ] ||
    die "KAFKA_SASL_PORT needs KAFKA_SASL_USER and KAFKA_SASL_PASSWORD"
  printf '\n# SASL_PLAINTEXT listener with SCRAM-SHA-512 (KAFKA_SASL_PORT); the user is created at start\n'
  printf 'sasl.enabled.mechanisms=SCRAM-SHA-512\n'
  printf 'listener.name.sasl.scram-sha-512.sasl.jaas.config=%s\n' \
    'org.apache.kafka.common.security.scram.ScramLoginModule required;'
}

# Create (or update) the SCRAM user through the PLAINTEXT listener once the broker is up.
sasl_create_user() {
  sasl_enabled || return 0
  if ! java_cmd kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter \
      --add-config "SCRAM-SHA-512=[iterations=4096,password=$KAFKA_SASL_PASSWORD]" \
      --entity-type users --entity-name "$KAFKA_SASL_USER" >>"$LOG_FILE" 2>&1; then
    tail -n 20 "$LOG_FILE" >&2
    die "could not create the SCRAM user $KAFKA_SASL_USER (see $LOG_FILE)"
  fi
  log "SASL_PLAINTEXT (SCRAM-SHA-512) listener at 127.0.0.1:$KAFKA_SASL_PORT, user $KAFKA_SASL_USER"
}

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR"
  cat >"$CONF_FILE" <<EOF
# Generated by deploy/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT$(sasl_listener)
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT$(sasl_listener)
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$DATA_DIR

# Single node: every replication factor / ISR is 1.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
num.partitions=4
auto.create.topics.enable=true
delete.topic.enable=true

# Small footprint (2 cores shared with Postgres and the Python services).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
offsets.topic.num.partitions=10
log.retention.hours=24
log.segment.bytes=67108864
$(sasl_config)
EOF
}

format_storage() {
  # Already formatted? (A single voter copes with a changed controller port.)
  [ -f "$DATA_DIR/meta.properties" ] && return 0
  local cluster_id
  # stdout may also carry log lines: keep the one that looks like an id.
  cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid 2>>"$LOG_FILE" |
    grep -E '^[A-Za-z0-9_-]{22}$' | tail -n1 || true)"
  [ -n "$cluster_id" ] || die "could not generate a cluster id (see $LOG_FILE)"
  log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id)"
  if ! java_cmd kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONF_FILE" \
      >>"$LOG_FILE" 2>&1; then
    tail -n 20 "$LOG_FILE" >&2
    die "storage format failed (see $LOG_FILE)"
  fi
  printf 'cluster_id=%s\ncontroller_port=%s\n' "$cluster_id" "$KAFKA_CONTROLLER_PORT" >"$FORMAT_STAMP"
}

# Wait until the broker logged that it started (after byte offset $2 of the
# log) and the client port accepts connections.
wait_ready() {
  local pid="$1" offset="$2" deadline=$((SECONDS + SSI_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! proc_alive "$pid"; then
      tail -n 30 "$LOG_FILE" >&2
      rm -f "$PID_FILE"
      die "broker exited during startup (see $LOG_FILE)"
    fi
    if grep -q "Kafka Server started" < <(tail -c +"$((offset + 1))" "$LOG_FILE") &&
        port_open "$KAFKA_PORT"; then
      return 0
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG_FILE" >&2
  die "broker not ready after ${SSI_START_TIMEOUT}s (pid $pid still running; see $LOG_FILE)"
}

cmd_start() {
  lock_or_die "$SSI_STATE_DIR/.kafka.lock"
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: already running (pid $pid) at 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  check_java
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" ${KAFKA_SASL_PORT:+"$KAFKA_SASL_PORT"}; do
    if port_open "$p"; then
      die "port $p on 127.0.0.1 is already in use by another process"
    fi
  done
  provision_libs
  write_config
  touch "$LOG_FILE"
  format_storage

  local offset
  offset="$(stat -c %s "$LOG_FILE")"
  rm -f "$PID_FILE"
  # New session (setsid) so the broker survives the calling shell; exec keeps
  # the pid written to the pid file equal to the JVM's. fd 9 (our lock) is
  # closed so the broker does not keep holding it; cwd is the state dir.
  # shellcheck disable=SC2016  # $$ and $@ are for the inner bash
  setsid bash -c 'echo $$ >"$1"; cd "$2"; shift 2; exec "$@"' _ "$PID_FILE" "$SSI_STATE_DIR" \
    "$JAVA" "${JVM_OPTS[@]}" kafka.Kafka "$CONF_FILE" \
    </dev/null >>"$LOG_FILE" 2>&1 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [ -n "$pid" ] && break
    sleep 0.1
  done
  [ -n "$pid" ] || die "could not start the broker (no pid file)"
  wait_ready "$pid" "$offset"
  sasl_create_user
  echo "kafka: running (pid $pid) at 127.0.0.1:$KAFKA_PORT, Kafka $KAFKA_VERSION, log $LOG_FILE"
}

cmd_stop() {
  lock_or_die "$SSI_STATE_DIR/.kafka.lock"
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "kafka: not running"
    return 0
  fi
  terminate_pid "$pid" "$SSI_STOP_TIMEOUT" TERM
  rm -f "$PID_FILE"
  echo "kafka: stopped (was pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) at 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  echo "kafka: stopped"
  return 3
}

# Extra: stop and delete this instance's data (the jar cache is kept).
cmd_destroy() {
  cmd_stop
  rm -rf "$DATA_DIR" "$CONF_DIR" "$PID_FILE"
  echo "kafka: data removed from $SSI_STATE_DIR"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  destroy) cmd_destroy ;;
  *) usage ;;
esac
