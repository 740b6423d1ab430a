#!/usr/bin/env bash
# The real nvidia-smi against the mock, beside nvml-mig on the same states (run on a machine with
# an NVIDIA driver). For every state in test/fidelity/states/ (made by make-states.js) and every
# listing command, nvidia-smi runs with LD_LIBRARY_PATH at the mock and NVML_MOCK_STATE at a copy
# of the state, nvml-mig runs on the same copy, and the two outputs are compared byte for byte
# (the dashboard's first line, a timestamp, aside). Then the MIG workflow's instance commands run
# through nvidia-smi against the mock, each checked afterwards in the mock's state with nvml-mig.
#
# SAFETY (a shared machine with a real GPU): listing commands only, except the instance commands
# of the workflow, and each of those runs only after ld.so's own trace (LD_DEBUG=libs) of the same
# command line, environment and binary shows that libnvidia-ml.so.1 came from the mock folder and
# from nowhere else; otherwise the script stops. No -mig, -r, -pm or other setting is ever run.
# The real GPU's MIG mode (nvidia-smi without LD_LIBRARY_PATH) is recorded before and after.
#
# Inputs: MOCK_DIR (folder of the mock libnvidia-ml.so.1; default build/Release/mock), NODE
# (default /tmp/node, else node), the CLI at dist/cli/main.js with its addon built.
# Results in $OUT/fidelity/: summary.txt (one verdict per state and command, then the figures),
# smi/ and cli/ (every output), diffs.txt, workflow.txt, real-gpu-mig-mode.txt, loader-proof.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MOCK_DIR=$(cd "${MOCK_DIR:-build/Release/mock}" && pwd)
NODE=${NODE:-/tmp/node}
[ -x "$NODE" ] || NODE=$(command -v node || true)
[ -n "$NODE" ] || { echo "no node" >&2; exit 2; }
SMI=$(command -v nvidia-smi) || { echo "no nvidia-smi" >&2; exit 2; }
D="${OUT:-/tmp/out}/fidelity"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$D/smi" "$D/cli"
CLI=("$NODE" "$ROOT/dist/cli/main.js")

real_mode() { (unset LD_LIBRARY_PATH NVML_MOCK_STATE; "$SMI" --query-gpu=index,mig.mode.current,mig.mode.pending --format=csv); }
echo "before: $(real_mode | tr '\n' ' ')" >"$D/real-gpu-mig-mode.txt"

# fresh NAME STATE: a private copy of a prepared state.
fresh() { rm -f "$W/$1.json" "$W/$1.json.lock"; cp "$2" "$W/$1.json"; }

# smi STATEFILE ARGS...: nvidia-smi on the mock (listing commands only).
smi() { local s=$1; shift; LD_LIBRARY_PATH="$MOCK_DIR" NVML_MOCK_STATE="$s" "$SMI" "$@"; }
# cli STATEFILE ARGS...: nvml-mig on the same mock library and state.
cli() { local s=$1; shift; NVML_MOCK_STATE="$s" "${CLI[@]}" --mock= --mock-state "$s" "$@"; }

# proof STATEFILE ARGS...: ld.so's trace of this very command line must load libnvidia-ml.so.1 from
# the mock folder and from nowhere else. The traced run is a listing (-L) with the same
# environment; the command to be proven is only named in the record.
proof() {
  local s=$1; shift
  local t="$W/lddebug.txt"
  LD_DEBUG=libs LD_LIBRARY_PATH="$MOCK_DIR" NVML_MOCK_STATE="$s" "$SMI" -L >/dev/null 2>"$t"
  local mine others
  mine=$(grep -c "calling init: $MOCK_DIR/libnvidia-ml.so.1\$" "$t")
  others=$(grep "calling init: .*libnvidia-ml" "$t" | grep -vc "calling init: $MOCK_DIR/libnvidia-ml.so.1\$")
  { echo "=== before: nvidia-smi $*"; grep "libnvidia-ml" "$t"; } >>"$D/loader-proof.txt"
  if [ "$mine" -lt 1 ] || [ "$others" -ne 0 ]; then
    echo "ABORT: nvidia-smi did not load the mock ($mine mock, $others other libnvidia-ml) before: $*" | tee -a "$D/summary.txt" >&2
    exit 3
  fi
}
# smi_change STATEFILE ARGS...: a changing nvidia-smi command, on the mock only, after the proof.
smi_change() {
  local s=$1; shift
  case " $* " in *" -mig "*|*" -r "*|*" -pm "*|*" --gpu-reset "*) echo "ABORT: refused setting: $*" >&2; exit 3 ;; esac
  proof "$s" "$@"
  LD_LIBRARY_PATH="$MOCK_DIR" NVML_MOCK_STATE="$s" "$SMI" "$@"
}

# ---- listings ----
same=0 differ=0
CMDS=("-L" "mig -lgip" "mig -lgipp" "mig -lgi" "mig -lci" "mig -lcip" "" "-q")
for f in test/fidelity/states/*.json; do
  st=$(basename "$f" .json)
  mkdir -p "$D/smi/$st" "$D/cli/$st"
  for c in "${CMDS[@]}"; do
    n=$(echo "${c:-dashboard}" | tr -d ' -')
    fresh "$st" "$f"
    # shellcheck disable=SC2086
    smi "$W/$st.json" $c >"$D/smi/$st/$n.txt" 2>&1; echo "exit $?" >>"$D/smi/$st/$n.txt"
    [ "$n" = q ] && continue # nvml-mig has no -q: nvidia-smi's is recorded only
    fresh "$st" "$f"
    # shellcheck disable=SC2086
    cli "$W/$st.json" $c >"$D/cli/$st/$n.txt" 2>&1; echo "exit $?" >>"$D/cli/$st/$n.txt"
    # The dashboard's first line is the time of day.
    if [ "$n" = dashboard ]; then sed -i '1s/^.*$/<timestamp>/' "$D/smi/$st/$n.txt" "$D/cli/$st/$n.txt"; fi
    if cmp -s "$D/smi/$st/$n.txt" "$D/cli/$st/$n.txt"; then
      same=$((same + 1)); echo "same    $st: ${c:-(bare)}" >>"$D/summary.txt"
    else
      differ=$((differ + 1)); echo "DIFFERS $st: ${c:-(bare)}" >>"$D/summary.txt"
      { echo "=== $st: ${c:-(bare)} (nvidia-smi, then nvml-mig)"; diff "$D/smi/$st/$n.txt" "$D/cli/$st/$n.txt"; } >>"$D/diffs.txt"
    fi
  done
done

# ---- the workflow's instance commands, through nvidia-smi, checked with nvml-mig ----
wf() { echo "\$ $*" >>"$D/workflow.txt"; }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok      $1" >>"$D/summary.txt"; same=$((same + 1))
  else echo "WRONG   $1: expected [$2] got [$3]" >>"$D/summary.txt"; differ=$((differ + 1)); fi
}
S="$W/wf.json"
rm -f "$S" "$S.lock"; cp test/fidelity/states/h100-empty.json "$S"
C="$W/wfcli.json"
rm -f "$C" "$C.lock"; cp test/fidelity/states/h100-empty.json "$C"
gis() { cli "$1" --json mig -lgi | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.gpus.flatMap(d=>d.gpuInstances).map(g=>g.profileId+"@"+g.placement.start+":"+g.placement.size+"#"+g.id).join(","))})'; }
cis() { cli "$1" --json mig -lci | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.gpus.flatMap(d=>d.computeInstances).map(c=>c.gpuInstanceId+"/"+c.id).join(","))})'; }
for step in "mig -cgi 9,14,19 -C" "mig -lgi" "mig -lci" "mig -cgi 19" "mig -dci" "mig -dgi" "mig -cgi 9,9,9" "mig -dgi"; do
  wf "nvidia-smi $step"
  case "$step" in *-l*) smi "$S" $step >>"$D/workflow.txt" 2>&1 ;; *) smi_change "$S" $step >"$W/smi.out" 2>"$W/smi.err"; echo "exit $?" >>"$W/smi.out" ;; esac
  case "$step" in *-l*) ;; *)
    cat "$W/smi.out" >>"$D/workflow.txt"; { echo "--- stderr"; cat "$W/smi.err"; } >>"$D/workflow.txt"
    # nvml-mig runs the same command on its own copy; stdout and stderr must match nvidia-smi's.
    cli "$C" $step >"$W/cli.out" 2>"$W/cli.err"; echo "exit $?" >>"$W/cli.out"
    { echo "--- nvml-mig"; cat "$W/cli.out"; echo "--- nvml-mig stderr"; cat "$W/cli.err"; } >>"$D/workflow.txt"
    if grep -qx 'exit 0' "$W/smi.out"; then
      check "workflow: $step stdout" "$(cat "$W/smi.out")" "$(cat "$W/cli.out")"
      check "workflow: $step stderr" "$(cat "$W/smi.err")" "$(cat "$W/cli.err")"
    else
      # A failure: nvidia-smi writes it on stdout and exits with NVML's code; nvml-mig writes it on
      # stderr with advice in parentheses and exits 3 (docs/cli.md). The lines must be the same.
      check "workflow: $step output (stdout then stderr; nvml-mig's advice aside)" \
        "$(grep -vx 'exit [0-9]*' "$W/smi.out"; cat "$W/smi.err")" \
        "$(grep -vx 'exit [0-9]*' "$W/cli.out"; sed -E 's/ \([^()]*\)$//' "$W/cli.err")"
      check "workflow: $step fails in both" "failed" "$(grep -qx 'exit 0' "$W/cli.out" || echo failed)"
    fi
    check "workflow: GIs after $step (state of nvidia-smi vs nvml-mig)" "$(gis "$C")" "$(gis "$S")"
    check "workflow: CIs after $step (state of nvidia-smi vs nvml-mig)" "$(cis "$C")" "$(cis "$S")"
  ;; esac
  wf "nvml-mig (state left by nvidia-smi): GIs [$(gis "$S")] CIs [$(cis "$S")]"
  # H100 on driver 580 (the user guide's 580 example, a real H100's run): the 3g.40gb gets GI 2 at 4:4,
  # the 2g.20gb GI 3 at 0:2. Where the 1g.10gb goes next is not known from a real driver.
  [ "$step" = "mig -cgi 9,14,19 -C" ] && check "workflow: nvml-mig lists what nvidia-smi created (3g.40gb GI 2 at 4:4, 2g.20gb GI 3 at 0:2)" \
    "9@4:4#2 14@0:2#3" "$(gis "$S" | tr ',' '\n' | grep -E '^(9@4:4#2|14@0:2#3)$' | sort -r | tr '\n' ' ' | sed 's/ $//')"
done
check "workflow: nothing left after -dci, -dgi" "" "$(gis "$S")"

# ---- which export-table slots each command calls (the mock's trace), on a state with processes ----
for c in "${CMDS[@]}"; do
  fresh slots test/fidelity/states/h100-shared-gi.json
  echo "=== nvidia-smi ${c:-(bare)}: $(NVML_MOCK_TRACE=1 smi "$W/slots.json" $c 2>&1 >/dev/null | grep -o 'exportTable\[[0-9]*\] -> [0-9]*' | sort | uniq -c | tr -s ' ' | tr '\n' ';')" >>"$D/slots.txt"
done

echo "after:  $(real_mode | tr '\n' ' ')" >>"$D/real-gpu-mig-mode.txt"
echo "figures: $same identical, $differ differing ($(ls test/fidelity/states/*.json | wc -l) states)" | tee -a "$D/summary.txt"
"$SMI" --version >"$D/nvidia-smi-version.txt" 2>&1
