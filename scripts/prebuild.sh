#!/usr/bin/env bash
# Prebuilt binaries for the published package, run by `npm pack` / `npm publish` (prepack).
# prebuildify compiles every binding.gyp target with node-gyp (Node-API, so one addon serves every
# Node >= 20) and writes prebuilds/linux-x64/: the addon nvml-mig.glibc.node, and, because they are
# shared libraries in build/Release, the mock libnvidia-ml.so.1 and the legacy-driver mock
# libnvidia-ml-legacy.so.1 (lib/testing and the CLI's --mock load them from there).
# `node-gyp rebuild` wipes build/: run this in a checkout of its own, not in a shared working tree.
set -euo pipefail
cd "$(dirname "$0")/.."

# Compile against the headers of the running Node when they are installed beside it, so that no
# header download (and no network) is needed.
prefix="$(node -p 'require("path").resolve(process.execPath, "..", "..")')"
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node_api.h" ]; then
  export npm_config_nodedir="$prefix"
fi
export JOBS="${JOBS:-max}"

rm -rf prebuilds
npx --no-install prebuildify --napi --strip --tag-libc --target "$(node -p process.versions.node)"

dir="prebuilds/$(node -p 'process.platform + "-" + process.arch')"
for f in nvml-mig.glibc.node libnvidia-ml.so.1 libnvidia-ml-legacy.so.1; do
  [ -f "$dir/$f" ] || { echo "prebuild: $dir/$f was not produced" >&2; exit 1; }
done
ls -l "$dir"
