#!/usr/bin/env bash
# Start an embedded Neo4j 5.26 Community (Bolt on 127.0.0.1:PORT, no auth, no TLS) in the background.
#   usage: start.sh PORT [HOME_DIR]
# Builds the launcher if needed, waits until Bolt answers, then prints the server PID as the
# LAST line of stdout (everything else goes to stderr). Stop it with: kill PID
# Without HOME_DIR the server uses a fresh temp dir, deleted on shutdown.
# Env: NEO4J_START_TIMEOUT (s, default 120), NEO4J_LOG_FILE (default target/neo4j-PORT.log),
#      NEO4J_JAVA_OPTS (extra JVM options), JAVA_HOME,
#      NEO4J_AUTH_PASSWORD (8+ chars: auth on, user neo4j with this password; default auth off),
#      NEO4J_PAGECACHE_MB (page cache, default 256).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${1:-}"
HOME_DIR="${2:-}"
TIMEOUT="${NEO4J_START_TIMEOUT:-120}"

if [[ ! "$PORT" =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  echo "usage: $0 PORT [HOME_DIR]" >&2
  exit 2
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Bolt handshake: magic 0x6060B017 + 4 proposed versions (5.8..5.0, 4.4..4.2, none, none);
# a Bolt server replies with 4 bytes.
bolt_answers() {
  local reply
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf '\x60\x60\xb0\x17\x00\x08\x08\x05\x00\x02\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00' >&3
    timeout 5 head -c 4 <&3 | od -An -tx1 | tr -d ' \n'
  )" || return 1
  [[ ${#reply} -eq 8 ]]
}

if port_open "$PORT"; then
  echo "neo4j_server/start.sh: port $PORT on 127.0.0.1 is already in use" >&2
  exit 1
fi

"$DIR/build.sh" >&2

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
LOG="${NEO4J_LOG_FILE:-$DIR/target/neo4j-$PORT.log}"
mkdir -p "$(dirname "$LOG")"

# --add-opens: lets Neo4j use native/direct I/O paths instead of warning and falling back
# (same flags the Neo4j 5 distribution puts in neo4j.conf).
JVM_OPTS=(
  -Xms1g -Xmx1g
  -XX:+UseG1GC
  -XX:-OmitStackTraceInFastThrow
  -Djdk.nio.maxCachedBufferSize=1024
  -Dio.netty.tryReflectionSetAccessible=true
  -Dlog4j2.disable.jmx=true
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
)
# shellcheck disable=SC2206
EXTRA_OPTS=(${NEO4J_JAVA_OPTS:-})

ARGS=("$PORT")
[[ -n "$HOME_DIR" ]] && ARGS+=("$HOME_DIR")

T0=$(date +%s%3N)
nohup "$JAVA" "${JVM_OPTS[@]}" "${EXTRA_OPTS[@]}" \
  -cp "$DIR/target/neo4j-launcher.jar:$DIR/target/lib/*" \
  identigraph.neo4j.Launcher "${ARGS[@]}" </dev/null >"$LOG" 2>&1 &
PID=$!

fail() {
  echo "neo4j_server/start.sh: $1 (log: $LOG)" >&2
  tail -n 40 "$LOG" >&2 || true
  exit 1
}

deadline=$(( $(date +%s) + TIMEOUT ))
while :; do
  if ! kill -0 "$PID" 2>/dev/null; then
    wait "$PID" 2>/dev/null && rc=0 || rc=$?
    fail "Neo4j process $PID died during startup (exit $rc)"
  fi
  if grep -q '^NEO4J_READY ' "$LOG" 2>/dev/null && bolt_answers "$PORT"; then
    break
  fi
  if (( $(date +%s) >= deadline )); then
    kill "$PID" 2>/dev/null || true
    fail "timed out after ${TIMEOUT}s waiting for Bolt on 127.0.0.1:$PORT; killed $PID"
  fi
  sleep 0.5
done

MS=$(( $(date +%s%3N) - T0 ))
printf 'neo4j_server: Bolt ready on bolt://127.0.0.1:%s (pid %s, %d.%01ds, log %s)\n' \
  "$PORT" "$PID" $((MS / 1000)) $((MS % 1000 / 100)) "$LOG" >&2
echo "$PID"
