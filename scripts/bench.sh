#!/usr/bin/env bash
# The benchmarks (see crates/bench): builds the tools, then prints the performance table.
# Usage: scripts/bench.sh [--runs N] [--quick]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cargo build --release --locked -p wasip2-on-wasip1-ld -p wamr-run -p wasmtime-run -p bench
exec target/release/bench "$@"
