#!/usr/bin/env bash
# A big Neo4j store built the bulk way, and its lookup figures (issue 12: p99 at 10M):
#   1. export-state --neo4j-import from an embedded store (the CSV files neo4j-admin reads),
#   2. neo4j-admin database import full (Neo4j 5.26's own AdminTool, the test server's jars)
#      into WORK/home,
#   3. the test server started on that home with a bigger heap and page cache,
#   4. the first open builds the constraints and indexes (the import makes none),
#   5. benchmarks/bench_lookups.py (p50/p99 of show, how, explain same/apart),
#   then the server is stopped. A Bolt first load of 10M is out of reach on a small machine
#   (80-180 s and 2.5 GB of client memory per million events); this is the way in.
#
# usage: benchmarks/neo4j_10m.sh EMBEDDED_STORE WORK [PORT]
#   e.g. benchmarks/neo4j_10m.sh /tmp/store_bench/store_10000000.db /work/tmp/n10m 7797
# Env: IMPORT_HEAP, IMPORT_OFF_HEAP (neo4j-admin's heap and other memory, default 4g, 3G: its
#      own default takes 90% of the free memory), NEO4J_HEAP (server, default 4g),
#      NEO4J_PAGECACHE_MB (server, default 6144), LOOKUPS (default 1000),
#      KEEP_FILES=1 keeps WORK/state (the export) after a successful import.
# Each step prints its user/sys/wall seconds, peak RSS and the load average.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STORE="${1:?usage: $0 EMBEDDED_STORE WORK [PORT]}"
WORK="${2:?usage: $0 EMBEDDED_STORE WORK [PORT]}"
PORT="${3:-7797}"
PY="$ROOT/.venv/bin/python"
LIB="$ROOT/tests/neo4j_server/target/lib"
TIME=(/usr/bin/time -f "  %U s user, %S s sys, %e s wall, %M KB peak")

step() { echo "== $1 ($(date -u +%T) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))"; }

mkdir -p "$WORK"
rm -rf "$WORK/state" "$WORK/home"
"$ROOT/tests/neo4j_server/build.sh"

step "export-state --neo4j-import from $STORE"
"${TIME[@]}" "$PY" -m identigraph.cli export-state "$WORK/state" --neo4j-import \
  --store "$STORE" >"$WORK/export.out"
ARGS="$(sed -n 's/^ *neo4j-admin database import full DATABASE //p' "$WORK/export.out")"
du -sh "$WORK/state/neo4j-import"

step "neo4j-admin database import full neo4j $ARGS"
mkdir -p "$WORK/home/conf"
# shellcheck disable=SC2086  # ARGS is a list of options
(cd "$WORK/state/neo4j-import" && NEO4J_HOME="$WORK/home" NEO4J_CONF="$WORK/home/conf" \
  "${TIME[@]}" java "-Xmx${IMPORT_HEAP:-4g}" -cp "$LIB/*" org.neo4j.cli.AdminTool \
  database import full neo4j "--max-off-heap-memory=${IMPORT_OFF_HEAP:-3G}" $ARGS \
  >"$WORK/import.log" 2>&1) || {
  tail -n 40 "$WORK/import.log"; exit 1; }
grep -E "IMPORT DONE|Imported:|nodes|relationships|properties|Peak memory" "$WORK/import.log" \
  | tail -n 6 || true
tail -n 1 "$WORK/import.log"
du -sh "$WORK/home/data"
[[ "${KEEP_FILES:-0}" == 1 ]] || rm -rf "$WORK/state"

step "server on $WORK/home (heap ${NEO4J_HEAP:-4g}, page cache ${NEO4J_PAGECACHE_MB:-6144} MiB)"
PID="$(NEO4J_PAGECACHE_MB="${NEO4J_PAGECACHE_MB:-6144}" \
  NEO4J_JAVA_OPTS="-Xms${NEO4J_HEAP:-4g} -Xmx${NEO4J_HEAP:-4g}" NEO4J_START_TIMEOUT=600 \
  "$ROOT/tests/neo4j_server/start.sh" "$PORT" "$WORK/home" | tail -n 1)"
trap 'kill "$PID" 2>/dev/null || true' EXIT
URI="bolt://127.0.0.1:$PORT"

step "first open: constraints and indexes"
"${TIME[@]}" "$PY" -c "import sys; from identigraph.graph.open import open_store
open_store(sys.argv[1], create=False).close()" "$URI"

step "lookups"
"$PY" "$ROOT/benchmarks/bench_lookups.py" --store "$URI" --n "${LOOKUPS:-1000}" --no-stats
step "done"
