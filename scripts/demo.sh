#!/usr/bin/env bash
# The main job, end to end on a fresh machine: build the adapter and the linker, link a C and
# a Rust wasm32-wasip2 hello program into WASIp1 modules, run them on WAMR and on wasmtime's
# WASIp1, and show the outputs side by side with the same programs run natively as WASIp2
# components on wasmtime.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
echo "== building the adapter, the linker and the runners (release)"
cargo build --release --locked -p wasip2-on-wasip1-ld -p wamr-run -p wasmtime-run
bin="$root/target/release"
out="$root/target/demo"
rm -rf "$out"; mkdir -p "$out"

echo "== linking the hello programs"
scripts/wasip2-clang -O2 adapter-tests/c/hello.c -o "$out/c-hello.native.wasm"
scripts/wasip2-clang -O2 -fuse-ld="$bin/wasip2-on-wasip1-ld" adapter-tests/c/hello.c -o "$out/c-hello.wasm"
for kind in native adapted; do
  if [ $kind = adapted ]; then export CARGO_TARGET_WASM32_WASIP2_LINKER="$bin/wasip2-on-wasip1-ld"; fi
  rm -f "$out/rust-$kind"/wasm32-wasip2/release/deps/hello-*.wasm  # (deps files use _ for -)
  (cd adapter-tests/rust/hello && cargo build -q --release --target wasm32-wasip2 --target-dir "$out/rust-$kind")
  unset CARGO_TARGET_WASM32_WASIP2_LINKER
done
cp "$out/rust-native/wasm32-wasip2/release/hello.wasm" "$out/rust-hello.native.wasm"
cp "$out/rust-adapted/wasm32-wasip2/release/hello.wasm" "$out/rust-hello.wasm"
ls -l "$out"/*.wasm | awk '{print "   ", $5, $9}'

run() { # runner file -> "stdout+stderr, exit status"
  (set +e; cd "$out" && printf 'piped input\n' | "$bin/$1" --env=GREETING=hello "$2" one "two words" 2>&1; echo "[exit status $?]")
}
for g in c-hello rust-hello; do
  echo
  echo "== $g: native WASIp2 (wasmtime) | adapted on wasmtime WASIp1 | adapted on WAMR"
  run wasmtime-run "$g.native.wasm" > "$out/$g.native.txt"
  run wasmtime-run "$g.wasm" > "$out/$g.wasmtime.txt"
  run wamr-run "$g.wasm" > "$out/$g.wamr.txt"
  pr -m -t -w 180 "$out/$g.native.txt" "$out/$g.wasmtime.txt" "$out/$g.wamr.txt"
  imports=$("$bin/wasip2-on-wasip1" imports "$out/$g.wasm")
  echo "   imports of $g.wasm: $imports"
  if cmp -s "$out/$g.native.txt" "$out/$g.wasmtime.txt" && cmp -s "$out/$g.native.txt" "$out/$g.wamr.txt"; then
    echo "   => identical on all three"
  else
    echo "   => DIFFERENT (see $out/$g.*.txt)"; exit 1
  fi
done
