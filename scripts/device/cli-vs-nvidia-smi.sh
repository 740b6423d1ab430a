#!/usr/bin/env bash
# READ-ONLY: compares nvml-mig's listings with nvidia-smi's on a real GPU. Runs only listing
# commands (mig -lgip, mig -lgipp, mig -lgi, -L, status with --read-only; nvidia-smi's
# --query-gpu for the values status shows); nothing here changes the GPU, and
# NVML_MIG_READONLY=1 makes the library refuse any change before it reaches the driver.
# Needs dist/, build/Release/nvml_mig.node and node_modules/ of this checkout. Node: $NODE, else
# /tmp/node (unpacked from .device/node.xz), else node on PATH.
# Results in $OUT/cli-compare/: summary.txt (verdicts, exit codes, diffs), nvidia-smi.txt and
# nvml-mig.txt (every output, byte for byte between the markers), status.json.
set -uo pipefail
cd "$(dirname "$0")/../.."

NODE=${NODE:-/tmp/node}
[ -x "$NODE" ] || NODE=$(command -v node || true)
if [ -z "$NODE" ]; then echo "no node: unpack it first (xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node)" >&2; exit 2; fi
D="${OUT:-/tmp/out}/cli-compare"
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$D"
export NVML_MIG_READONLY=1

# run NAME CMD...: stdout, stderr and exit code of one command, kept in $R.
run() {
  local name=$1; shift
  "$@" >"$R/$name.out" 2>"$R/$name.err"
  echo $? >"$R/$name.rc"
}

CLI=("$NODE" dist/cli/main.js --read-only)
run smi-lgip   nvidia-smi mig -lgip
run smi-lgipp  nvidia-smi mig -lgipp
run smi-L      nvidia-smi -L
run smi-lgi    nvidia-smi mig -lgi
run smi-status nvidia-smi --query-gpu=index,name,uuid,pci.bus_id,mig.mode.current,mig.mode.pending,memory.total --format=csv,noheader,nounits
run cli-lgip   "${CLI[@]}" mig -lgip
run cli-lgipp  "${CLI[@]}" mig -lgipp
run cli-L      "${CLI[@]}" -L
run cli-lgi    "${CLI[@]}" mig -lgi
run cli-statustree "${CLI[@]}" status
run cli-statusjson "${CLI[@]}" --json status
cp "$R/cli-statusjson.out" "$D/status.json"
# status, value for value: the fields nvidia-smi's query gives, from `status --json`.
"$NODE" -e '
  const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const mode = (m, k) => (m === null ? "[N/A]" : m[k] ? "Enabled" : "Disabled");
  for (const g of doc.gpus) {
    console.log([g.index, g.name, g.uuid, g.pciBusId, mode(g.migMode, "current"), mode(g.migMode, "pending"), g.memoryTotalMiB].join(", "));
  }' "$R/cli-statusjson.out" >"$R/cli-status.out" 2>&1
cp "$R/cli-statusjson.rc" "$R/cli-status.rc"

# dump WHO NAMES...: every output of one side, between markers.
dump() {
  local who=$1; shift
  for n in "$@"; do
    echo "=== $n (exit $(cat "$R/$who-$n.rc"))"
    cat "$R/$who-$n.out"
    [ -s "$R/$who-$n.err" ] && { echo "--- stderr"; cat "$R/$who-$n.err"; }
    echo "=== end"
  done
}
dump smi lgip lgipp L lgi status >"$D/nvidia-smi.txt"
dump cli lgip lgipp L lgi status statustree >"$D/nvml-mig.txt"

{
  echo "# nvml-mig vs nvidia-smi (read-only), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  nvidia-smi --query-gpu=index,name,driver_version,mig.mode.current,mig.mode.pending --format=csv 2>&1
  echo "node $("$NODE" --version)"
  for c in lgip lgipp L lgi status; do
    if diff -u "$R/smi-$c.out" "$R/cli-$c.out" >"$R/$c.diff"; then verdict=identical; else verdict=DIFFERS; fi
    echo "$c: $verdict (exit codes: nvidia-smi $(cat "$R/smi-$c.rc"), nvml-mig $(cat "$R/cli-$c.rc"))"
  done
  echo "(status compares index, name, uuid, PCI bus id, MIG mode current/pending and memory total in MiB)"
  for c in lgip lgipp L lgi status; do [ -s "$R/$c.diff" ] && { echo; echo "## $c.diff"; cat "$R/$c.diff"; }; done
} >"$D/summary.txt"
cat "$D/summary.txt"
