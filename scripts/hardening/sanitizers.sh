#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run: the addon and both mocks built with
# -fsanitize=address,undefined in a private copy of the tree (the shared build/ is untouched),
# then the suites run under them. Node itself is not instrumented, so libasan is preloaded (it must
# be the first DSO) and leak detection is off (V8 keeps its heap until exit; the valgrind run
# covers leaks). Any sanitizer report aborts the process, is logged to $WORK/reports/, and fails.
#
#   scripts/hardening/sanitizers.sh [vitest folders...]   (default: native core mock hardening layout monitor)
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=${HARDENING_WORK:-/tmp/nvml-mig-sanitizers}
SUITES=("${@:-test/native test/core test/mock test/hardening test/layout test/monitor}")

start=$(date +%s)
rm -rf "$WORK"
copy_tree "$WORK"
FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
build_native "$WORK" "$FLAGS" "-fsanitize=address,undefined"
built=$(date +%s)
echo "sanitizers: instrumented build in $((built - start)) s ($WORK/build)"

# Prove the build is instrumented before trusting a clean run.
for so in nvml_mig.node mock/libnvidia-ml.so.1 mock-legacy/libnvidia-ml.so.1; do
  syms=$(nm -D "$WORK/build/Release/$so")
  grep -q __asan_report <<<"$syms" && grep -q __ubsan_handle <<<"$syms" || { echo "$so is not instrumented"; exit 1; }
done

mkdir -p "$WORK/reports"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# detect_leaks=0: LeakSanitizer would report V8's and Node's own allocations at exit.
# allow_user_segv_handler=1: V8 installs its own SIGSEGV handler (WebAssembly trap handling).
export ASAN_OPTIONS="detect_leaks=0:allow_user_segv_handler=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:log_path=$WORK/reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$WORK/reports/ubsan"
export HARDENING_SANITIZED=1

set +e
(cd "$WORK" && npx vitest run ${SUITES[*]} --reporter=default --reporter=json --outputFile="$WORK/results.json" \
  >"$WORK/vitest.log" 2>&1)
status=$?
set -e
tail -15 "$WORK/vitest.log"
reports=$(ls "$WORK/reports" 2>/dev/null | wc -l)
node -e '
  const r = require(process.argv[1]);
  console.log(`sanitizers: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numTotalTestSuites} suites`);
' "$WORK/results.json" || true
echo "sanitizers: $reports sanitizer report file(s) in $WORK/reports; suites: ${SUITES[*]}; $(( $(date +%s) - start )) s in all"
if [ "$reports" -gt 0 ]; then head -60 "$WORK"/reports/*; exit 1; fi
exit $status
