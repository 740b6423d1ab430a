#!/usr/bin/env bash
# READ-ONLY: compares nvml-mig's listings with nvidia-smi's on a real GPU. Runs only listing
# commands (mig -lgip, mig -lgipp, mig -lgi, -L, status with --read-only; nvidia-smi's
# --query-gpu for the values status shows); nothing here changes the GPU,
# and NVML_MIG_READONLY=1 makes the library refuse any change before it reaches the driver.
# Needs dist/ and build/Release/nvml_mig.node of this checkout. Node: $NODE, else /tmp/node
# (unpacked from .device/node.xz), else node on PATH. Results: $OUT/cli-compare/ (outputs,
# exit codes, unified diffs, summary.txt).
set -uo pipefail
cd "$(dirname "$0")/../.."

NODE=${NODE:-/tmp/node}
[ -x "$NODE" ] || NODE=$(command -v node || true)
if [ -z "$NODE" ]; then echo "no node: unpack it first (xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node)" >&2; exit 2; fi
D="${OUT:-/tmp/out}/cli-compare"
mkdir -p "$D"
export NVML_MIG_READONLY=1

# run NAME CMD...: stdout, stderr and exit code of one command.
run() {
  local name=$1; shift
  "$@" >"$D/$name.out" 2>"$D/$name.err"
  echo $? >"$D/$name.rc"
}

nvidia-smi --query-gpu=index,name,driver_version,mig.mode.current,mig.mode.pending --format=csv >"$D/gpu.csv" 2>&1
"$NODE" --version >"$D/node-version.txt" 2>&1

run smi-lgip   nvidia-smi mig -lgip
run smi-lgipp  nvidia-smi mig -lgipp
run smi-L      nvidia-smi -L
run smi-lgi    nvidia-smi mig -lgi
run cli-lgip   "$NODE" dist/cli/main.js --read-only mig -lgip
run cli-lgipp  "$NODE" dist/cli/main.js --read-only mig -lgipp
run cli-L      "$NODE" dist/cli/main.js --read-only -L
run cli-lgi    "$NODE" dist/cli/main.js --read-only mig -lgi
run cli-status "$NODE" dist/cli/main.js --read-only status
run cli-status-json "$NODE" dist/cli/main.js --read-only --json status
run cli-profiles-json "$NODE" dist/cli/main.js --read-only --json profiles

# status, value for value: what nvidia-smi's query says of each GPU next to what `status --json` says.
nvidia-smi --query-gpu=index,name,uuid,pci.bus_id,mig.mode.current,mig.mode.pending,memory.total \
  --format=csv,noheader,nounits >"$D/smi-status.out" 2>"$D/smi-status.err"
echo $? >"$D/smi-status.rc"
"$NODE" -e '
  const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const mode = (m, k) => (m === null ? "[N/A]" : m[k] ? "Enabled" : "Disabled");
  for (const g of doc.gpus) {
    console.log([g.index, g.name, g.uuid, g.pciBusId, mode(g.migMode, "current"), mode(g.migMode, "pending"), g.memoryTotalMiB].join(", "));
  }' "$D/cli-status-json.out" >"$D/cli-status.csv" 2>&1

{
  echo "# nvml-mig vs nvidia-smi (read-only), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  cat "$D/gpu.csv"
  for c in lgip lgipp L lgi; do
    diff -u "$D/smi-$c.out" "$D/cli-$c.out" >"$D/$c.diff"
    if [ $? -eq 0 ]; then verdict=identical; else verdict="DIFFERS (see $c.diff)"; fi
    echo "$c: $verdict (exit codes: nvidia-smi $(cat "$D/smi-$c.rc"), nvml-mig $(cat "$D/cli-$c.rc"))"
  done
  if diff -u "$D/smi-status.out" "$D/cli-status.csv" >"$D/status.diff"; then verdict=identical; else verdict="DIFFERS (see status.diff)"; fi
  echo "status (index, name, uuid, bus id, mode current/pending, memory total MiB): $verdict (exit codes: nvidia-smi $(cat "$D/smi-status.rc"), nvml-mig $(cat "$D/cli-status.rc"))"
} >"$D/summary.txt"
cat "$D/summary.txt"
