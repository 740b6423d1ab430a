#!/usr/bin/env bash
# Concurrency soak: the concurrency suite (thousands of calls in flight, shutdown mid-flight,
# init/shutdown races, worker threads incl. termination), the shared mock state file (concurrent
# writers; HARDENING_KILLS SIGKILLs mid-write, default 100), the exporter under load and the leak
# checks, repeated ROUNDS times (default 10). On the shared build or, with HARDENING_PRIVATE=1, a
# build of its own. Usage: soak.sh [rounds]
set -uo pipefail
source "$(dirname "$0")/common.sh"
enter_tree
ROUNDS=${1:-10}
export HARDENING_KILLS=${HARDENING_KILLS:-100}
start=$(date +%s)
failed=0
for i in $(seq 1 "$ROUNDS"); do
  if npx vitest run test/hardening/concurrency.test.ts test/hardening/mock-state.test.ts \
      test/hardening/exporter.test.ts test/hardening/leaks.test.ts >/tmp/nvml-mig-soak.$i.log 2>&1; then
    echo "soak round $i: passed ($(grep -E "Tests " /tmp/nvml-mig-soak.$i.log | sed 's/\x1b\[[0-9;]*m//g' | xargs))"
  else
    failed=$((failed + 1))
    echo "soak round $i: FAILED (log /tmp/nvml-mig-soak.$i.log)"
  fi
done
echo "soak: $ROUNDS rounds, $failed failed, $HARDENING_KILLS SIGKILLs per round, $(( $(date +%s) - start )) s"
[ "$failed" -eq 0 ]
