#!/usr/bin/env bash
# The prebuilt binaries of the published packages, run by `npm pack` / `npm publish` (prepack).
#
# Every platform package the main package names in its optionalDependencies (@nvml-mig/<target>,
# target = <os>-<arch>-<libc>) gets npm/<target>/: its package.json (version, os, cpu, libc taken
# from the main package.json and the target's name), README.md, LICENSE and the three binaries
# node-gyp builds from binding.gyp, at the places lib/platform.ts looks for them: nvml_mig.node,
# mock/libnvidia-ml.so.1 and mock-legacy/libnvidia-ml.so.1. `npm pack ./npm/<target>` packs one.
#
# The machine's own target is compiled natively; the others with a cross compiler from Debian
# (linux-arm64-gnu on x64: g++-aarch64-linux-gnu). A target whose compiler is missing is skipped
# with a notice, unless NVML_MIG_TARGETS names it: NVML_MIG_TARGETS=linux-x64-gnu,linux-arm64-gnu
# (before publishing) fails instead; NVML_MIG_TARGETS=host builds the machine's own only.
#
# The addon is Node-API (NAPI_VERSION in binding.gyp), so one build serves every Node version;
# node-gyp compiles against the running Node's headers when they are installed beside it.
# Each target compiles in a temporary copy of binding.gyp, native/ and mocks/: build/ is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node_api.h" ]; then
  export npm_config_nodedir="$prefix"
fi
export JOBS="${JOBS:-max}"

[ -f dist/platform.js ] || { echo "prebuild: dist/platform.js is missing: run npm run build:ts first" >&2; exit 1; }
host="$(node -p 'require("./dist/platform.js").platformTarget()')"
mapfile -t all < <(node -p 'require("./dist/platform.js").publishedPlatformPackages().map((n) => n.split("/")[1]).join("\n")')

case "${NVML_MIG_TARGETS:-}" in
  "") wanted=("${all[@]}"); required=0 ;;
  host) wanted=("$host"); required=1 ;;
  *) IFS=, read -r -a wanted <<<"$NVML_MIG_TARGETS"; required=1 ;;
esac

# The GNU triple prefix of a target's cross compiler on this machine ("" for the machine's own).
cross_prefix() {
  [ "$1" = "$host" ] && { echo ""; return; }
  case "$1" in
    linux-arm64-gnu) echo "aarch64-linux-gnu-" ;;
    linux-x64-gnu) echo "x86_64-linux-gnu-" ;;
    *) echo "?" ;;
  esac
}

# Each target compiles in a staged copy of the sources, so the checkout's build/ is left alone.
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

build_target() {
  local target="$1" cross arch out dir
  cross="$(cross_prefix "$target")"
  arch="${target#*-}"; arch="${arch%-*}"
  if [ "$cross" = "?" ]; then echo "prebuild: no cross compiler is known for $target" >&2; return 2; fi
  if ! command -v "${cross}g++" >/dev/null; then
    echo "prebuild: ${cross}g++ is not installed: $target not built" >&2
    return 3
  fi
  echo "prebuild: $target (${cross:-native }g++, node-gyp --arch=$arch)"
  dir="$stage/$target"
  mkdir -p "$dir"
  cp -r binding.gyp native mocks "$dir/"
  ln -s "$PWD/node_modules" "$dir/node_modules"
  local envs=()
  [ -n "$cross" ] && envs=(CC="${cross}gcc" CXX="${cross}g++" LINK="${cross}g++" AR="${cross}ar")
  (cd "$dir" && env "${envs[@]}" npx --no-install node-gyp rebuild --arch="$arch" >build.log 2>&1) || {
    cat "$dir/build.log" >&2
    return 1
  }

  out="npm/$target"
  rm -rf "$out" && mkdir -p "$out/mock" "$out/mock-legacy" &&
    cp "$dir/build/Release/nvml_mig.node" "$out/" &&
    cp "$dir/build/Release/mock/libnvidia-ml.so.1" "$out/mock/" &&
    cp "$dir/build/Release/mock-legacy/libnvidia-ml.so.1" "$out/mock-legacy/" &&
    "${cross}strip" --strip-unneeded "$out/nvml_mig.node" "$out/mock/libnvidia-ml.so.1" "$out/mock-legacy/libnvidia-ml.so.1" &&
    cp LICENSE "$out/" &&
    node scripts/package/manifest.js "$target" "$out" || return 1
  ls -l "$out" "$out/mock" "$out/mock-legacy"
}

rm -rf npm
built=()
for target in "${wanted[@]}"; do
  [[ " ${all[*]} " == *" $target "* ]] || { echo "prebuild: $target is not in optionalDependencies" >&2; exit 1; }
  status=0
  build_target "$target" || status=$?
  if [ "$status" -eq 3 ] && [ "$required" -eq 0 ]; then continue; fi
  [ "$status" -eq 0 ] || exit 1
  built+=("$target")
done
if [ "$required" -eq 0 ] && [[ " ${built[*]} " != *" $host "* ]]; then
  echo "prebuild: $host (this machine) is not among the platform packages" >&2
  exit 1
fi
echo "prebuild: built ${built[*]}"
