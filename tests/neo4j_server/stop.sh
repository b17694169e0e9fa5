#!/usr/bin/env bash
# Stop a server started by start.sh: SIGTERM, wait up to 30 s (then SIGKILL).  usage: stop.sh PID
set -euo pipefail
PID="${1:?usage: stop.sh PID}"
kill -0 "$PID" 2>/dev/null || exit 0
kill "$PID"
for _ in $(seq 1 60); do
  kill -0 "$PID" 2>/dev/null || exit 0
  sleep 0.5
done
echo "neo4j_server/stop.sh: $PID did not exit within 30 s; sending SIGKILL" >&2
kill -9 "$PID" 2>/dev/null || true
