#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind. Idempotent.
#  - rustup targets wasm32-wasip1 (the adapter) and wasm32-wasip2 (the guests); Rust 1.88.0 and
#    1.92.0 (minimal, with wasm32-wasip2) for the toolchain matrix; nightly with Miri (the
#    adapter's unit tests under Miri)
#  - Debian: clang-19, lld-19, llvm-19 (llvm-dwarfdump for the debug-info test),
#    libclang-rt-19-dev-wasm32 (C guests), cmake, libclang-dev (WAMR), libsimde-dev (WAMR 2.4's
#    default SIMD build), python3 (tests/wamr-probes/probe.py)
#  - the wasm32-wasip2 C sysroots from Debian's wasi-libc (unstable and trixie), unpacked under
#    .tools/ with a private apt state, so the system's apt sources are never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools"

rustup target add wasm32-wasip1 wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip1 wasm32-wasip2
# Two older Rust releases for the toolchain matrix (tests/toolchains.rs): 1.88 bundles the
# wasi-sdk 25 libc (as Debian trixie's), 1.92 the newest libc that still mixes WASIp1 and WASI 0.2.
for tc in 1.88.0 1.92.0; do
  rustup run "$tc" rustc --print target-libdir --target wasm32-wasip2 >/dev/null 2>&1 &&
    [ -d "$(rustup run "$tc" rustc --print target-libdir --target wasm32-wasip2)" ] ||
    rustup toolchain install "$tc" --profile minimal --target wasm32-wasip2
done
# Nightly with Miri for the adapter's unit tests under Miri (scripts/test.sh).
if ! rustup +nightly component list --installed 2>/dev/null | grep -q '^miri'; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  rustup component add --toolchain nightly miri rust-src
fi

need=()
for p in clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 cmake libclang-dev libsimde-dev python3; do
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

# The Debian mirror this machine's own apt configuration uses (deb822 `.sources` files or
# one-line `.list` entries); only the suite differs for the sysroot downloads below, so nothing
# in the repository names a mirror.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; suites = ""; comps = ""
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri); sub(/[ \t].*/, "", uri) }
             if ($i ~ /^Suites:/) suites = $i
             if ($i ~ /^Components:/) comps = $i }
           if (uri != "" && comps ~ /main/ && suites !~ /security/ && uri ~ /debian\/?$/) { print uri; exit } }' "$f"
  done
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($i ~ /debian\/?$/ && $(i+1) !~ /security/) print $i; break } }'
}

# wasi-libc's sysroot from Debian suite $1 (its wasm32-wasip1/-wasip2 libs and headers), unpacked
# into $2 with a private apt state, so the system's apt sources are never touched.
#  - unstable: the newest wasi-libc (the default sysroot, .tools/wasi-sysroot)
#  - trixie: 0.0~git20241209, the wasi-sdk 25 era (its wasip2 libc also imports WASIp1 and the
#    component adapter's adapter_*_badfd), .tools/wasi-sysroot-trixie
fetch_sysroot() {
  local suite=$1 dest=$2
  [ -f "$dest/lib/wasm32-wasip2/libc.a" ] && return 0
  local mirror
  mirror=$(debian_mirror | head -n 1)
  if [ -z "$mirror" ]; then
    echo "setup: no Debian mirror in this machine's apt configuration (/etc/apt/sources.list*); cannot fetch wasi-libc ($suite)" >&2
    exit 1
  fi
  local apt="$tools/apt-$suite"
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc"
  echo "deb $mirror $suite main" > "$apt/etc/sources.list"
  local aopts=(-o Dir::Etc::SourceList="$apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o APT::Get::List-Cleanup=0)
  apt-get "${aopts[@]}" update -qq
  (cd "$apt" && rm -f wasi-libc_*.deb && apt-get "${aopts[@]}" download wasi-libc >/dev/null)
  rm -rf "$apt/x" && dpkg -x "$apt"/wasi-libc_*.deb "$apt/x"
  local src sys
  src=$(dirname "$(find "$apt/x" -path '*/lib/wasm32-wasip2/libc.a' | head -1)")
  sys=$(dirname "$(dirname "$src")")   # .../wasi-sysroot-like root holding include/ and lib/
  rm -rf "$dest"; mkdir -p "$dest"
  cp -a "$sys/include" "$sys/lib" "$dest/"
  rm -rf "$apt/x"
}
fetch_sysroot unstable "$tools/wasi-sysroot"
fetch_sysroot trixie "$tools/wasi-sysroot-trixie"
echo "setup: ok ($tools)"
