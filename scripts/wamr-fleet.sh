#!/usr/bin/env bash
# Builds the real `iwasm` CLI of the WAMR releases a device fleet runs, each with that release's
# DEFAULT Linux options, and prints one line per release on stdout:
#
#     VERSION PATH-TO-IWASM
#
# Usage: scripts/wamr-fleet.sh [VERSION...]   (default: 1.1.2 1.3.3 2.1.2 2.2.0 2.4.5)
#
# Progress and build times go to stderr. Findings about what each build loads and runs:
# docs/wamr-fleet.md.
#
#  - Sources: $WAMR_TARBALLS/WAMR-<ver>.tar.gz (default <repo>/../shared/wamr), checked against
#    the SHA256SUMS beside them.
#  - Cache: ${WASIP2_ON_WASIP1_CACHE:-$HOME/.cache/wasip2-on-wasip1}/iwasm/<ver>/iwasm, valid while
#    <ver>/stamp holds the tarball's sha256 (and the cmake arguments); <ver>/build.log is the last
#    build's output. A build runs in <ver>/tmp.* and is moved into place
#    only when it succeeded, so a killed build leaves nothing that looks finished; <ver>.lock
#    (flock) keeps two concurrent invocations from building the same release twice.
#  - Options: the release's defaults (`cmake product-mini/platforms/linux
#    -DCMAKE_BUILD_TYPE=Release`); for releases whose SIMD build downloads SIMDe (2.4.x; there is
#    no network here) the headers come from Debian's libsimde-dev instead. CFLAGS only silence the errors current gcc
#    raises on old trees (-Wno-error -Wno-incompatible-pointer-types -Wno-int-conversion); they
#    change no feature. Extra cmake arguments for a NON-default build (to check what an option
#    enables): $WAMR_FLEET_CMAKE_ARGS, e.g. "-DWAMR_BUILD_REF_TYPES=1"; such a build is cached in
#    iwasm/<ver>+<hash of the arguments>/, never in place of the default one.
#  - make -j$WAMR_FLEET_JOBS (default: nproc). Builds run one at a time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tarballs=${WAMR_TARBALLS:-$root/../shared/wamr}
cache=${WASIP2_ON_WASIP1_CACHE:-$HOME/.cache/wasip2-on-wasip1}/iwasm
jobs=${WAMR_FLEET_JOBS:-$(nproc)}
cflags="-Wno-error -Wno-incompatible-pointer-types -Wno-int-conversion"
read -r -a extra <<<"${WAMR_FLEET_CMAKE_ARGS:-}"

default_versions=(1.1.2 1.3.3 2.1.2 2.2.0 2.4.5)
if [ $# -gt 0 ]; then versions=("$@"); else versions=("${default_versions[@]}"); fi

log() { echo "wamr-fleet: $*" >&2; }
die() { echo "wamr-fleet: error: $*" >&2; exit 1; }

missing_tarball() {
  local ver=$1 file=$2
  cat >&2 <<EOF
wamr-fleet: error: missing WAMR source tarball: $file
  It is the release tag WAMR-$ver of the public repository bytecodealliance/wasm-micro-runtime on
  GitHub. Needed trees: core/, build-scripts/, product-mini/ and LICENSE, under one top-level
  directory. Pack them as WAMR-$ver.tar.gz, e.g. on a machine with network access:
    git clone --depth 1 -b WAMR-$ver https://github.com/bytecodealliance/wasm-micro-runtime w
    tar -C w --transform 's,^,wasm-micro-runtime-WAMR-$ver/,' -czf WAMR-$ver.tar.gz \\
        core build-scripts product-mini LICENSE
    sha256sum WAMR-$ver.tar.gz >> SHA256SUMS
  and put it (and its line in SHA256SUMS) in $tarballs, or point \$WAMR_TARBALLS at its directory.
EOF
  exit 1
}

for t in cmake make cc sha256sum flock tar; do
  command -v "$t" >/dev/null 2>&1 \
    || die "'$t' not found (scripts/setup.sh installs cmake; otherwise: apt-get install cmake build-essential util-linux)"
done
[ -d "$tarballs" ] || die "tarball directory $tarballs does not exist (set \$WAMR_TARBALLS)"
sums="$tarballs/SHA256SUMS"
[ -f "$sums" ] || die "$sums is missing: cannot verify the WAMR tarballs in $tarballs"

# cmake arguments beyond the defaults, per release.
release_args() {
  case "$1" in
    # From 2.4 (of the releases here; 2.2.0 has no simde), the default WAMR_BUILD_SIMD=1 with the
    # fast interpreter git-clones the header-only SIMDe with FetchContent, which cannot reach the
    # network here: it is pointed at Debian's libsimde-dev instead (scripts/setup.sh installs it),
    # so the build keeps its default options (SIMD on). Without those headers: SIMD off, and said.
    2.4.*|2.[5-9]*|[3-9].*)
      if [ -f /usr/include/simde/wasm/simd128.h ]; then
        echo "-DFETCHCONTENT_SOURCE_DIR_SIMDE=/usr/include"
      else
        log "$1: no SIMDe headers (apt-get install libsimde-dev): building with WAMR_BUILD_SIMD=0, NOT the default build"
        echo "-DWAMR_BUILD_SIMD=0"
      fi ;;
    *) echo "" ;;
  esac
}

build_one() {
  local ver=$1 file="$tarballs/WAMR-$1.tar.gz"
  [ -f "$file" ] || missing_tarball "$ver" "$file"
  local want got
  want=$(awk -v f="WAMR-$ver.tar.gz" '{ n = $2; sub(/^\*/, "", n) } n == f { print $1; exit }' "$sums")
  [ -n "$want" ] || die "$sums has no line for WAMR-$ver.tar.gz: cannot verify $file"
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$got" = "$want" ] || die "$file: sha256 $got, but $sums says $want (corrupt or replaced tarball)"

  local args
  # shellcheck disable=SC2207
  args=(-DCMAKE_BUILD_TYPE=Release $(release_args "$ver") "${extra[@]}")
  local stamp_want="$got ${args[*]}"
  # A non-default build lives beside the default one, never in its place.
  local key=$ver
  if [ ${#extra[@]} -gt 0 ]; then
    key="$ver+$(printf '%s ' "${extra[@]}" | sha256sum | cut -c1-12)"
  fi
  local dir="$cache/$key" exe="$cache/$key/iwasm"
  if [ -f "$exe" ] && [ -x "$exe" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp_want" ]; then
    log "$key: cached"
    echo "$ver $exe"
    return
  fi

  mkdir -p "$dir"
  local fd
  exec {fd}>"$cache/$key.lock"
  if ! flock -n "$fd"; then
    log "$key: another invocation is building it, waiting"
    flock "$fd"
  fi
  if [ -f "$exe" ] && [ -x "$exe" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp_want" ]; then
    exec {fd}>&-
    log "$key: built by another invocation"
    echo "$ver $exe"
    return
  fi
  rm -rf "$dir"/tmp.*          # left by a killed build; we hold the lock, so nobody owns them
  local tmp
  tmp=$(mktemp -d "$dir/tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  local start=$SECONDS
  log "$key: building (cmake ${args[*]}; make -j$jobs iwasm; log: $dir/build.log)"
  tar -C "$tmp" -xzf "$file"
  local tree
  tree=$(dirname "$(dirname "$(dirname "$(find "$tmp" -maxdepth 4 -path '*/product-mini/platforms/linux' -type d | head -1)")")")
  [ -f "$tree/product-mini/platforms/linux/CMakeLists.txt" ] \
    || die "$file holds no product-mini/platforms/linux/CMakeLists.txt"
  if ! ( cd "$tmp" && mkdir build && cd build \
         && CFLAGS="$cflags" cmake "$tree/product-mini/platforms/linux" "${args[@]}" \
         && make -j"$jobs" iwasm ) >"$tmp/build.log" 2>&1; then
    cp "$tmp/build.log" "$dir/build.log"
    tail -n 30 "$dir/build.log" >&2
    die "$key: build failed after $((SECONDS - start))s; full log: $dir/build.log"
  fi
  # 2.4.x builds iwasm-<ver> and makes iwasm a symlink to it: publish the file itself.
  local built
  built=$(readlink -f "$tmp/build/iwasm" || true)
  [ -n "$built" ] && [ -f "$built" ] && [ -x "$built" ] || die "$key: the build produced no iwasm"
  # Publish: the stamp goes last, so iwasm is trusted only after it is completely in place.
  rm -f "$dir/stamp"
  mv -f "$built" "$exe"
  mv -f "$tmp/build.log" "$dir/build.log"
  echo "$stamp_want" >"$tmp/stamp"
  mv -f "$tmp/stamp" "$dir/stamp"
  rm -rf "$tmp"
  trap - EXIT
  exec {fd}>&-
  log "$key: built in $((SECONDS - start))s"
  echo "$ver $exe"
}

for v in "${versions[@]}"; do
  build_one "${v#WAMR-}"
done
