#!/usr/bin/env bash
# Soak run of the differential guest fuzzer (tests/fuzz.rs, adapter-tests/rust/p2-fuzz): new
# seeds, in batches, natively and adapted on wasmtime-p1, WAMR and iwasm 1.1.2 / 2.4.5, until
# the time is up. Prints each batch (seeds, steps), every difference with the seed that
# reproduces it, and a total; exits non-zero when any run differed.
#
#   scripts/fuzz.sh --hours N [--seed FIRST] [--batch SEEDS] [--steps STEPS] [--all]
#   scripts/fuzz.sh --check-known    # each known-difference class still differs
#
# --hours may be fractional (0.5). Seeds start at FIRST (default: from the clock, printed).
# --all also makes the calls of the known-difference classes (tests/fuzz.rs
# KNOWN_DIFFERENCES), to see whether a fix has landed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
hours=1 seed=$(( $(date +%s) % 100000000 * 100 )) batch=20 steps=500 all=0 check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --hours) hours=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --all) all=1; shift ;;
    --check-known) check=1; shift ;;
    *) echo "usage: $0 --hours N [--seed FIRST] [--batch SEEDS] [--steps STEPS] [--all] | --check-known" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
bash scripts/wamr-fleet.sh >/dev/null
cargo build --release --locked -p wasip2-on-wasip1-ld -p wamr-run -p wasmtime-run
if [ "$check" -eq 1 ]; then
  exec cargo test --release --locked --test fuzz -- --ignored --nocapture --exact known_differences_still_differ
fi
until=$(awk -v h="$hours" -v now="$(date +%s)" 'BEGIN { printf "%d", now + h * 3600 }')
echo "fuzz: seeds from $seed, $batch per run, $steps steps each, until $(date -d "@$until" -u +%H:%M:%S) UTC"
export W2W1_FUZZ_UNTIL=$until W2W1_FUZZ_SEED=$seed W2W1_FUZZ_BATCH=$batch W2W1_FUZZ_STEPS=$steps
if [ "$all" -eq 1 ]; then export W2W1_FUZZ_AVOID=; fi
exec cargo test --release --locked --test fuzz -- --ignored --nocapture --exact soak
