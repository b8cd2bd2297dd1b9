#!/usr/bin/env bash
# Profiles the cache hit end to end: afp-api's reused_token scenario alone
# (LOAD_ONLY) under wrk on 127.0.0.1, sampled by perf, and the server's
# samples attributed to the parts of a request (docs/performance.md).
#   bash bench/profile/hit.sh                          # reused_token, 15 s
#   SCENARIO=handler_without_library bash bench/profile/hit.sh
# Needs perf (apt-get install -y linux-perf). The machine here has no
# hardware counters, so perf samples the cpu-clock software event; DWARF
# call graphs, because a release build keeps .eh_frame but no frame pointers.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${SCENARIO:-reused_token}
seconds=${LOAD_SECONDS:-15}
out=${OUT:-/tmp/maskinporten-profile-$scenario}
mkdir -p "$out"
cargo build --release -p maskinporten-load
LOAD_ONLY=$scenario LOAD_SECONDS=$seconds \
    perf record -F 1999 -e cpu-clock --call-graph dwarf,8192 -o "$out/perf.data" \
    -- target/release/load | tee "$out/run.txt"
# The server's CPU per request, as the run printed it.
server_us=$(sed -n 's/.*CPU per request server \([0-9.]*\) µs.*/\1/p' "$out/run.txt")
# The worker threads' share of the process: the rest is the main thread.
perf report -i "$out/perf.data" --no-children --sort comm --stdio -g none 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | tee "$out/comms.txt"
perf report -i "$out/perf.data" --comm tokio-rt-worker --percentage relative \
    --children --sort sym --stdio -g none 2>/dev/null >"$out/children.txt"
# Unwinding every sample takes minutes on a busy machine.
perf script -i "$out/perf.data" --comm tokio-rt-worker -F comm,tid,period,ip,sym \
    2>/dev/null >"$out/script.txt"
python3 bench/profile/attribute.py "$server_us" <"$out/script.txt" | tee "$out/attribution.txt"
echo "files in $out; the µs use the whole process's CPU per request ($server_us µs)"
