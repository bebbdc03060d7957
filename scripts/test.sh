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
  local started=$SECONDS
  echo "=== $name: $*"
  local log; log="$(mktemp)"
  "$@" 2>&1 | tee "$log"
  local rc="${PIPESTATUS[0]}"
  [ "$rc" -eq 0 ] || status=1
  summary+=("--- $name (exit $rc, $((SECONDS - started)) s)")
  # The runners' own summary lines: cargo's "test result:" lines, node's "# pass/# fail",
  # zombienet's per-test results and totals, Playwright's totals ("  6 passed (1.2m)").
  while IFS= read -r line; do summary+=("$line"); done < <(grep -E '^(test result:|# (tests|pass|fail|skipped|duration_ms)|=== 0[0-9]+-.* (passed|FAILED)|zombienet: [0-9]+ passed|check: |fuzz: |models: |  [0-9]+ (passed|failed|flaky|skipped|did not run|interrupted))' "$log")
  rm -f "$log"
}

agent=(--manifest-path clients/device-agent/Cargo.toml)

# Fail fast: formatting, then lints. (Clippy runs the build scripts as the build does,
# so the runtime wasm it builds on a cold machine is the one the node build then uses.)
run "fmt" bash -c "cargo fmt --all --check && cargo fmt --all --check ${agent[*]}"
[ "$status" -eq 0 ] || { printf '%s\n' "${summary[@]}"; exit 1; }
run "clippy" cargo clippy --release --locked --workspace --all-targets -- -D warnings
run "clippy (device agent)" cargo clippy --release --locked "${agent[@]}" --all-targets -- -D warnings
[ "$status" -eq 0 ] || { printf '%s\n' "${summary[@]}"; exit 1; }

# One build of every target (the node, the upgrade-test runtime, test binaries, examples)
# in one invocation: the tests then reuse it, and dependencies are compiled with one set of
# features instead of one for the node and another for the tests.
run "build" cargo build --release --locked --workspace --all-targets
run "cargo tests" cargo test --release --locked --no-fail-fast --workspace
# The benchmarks as tests: the pallets with `--features runtime-benchmarks`.
mapfile -t pallets < <(grep -v '^#' scripts/benchmarked-pallets)
run "benchmark tests" cargo test --release --locked --no-fail-fast "${pallets[@]/#/--package=pallet-}" --features runtime-benchmarks
# The fuzz targets (fuzz/): an instrumented build of their own, then 20 s of each.
run "fuzz" bash scripts/fuzz.sh 20
run "device agent build" cargo build --release --locked "${agent[@]}"
run "device agent tests" cargo test --release --locked "${agent[@]}"
# The shipped models against their cards, on held-out data (models/check.py); the
# coverage-fraud model's held-out cities come from the device agent just built.
run "models" .venv/bin/python models/check.py
run "end-to-end" bash -c "cd clients/e2e && ASSAY_NODE_BIN='$CARGO_TARGET_DIR/release/assay-node' npm test"
run "zombienet" env ZOMBIE_NODE_BIN="$CARGO_TARGET_DIR/release/assay-node" bash zombienet/run-tests.sh
# The demo, then the explorer's browser tests against the chain the agent filled (explorer/).
run "demo + explorer" env EXPLORER_TEST=1 bash scripts/demo.sh

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
exit $status
