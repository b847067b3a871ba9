#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind. Idempotent.
#  - rustup targets wasm32-wasip1 (the adapter) and wasm32-wasip2 (the guests)
#  - Debian: clang-19, lld-19, llvm-19 (llvm-dwarfdump for the debug-info test),
#    libclang-rt-19-dev-wasm32 (C guests), cmake, libclang-dev (WAMR)
#  - the wasm32-wasip2 C sysroot from Debian unstable's wasi-libc, unpacked under .tools/
#    with a private apt state, so the system's apt sources are never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip1 wasm32-wasip2

need=()
for p in clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 cmake libclang-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# clang-19's wasip2 driver looks for builtins under lib/wasm32-unknown-wasip2 in its resource dir;
# Debian ships them as lib/wasi/libclang_rt.builtins-wasm32.a. We never modify the system: the
# project's clang wrapper passes -resource-dir pointing at a project-local copy.
res=$(clang-19 -print-resource-dir)
mkdir -p "$tools/clang-resource/lib/wasm32-unknown-wasip2" "$tools/clang-resource/lib/wasm32-unknown-wasip1"
if [ ! -e "$tools/clang-resource/include" ]; then ln -s "$res/include" "$tools/clang-resource/include"; fi
for t in wasm32-unknown-wasip2 wasm32-unknown-wasip1; do
  cp -f "$res/lib/wasi/libclang_rt.builtins-wasm32.a" "$tools/clang-resource/lib/$t/libclang_rt.builtins.a"
done

# wasi-libc's wasm32-wasip2 sysroot from Debian unstable, with a private apt configuration.
if [ ! -f "$tools/wasi-sysroot/lib/wasm32-wasip2/libc.a" ]; then
  apt="$tools/apt"
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc"
  echo "deb http://deb.debian.org/debian unstable main" > "$apt/etc/sources.list"
  aopts=(-o Dir::Etc::SourceList="$apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o APT::Get::List-Cleanup=0)
  apt-get "${aopts[@]}" update -qq
  (cd "$apt" && apt-get "${aopts[@]}" download wasi-libc >/dev/null)
  rm -rf "$apt/x" && dpkg -x "$apt"/wasi-libc_*.deb "$apt/x"
  src=$(dirname "$(find "$apt/x" -path '*/lib/wasm32-wasip2/libc.a' | head -1)")
  sys=$(dirname "$(dirname "$src")")   # .../wasi-sysroot-like root holding include/ and lib/
  rm -rf "$tools/wasi-sysroot"; mkdir -p "$tools/wasi-sysroot"
  cp -a "$sys/include" "$sys/lib" "$tools/wasi-sysroot/"
  rm -rf "$apt/x"
fi
echo "setup: ok ($tools)"
