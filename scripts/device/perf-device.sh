#!/usr/bin/env bash
# Where a blocking call's time goes on a machine with a real NVIDIA driver, READ-ONLY: perf
# profiles of the addon's Sync loops and of the C floor, the Node-API floor beside the addon
# (bench/diag/napi-floor.js), promise round trips with and without the call threads' spin
# (NVML_MIG_SPIN_US), a MIG read handed between threads (bench/diag/handoff.c), and each snapshot
# read's cost at the driver's two speeds
# (bench/diag/latency_real.py). Only read calls; NVML_MIG_READONLY=1 for every init() of this
# package. nvidia-smi's view of the GPU (listing only) is recorded before and after.
#
# Carry: .device (node.xz, napi_floor.node built here with `cc -O2 -shared -fPIC -I<node include>
# bench/diag/napi-floor.c -ldl`, and perf.tar.xz: Debian's perf with its libraries and loader in
# perfpkg/), build/, dist/. Results in $OUT/perf/.
set -uo pipefail
cd "$(dirname "$0")/../.."
NODE=${NODE:-/tmp/node}
D="${OUT:-/tmp/out}/perf"
mkdir -p "$D"
export NVML_MIG_READONLY=1 PYTHONUNBUFFERED=1
unset NVML_LIBRARY_PATH NVML_MOCK_MACHINE NVML_MOCK_STATE NVML_MOCK_LATENCY_US
REAL=${NVML_REAL_LIB:-}
[ -n "$REAL" ] || REAL=$(ldconfig -p | awk '/libnvidia-ml\.so\.1 .*x86-64/ {print $NF; exit}')
[ -n "$REAL" ] || { echo "perf-device: no libnvidia-ml.so.1 in the loader cache" >&2; exit 2; }

state() { nvidia-smi --query-gpu=index,name,driver_version,mig.mode.current,mig.mode.pending --format=csv; }
state >"$D/state-before.txt"
{
  echo "library: $REAL"
  echo "perf_event_paranoid: $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)"
  lscpu | grep -E 'Model name|^CPU\(s\)|MHz|Hypervisor' || true
} >"$D/machine.txt"

PERF=()
if [ -f .device/perf.tar.xz ]; then
  tar -C /tmp -xJf .device/perf.tar.xz
  PERF=(/tmp/perfpkg/lib/ld-linux-x86-64.so.2 --library-path /tmp/perfpkg/lib /tmp/perfpkg/perf)
fi

# profile NAME CMD...: a flat profile (by library and symbol) of CMD.
profile() {
  local name=$1
  shift
  if [ ${#PERF[@]} -eq 0 ]; then
    "$@" >"$D/$name.out" 2>&1
    return
  fi
  "${PERF[@]}" record -e cpu-clock -F 10000 -g -o "$D/$name.data" -- "$@" >"$D/$name.out" 2>"$D/$name.record.txt"
  "${PERF[@]}" report -i "$D/$name.data" --stdio --no-children --sort dso,sym --percent-limit 0.3 -g none \
    >"$D/$name.txt" 2>/dev/null
  "${PERF[@]}" report -i "$D/$name.data" --stdio --no-children --sort dso -g none >"$D/$name-dso.txt" 2>/dev/null
  "${PERF[@]}" report -i "$D/$name.data" --stdio --no-children --sort sym -g caller --percent-limit 3 \
    >"$D/$name-callers.txt" 2>/dev/null
  rm -f "$D/$name.data"
}

for op in count handle name uuid memory processes; do
  case $op in memory | processes) n=300000 ;; *) n=3000000 ;; esac
  profile "sync-$op" "$NODE" --perf-basic-prof bench/diag/client.js "$REAL" "$op" "$n"
done
rm -f /tmp/perf-*.map
FLOOR=/tmp/nvml-mig-floor
cc -O2 -I native bench/floor.c -ldl -o "$FLOOR"
profile floor "$FLOOR" "$REAL" --samples 20000 count handle name uuid memory processes

"$NODE" bench/diag/napi-floor.js "$REAL" --addon .device/napi_floor.node --rounds 7 >"$D/napi-floor.txt" 2>&1
"$FLOOR" "$REAL" --samples 2000 count handle name uuid memory processes >>"$D/napi-floor.txt" 2>&1

HANDOFF=/tmp/nvml-mig-handoff
cc -O2 -pthread bench/diag/handoff.c -ldl -o "$HANDOFF" && "$HANDOFF" "$REAL" 300 >"$D/handoff.txt" 2>&1

for spin in 0 10 25 50 100 200; do
  NVML_MIG_SPIN_US=$spin "$NODE" bench/diag/client.js "$REAL" promise 300
done >"$D/spin.txt" 2>&1

python3 bench/diag/latency_real.py "$REAL" >"$D/latency.json" 2>&1

state >"$D/state-after.txt"
if ! cmp -s "$D/state-before.txt" "$D/state-after.txt"; then
  echo "perf-device: the GPU's state changed during the run" >&2
  exit 1
fi
