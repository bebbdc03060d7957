#!/usr/bin/env bash
# `make test`: every test in the repository. Prints each runner's own summary at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/assay-target}"
export OPENSSL_NO_VENDOR=1
export WASM_BUILD_WORKSPACE_HINT="$PWD"

summary=()
status=0
run() {
  local name="$1"; shift
  echo "=== $name: $*"
  local log; log="$(mktemp)"
  "$@" 2>&1 | tee "$log"
  local rc="${PIPESTATUS[0]}"
  [ "$rc" -eq 0 ] || status=1
  summary+=("--- $name (exit $rc)")
  # The runners' own summary lines: cargo's "test result:" lines, node's "# pass/# fail",
  # zombienet's per-test results and totals.
  while IFS= read -r line; do summary+=("$line"); done < <(grep -E '^(test result:|# (tests|pass|fail|skipped|duration_ms)|=== 0[0-9]+-.* (passed|FAILED)|zombienet: [0-9]+ passed|check: )' "$log")
  rm -f "$log"
}

run "node build" cargo build --release --locked -p assay-node -p assay-runtime-upgrade-test
run "cargo tests" cargo test --release --locked --workspace
run "benchmark tests" cargo test --release --locked -p pallet-validator-set -p pallet-device-registry -p pallet-compute-market -p pallet-proof-of-coverage -p pallet-energy-market --features runtime-benchmarks
run "device agent build" cargo build --release --locked --manifest-path clients/device-agent/Cargo.toml
run "device agent tests" cargo test --release --locked --manifest-path clients/device-agent/Cargo.toml
run "end-to-end" bash -c "cd clients/e2e && ASSAY_NODE_BIN='$CARGO_TARGET_DIR/release/assay-node' npm test"
run "zombienet" env ZOMBIE_NODE_BIN="$CARGO_TARGET_DIR/release/assay-node" bash zombienet/run-tests.sh
run "demo" bash scripts/demo.sh

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
