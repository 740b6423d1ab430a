#!/usr/bin/env bash
# Runs `npm run bench`'s suite on a machine with a real NVIDIA driver, READ-ONLY, and writes the
# results to $OUT/bench/ (results.md, results.json, log.txt, and the GPU's MIG state before and
# after, which must be identical).
#
# Read-only: NVML_MIG_READONLY=1 turns the interlock on for every init() of this package, and with
# NVML_REAL=1 the bench makes only read calls (no MIG layout is created, no mock control, the C
# floor gets no --setup-mig). Nothing changes the GPU's settings.
#
# That machine has no Node on PATH and no node_modules of its own. The working tree must carry:
#   .device (node.xz), build/ (the addon, built here), dist/ (npx tsc), and from node_modules/:
#   koffi and @koromix (koffi's native part, ~1 MB).
# Node: /tmp/node, unpacked from .device/node.xz if the caller has not done so already.
set -uo pipefail
cd "$(dirname "$0")/../.."

NODE=${NODE:-/tmp/node}
if [[ ! -x $NODE ]]; then
  xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node || { echo "bench-device: no node at $NODE and no .device/node.xz" >&2; exit 1; }
  NODE=/tmp/node
fi
OUT_DIR=${OUT:-bench/out/device}/bench
mkdir -p "$OUT_DIR"

for need in build/Release/nvml_mig.node dist/index.js node_modules/koffi; do
  [[ -e $need ]] || { echo "bench-device: $need is missing (carry it)" >&2; exit 1; }
done

export NVML_REAL=1 NVML_MIG_READONLY=1 PYTHONUNBUFFERED=1
unset NVML_LIBRARY_PATH NVML_MOCK_MACHINE NVML_MOCK_STATE NVML_MOCK_LATENCY_US

state() {
  nvidia-smi --query-gpu=index,name,uuid,driver_version,mig.mode.current,mig.mode.pending --format=csv
  nvidia-smi mig -lgi 2>&1
}
state > "$OUT_DIR/state-before.txt"

"$NODE" bench/run.js --out "$OUT_DIR" "$@" 2>&1 | tee "$OUT_DIR/log.txt"
status=${PIPESTATUS[0]}

state > "$OUT_DIR/state-after.txt"
if ! cmp -s "$OUT_DIR/state-before.txt" "$OUT_DIR/state-after.txt"; then
  echo "bench-device: the GPU's MIG state changed during the run:" >&2
  diff "$OUT_DIR/state-before.txt" "$OUT_DIR/state-after.txt" >&2
  status=1
fi
exit "$status"
