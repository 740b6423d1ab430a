#!/usr/bin/env bash
# Incremental native build for development: `scripts/build-dev.sh [nvml_mig|nvidia-ml|...]`.
# A lock serialises concurrent builds in the shared build/ folder; configure re-runs so new
# source files are picked up.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/nvml-mig-build.lock
flock 9
npx node-gyp configure >/dev/null
make -C build BUILDTYPE=Release -j2 "$@"
