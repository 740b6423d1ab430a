#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run: the addon and both mocks built with
# -fsanitize=address,undefined in a private copy of the tree (the shared build/ is untouched),
# then the suites run under them. Node itself is not instrumented, so libasan is preloaded (it must
# be the first DSO) and leak detection is off (V8 keeps its heap until exit; the valgrind run
# covers leaks). Any sanitizer report aborts the process, is logged to $WORK/reports/, and fails.
#
#   scripts/hardening/sanitizers.sh [vitest folders...]   (default: native core mock hardening layout monitor cli)
set -euo pipefail
source "$(dirname "$0")/common.sh"
WORK=${HARDENING_WORK:-/tmp/nvml-mig-sanitizers}
SUITES=("${@:-test/native test/core test/mock test/hardening test/layout test/monitor test/cli}")

start=$(date +%s)
rm -rf "$WORK"
copy_tree "$WORK"
# -fsanitize-recover=address lets the koffi pass below log and go on; every other run halts on the
# first report (halt_on_error=1).
FLAGS="-fsanitize=address,undefined -fsanitize-recover=address -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
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

# vitest_pass NAME ASAN_EXTRA FOLDERS...: one vitest run with its JSON results in $WORK/NAME.json.
vitest_pass() {
  local name=$1 extra=$2
  shift 2
  (cd "$WORK" && ASAN_OPTIONS="$ASAN_OPTIONS$extra" npx vitest run "$@" --reporter=default --reporter=json \
    --outputFile="$WORK/$name.json" >"$WORK/$name.log" 2>&1)
}

MAIN=() KOFFI=()
for s in ${SUITES[*]}; do if [ "$s" = test/mock ]; then KOFFI+=("$s"); else MAIN+=("$s"); fi; done
set +e
vitest_pass main "" "${MAIN[@]}"
status=$?
# test/mock drives the mock through koffi, which runs each C call on a stack of its own: when a
# C++ exception unwinds there, ASan cannot unpoison that stack (google/sanitizers#189: the
# "ignoring requested __asan_handle_no_return" warning) and may then report stack-use-after-scope
# inside its own sigaltstack interceptor. This pass goes on after a report (halt_on_error=0);
# such reports are told apart below (koffi frame + that interceptor) and listed, not counted;
# every other report fails the run.
if [ ${#KOFFI[@]} -gt 0 ]; then
  vitest_pass koffi ":halt_on_error=0" "${KOFFI[@]}"
  status=$((status | $?))
fi
set -e
for name in main koffi; do
  [ -f "$WORK/$name.json" ] || continue
  tail -6 "$WORK/$name.log"
  node -e '
    const r = require(process.argv[1]);
    console.log(`sanitizers (${process.argv[2]}): ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped, ${r.numTotalTestSuites} suites`);
  ' "$WORK/$name.json" "$name" || true
done
# Real reports only: ASan also writes the koffi stack warning above to these files.
real=() known=()
for f in $(grep -l "ERROR: AddressSanitizer\|runtime error:\|ERROR: UndefinedBehaviorSanitizer" "$WORK"/reports/* 2>/dev/null); do
  if grep -q "koffi.node" "$f" && grep -q "stack-use-after-scope" "$f" && grep -q "__interceptor_sigaltstack" "$f"; then
    known+=("$f")
  else
    real+=("$f")
  fi
done
echo "sanitizers: ${#real[@]} error report(s) from our code; ${#known[@]} koffi stack-switch report(s) (google/sanitizers#189) ${known[*]}"
echo "sanitizers: suites ${SUITES[*]}; $(( $(date +%s) - start )) s in all"
if [ ${#real[@]} -gt 0 ]; then head -40 "${real[@]}"; exit 1; fi
exit $status
