#!/usr/bin/env bash
# End-to-end load benchmark: afp-api under wrk, protected routes against the
# unprotected baseline measured in the same run (see bench/load/src/main.rs).
#   bash bench/load.sh                 # 5 s per scenario
#   LOAD_SECONDS=10 bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
fi
exec cargo run --release -p maskinporten-load --bin load
