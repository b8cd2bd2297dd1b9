#!/usr/bin/env bash
# Micro-benchmark of the validation hot path (criterion), with the ratios
# against raw jsonwebtoken::decode measured in the same run.
#   bash bench/micro.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p maskinporten-rocket --bench validate -- "$@"
python3 - <<'PY'
import json, pathlib
root = pathlib.Path("target/criterion/validate")
def mean_ns(name):
    estimates = json.loads((root / name / "new" / "estimates.json").read_text())
    return estimates["mean"]["point_estimate"]
raw, cold, cached = (mean_ns(n) for n in ("raw_jsonwebtoken_decode", "cold", "cached"))
print()
print(f"baseline  raw jsonwebtoken::decode  {raw / 1000:8.2f} µs")
print(f"cold      full validation           {cold / 1000:8.2f} µs   {cold / raw:.3f}x baseline (goal <= 1.15x)")
print(f"cached    verdict cache hit         {cached / 1000:8.2f} µs   {cached / raw:.3f}x baseline (goal <= 2 µs)")
PY
