#!/usr/bin/env bash
# End-to-end load benchmark: afp-api under wrk, protected routes against the
# unprotected baseline measured in the same run (see bench/load/src/main.rs).
#   bash bench/load.sh                 # 5 s per scenario
#   LOAD_SECONDS=10 bash bench/load.sh
#   LOAD_ONLY=observability bash bench/load.sh   # the features' cost alone
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
fi
# valgrind counts the instructions of a hit in each build below; without it
# that one figure is skipped.
if ! command -v valgrind >/dev/null; then
    apt-get install -y valgrind || { apt-get update && apt-get install -y valgrind; } ||
        echo "no valgrind: the instruction count is skipped" >&2
fi
# The hit server twice, with the library's metrics and tracing features and
# without: the report ends with what they cost a cache hit. One package built
# alone, so that no other package's features reach the library.
cargo build --release --locked -p maskinporten-hit-server --features observability
cp target/release/maskinporten-hit-server target/release/hit-server-with-observability
cargo build --release --locked -p maskinporten-hit-server
cp target/release/maskinporten-hit-server target/release/hit-server-without-observability
exec cargo run --release --locked -p maskinporten-load --bin load
