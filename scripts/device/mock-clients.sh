#!/usr/bin/env bash
# Runs real NVML clients (nvidia-smi, pynvml) against the bundled mock libnvidia-ml.so.1 on a
# machine that has them (the real GPU machine), to record how far they get. Listing commands only:
# nothing here can change a GPU, and every client is pointed at the mock with LD_LIBRARY_PATH.
#
#   scripts/device/mock-clients.sh            (repo root; needs build/Release/mock/libnvidia-ml.so.1)
#
# For each prepared state (scripts/device/mock-state-*.json, copied to a scratch file first) it runs
# nvidia-smi -L, nvidia-smi mig -lgip/-lgipp/-lgi/-lci/-lcip and scripts/device/mock-pynvml.py, and
# writes every output and exit code to $OUT/mock-clients/<state>.txt, then a summary.txt that says,
# per command, whether the mock was the library actually loaded (ld.so's own trace for nvidia-smi,
# /proc/self/maps for pynvml) and whether the output shows the mock's UUIDs.
set -u
cd "$(dirname "$0")/../.."
MOCK_DIR="$PWD/build/Release/mock"
DEST="${OUT:-$PWD/out}/mock-clients"
mkdir -p "$DEST"
SUMMARY="$DEST/summary.txt"
: >"$SUMMARY"
[ -f "$MOCK_DIR/libnvidia-ml.so.1" ] || { echo "missing $MOCK_DIR/libnvidia-ml.so.1 (build it: scripts/build-dev.sh nvidia-ml)" | tee -a "$SUMMARY"; exit 2; }
{
  echo "host: $(hostname)  date: $(date -u +%FT%TZ)"
  echo "nvidia-smi: $(command -v nvidia-smi || echo none)  python3: $(python3 --version 2>&1)"
  python3 -c 'import pynvml; print("pynvml:", pynvml.__file__)' 2>&1
  echo "mock: $MOCK_DIR/libnvidia-ml.so.1"
  echo
} >>"$SUMMARY"

for STATE in scripts/device/mock-state-*.json; do
  TAG=$(basename "$STATE" .json)
  TAG=${TAG#mock-state-}
  REPORT="$DEST/$TAG.txt"
  SCRATCH=$(mktemp -d)
  cp "$STATE" "$SCRATCH/state.json"  # the mock may rewrite its state file; keep the prepared one intact
  export NVML_MOCK_STATE="$SCRATCH/state.json"
  # The mock's UUIDs: any of them in a client's output proves it read the mock.
  UUIDS=$(python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
for g in s["gpus"]:
  print(g["uuid"])
  for gi in g["gpuInstances"]:
    for ci in gi["computeInstances"]: print(ci["uuid"])' "$NVML_MOCK_STATE")
  : >"$REPORT"
  echo "== state $TAG ($STATE)" >>"$REPORT"
  echo "mock UUIDs:" >>"$REPORT"
  echo "$UUIDS" | sed 's/^/  /' >>"$REPORT"

  run() {  # run NAME CMD...: output, exit code, which libnvidia-ml ld.so mapped, mock UUIDs seen
    local name=$1
    shift
    local out rc trace calls loaded seen
    out=$(LD_LIBRARY_PATH="$MOCK_DIR" timeout 60 "$@" 2>&1)
    rc=$?
    # Second pass: ld.so's trace says which libnvidia-ml was mapped; the mock's own trace
    # (NVML_MOCK_TRACE=1) lists the NVML calls the client made and what they returned.
    trace=$(LD_LIBRARY_PATH="$MOCK_DIR" LD_DEBUG=libs NVML_MOCK_TRACE=1 timeout 60 "$@" 2>&1 >/dev/null)
    calls=$(grep '^nvml-mock: ' <<<"$trace" | head -40)
    trace=$(grep -o 'calling init: [^ ]*libnvidia-ml[^ ]*' <<<"$trace" | sort -u)
    case "$trace" in
      *"$MOCK_DIR"*) loaded=mock ;;
      "") loaded=unknown ;;
      *) loaded=OTHER ;;
    esac
    seen=no
    while read -r u; do
      [ -n "$u" ] && case "$out" in *"$u"*) seen=yes ;; esac
    done <<<"$UUIDS"
    {
      echo
      echo "---- $name: $*"
      echo "exit: $rc   library loaded: $loaded ${trace:+($trace)}   mock UUIDs in output: $seen"
      echo "$out"
      [ -n "$calls" ] && echo "NVML calls (first 40):" && echo "$calls" | sed 's/^/  /'
    } >>"$REPORT"
    printf '%-14s %-28s exit %-3s loaded %-7s mock-uuids %s\n' "$TAG" "$name" "$rc" "$loaded" "$seen" >>"$SUMMARY"
  }

  if command -v nvidia-smi >/dev/null; then
    run "nvidia-smi -L" nvidia-smi -L
    run "mig -lgip" nvidia-smi mig -lgip
    run "mig -lgipp" nvidia-smi mig -lgipp
    run "mig -lgi" nvidia-smi mig -lgi
    run "mig -lci" nvidia-smi mig -lci
    run "mig -lcip" nvidia-smi mig -lcip
  else
    echo "$TAG nvidia-smi not found" >>"$SUMMARY"
  fi
  run "pynvml" python3 scripts/device/mock-pynvml.py
  rm -rf "$SCRATCH"
done
cat "$SUMMARY"
