#!/usr/bin/env bash
# Micro-benchmark of the validation hot path (criterion), with the ratios
# against two baselines measured in the same run: raw jsonwebtoken::decode,
# and one bare RSA-2048 verification with an aws-lc-rs key parsed once.
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
names = ("raw_jsonwebtoken_decode", "bare_aws_lc_rs_verify", "cold", "cached", "sha256_of_signature")
raw, bare, cold, cached, sha = (mean_ns(n) for n in names)
print()
print(f"baseline  raw jsonwebtoken::decode  {raw / 1000:8.2f} µs")
print(f"baseline  bare RSA-2048 verify      {bare / 1000:8.2f} µs   {bare / raw:.3f}x raw decode (aws-lc-rs, key parsed once)")
print(f"cold      full validation           {cold / 1000:8.2f} µs   {cold / raw:.3f}x raw decode (goal <= 1.10x), {cold / bare:.3f}x bare verify")
print(f"cached    verdict cache hit         {cached / 1000:8.2f} µs   {cached / raw:.3f}x raw decode (goal <= 0.5 µs)")
print(f"  of which SHA-256 of the signature {sha / 1000:8.2f} µs   {sha / cached:.0%} of the hit")
PY
