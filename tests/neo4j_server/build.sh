#!/usr/bin/env bash
# Build the embedded-Neo4j test launcher (target/neo4j-launcher.jar + target/lib/*.jar).
# Skips the build when the outputs are newer than pom.xml and src/. Use --force to rebuild.
# Tries Maven offline first (warm ~/.m2), then online (Maven Central). Quiet unless it fails.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"

FORCE=0
if [[ "${1:-}" == "--force" ]]; then FORCE=1; fi

STAMP="$DIR/target/.build-ok"
mkdir -p "$DIR/target"

# Serialize concurrent builds (e.g. two test runners starting at once).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DIR/target/.build.lock"
  flock 9
fi

up_to_date() {
  [[ -f "$STAMP" && -f "$DIR/target/neo4j-launcher.jar" && -d "$DIR/target/lib" ]] || return 1
  [[ -z "$(find "$DIR/pom.xml" "$DIR/src" -newer "$STAMP" -print -quit)" ]]
}

if [[ $FORCE -eq 0 ]] && up_to_date; then
  exit 0
fi

command -v mvn >/dev/null 2>&1 || { echo "neo4j_server/build.sh: mvn not found on PATH" >&2; exit 1; }

rm -f "$STAMP"
# Stale jars from an older Neo4j version must not stay on the classpath.
rm -rf "$DIR/target/lib" "$DIR/target/neo4j-launcher.jar"

LOG="$DIR/target/build.log"
if ! mvn -B -q -o package >"$LOG" 2>&1; then
  if ! mvn -B -q package >"$LOG" 2>&1; then
    echo "neo4j_server/build.sh: Maven build failed; output:" >&2
    tail -n 60 "$LOG" >&2
    exit 1
  fi
fi
touch "$STAMP"
