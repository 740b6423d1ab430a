#!/usr/bin/env bash
# valgrind memcheck of the addon and the mock: scripts/hardening/valgrind-driver.js (the whole
# raw surface, faults into every bound function, GI/CI churn, open/close with calls in flight)
# under memcheck, with the native code built -g -O1 in a private copy of the tree. vitest itself
# is not run under valgrind: a runner plus forked workers, all JIT-compiling, take hours there.
# Node runs with --jitless so that V8 writes no machine code at run time (memcheck would need
# --smc-check=all and still report V8's own tricks); the addon's paths are the same either way.
# Fails on any memcheck error or any "definitely lost" block. Usage: valgrind.sh [rounds]
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=${HARDENING_WORK:-/tmp/nvml-mig-valgrind}
ROUNDS=${1:-2}

start=$(date +%s)
rm -rf "$WORK"
copy_tree "$WORK"
build_native "$WORK" "-g -O1 -fno-omit-frame-pointer" ""
echo "valgrind: -g -O1 build in $(( $(date +%s) - start )) s"

LOG="$WORK/memcheck.log"
set +e
NVML_MOCK_MACHINE=h100-80gb:2 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --track-origins=yes --num-callers=40 --error-exitcode=99 \
  --suppressions="$ROOT/scripts/hardening/valgrind.supp" --log-file="$LOG" \
  node --jitless "$ROOT/scripts/hardening/valgrind-driver.js" "$WORK" "$ROUNDS" | tee "$WORK/driver.json"
status=${PIPESTATUS[0]}
set -e
grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:|suppressed:" "$LOG" | sed 's/^==[0-9]*== *//'
ours=$(grep -c "nvml_mig.node\|libnvidia-ml" "$LOG" || true)
echo "valgrind: exit $status; lines naming our libraries in the report: $ours; log $LOG; $(( $(date +%s) - start )) s in all"
exit $status
