#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what is missing, builds the real
# iwasm of five WAMR releases (scripts/wamr-fleet.sh, cached), builds the host tools (the linker with the adapter archive, the WAMR and wasmtime runners) in release
# mode, then runs all unit and end-to-end tests in the same profile (so wasmtime and WAMR are
# compiled once).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
# The real iwasm of every WAMR release the tests run on (default builds, cached outside the tree).
bash scripts/wamr-fleet.sh >/dev/null
cargo build --release --locked -p wasip2-on-wasip1-ld -p wamr-run -p wasmtime-run
log=$(mktemp)
runs=$(mktemp)
trap 'rm -f "$log" "$runs"' EXIT
set +e
WASIP2_ON_WASIP1_RUN_LOG="$runs" cargo test --release --locked --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The adapter's unit tests under Miri (undefined behaviour, invalid layouts, aliasing). Leaks
# are expected: the adapter's state and heap pages live as long as the instance, by design.
if [ $# -eq 0 ]; then
  MIRIFLAGS=-Zmiri-ignore-leaks CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/miri" \
    cargo +nightly miri test --locked --lib -p wasip2-on-wasip1 2>&1 | tee -a "$log"
  miri=${PIPESTATUS[0]}
  [ "$miri" -eq 0 ] || status=$miri
fi
set -e
# How many program runs each runtime served (tests/common/mod.rs logs every run).
echo "program runs per runtime:"
cut -f1 "$runs" | sort | uniq -c | sed 's/^/  /'
echo "  (distinct guests per runtime: $(cut -f1,2 "$runs" | sort -u | cut -f1 | sort | uniq -c | awk '{printf "%s %s; ", $2, $1}'))"
# One closing line for the whole run (cargo prints one summary per test binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "all tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
