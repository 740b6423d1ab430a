#!/usr/bin/env bash
# Full fault run: every NVML return code (0-30, 999) into every bound function, repeated
# HARDENING_FAULT_ROUNDS times (default 10) to show that nothing accumulates (handle table slots,
# RSS), plus init/shutdown faults, every code through every facade method, and the exporter with
# codes into each function a snapshot calls. On the shared build (`npm run build` first) or, with
# HARDENING_PRIVATE=1, a build of its own.
# Usage: faults.sh [rounds]
set -euo pipefail
source "$(dirname "$0")/common.sh"
enter_tree
export HARDENING_FAULT_ROUNDS=${1:-${HARDENING_FAULT_ROUNDS:-10}}
start=$(date +%s)
set +e
npx vitest run test/hardening/faults.test.ts test/hardening/faults-facade.test.ts test/hardening/exporter.test.ts \
  2>&1 | tee /tmp/nvml-mig-faults.log | grep -E "faults:|faults-facade:|exporter:|Test Files|Tests |FAIL|AssertionError"
status=${PIPESTATUS[0]}
set -e
echo "faults: $HARDENING_FAULT_ROUNDS extra rounds, exit $status, $(( $(date +%s) - start )) s (log /tmp/nvml-mig-faults.log)"
exit $status
