#!/usr/bin/env bash
# Full hostile-input run: the raw native surface and the facade fuzzed with fast-check (and the
# layout safety property, and the CLI's and the layout functions' hostile-input properties) at HARDENING_RUNS cases per property (default 20000), on the shared
# build (`npm run build` first) or, with HARDENING_PRIVATE=1, a build of its own. A failure prints
# fast-check's seed and path: rerun with HARDENING_SEED=<seed> to reproduce. Usage: fuzz.sh [runs]
set -euo pipefail
source "$(dirname "$0")/common.sh"
enter_tree
export HARDENING_RUNS=${1:-${HARDENING_RUNS:-20000}}
start=$(date +%s)
set +e
npx vitest run test/hardening/fuzz-native.test.ts test/hardening/fuzz-facade.test.ts test/hardening/layout-safety.test.ts \
  test/cli/property.test.ts test/layout/property.test.ts \
  2>&1 | tee /tmp/nvml-mig-fuzz.log | grep -E "fuzz-|layout-safety:|Test Files|Tests |FAIL|Counterexample|seed"
status=${PIPESTATUS[0]}
set -e
echo "fuzz: $HARDENING_RUNS runs per property, exit $status, $(( $(date +%s) - start )) s (log /tmp/nvml-mig-fuzz.log)"
exit $status
