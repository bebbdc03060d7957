#!/usr/bin/env bash
# Runs every zombienet/0*.zndsl against the assay-node binary with the native provider.
#
# Usage: ZOMBIE_NODE_BIN=/var/tmp/assay-target/release/assay-node zombienet/run-tests.sh [0001-finality ...]
#   ZOMBIE_NODE_BIN  absolute path of assay-node (default /var/tmp/assay-target/release/assay-node)
#   ZOMBIE_TIMEOUT   seconds allowed per test, network start included (default 900)
#   ZOMBIE_KEEP=1    keep the network directories of passing tests too (failing ones are kept)
# Arguments, if any, name the tests to run (file names without .zndsl); default: all of them.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

export ZOMBIE_NODE_BIN="${ZOMBIE_NODE_BIN:-/var/tmp/assay-target/release/assay-node}"
case "$ZOMBIE_NODE_BIN" in
  /*) ;;
  *) ZOMBIE_NODE_BIN="$(cd "$(dirname "$ZOMBIE_NODE_BIN")" && pwd)/$(basename "$ZOMBIE_NODE_BIN")" ;;
esac
if [ ! -x "$ZOMBIE_NODE_BIN" ]; then
  echo "zombienet: node binary $ZOMBIE_NODE_BIN not found or not executable (set ZOMBIE_NODE_BIN)" >&2
  exit 2
fi
per_test_timeout="${ZOMBIE_TIMEOUT:-900}"

# Validator inference (network.toml): the shipped models under their ids and the
# .venv ONNX Runtime library, as absolute paths.
export ZOMBIE_REPO="$(cd "$here/.." && pwd)"
if flags="$(bash "$ZOMBIE_REPO/scripts/inference-env.sh" "${TMPDIR:-/tmp}/zn-assay-models")"; then
  read -r _ shipped _ ZOMBIE_ONNXRUNTIME_LIB <<<"$flags"
  # One model cache per node (network.toml), each starting with the shipped models only:
  # what a node fetches lands in its own cache.
  export ZOMBIE_INFERENCE_MODELS="${TMPDIR:-/tmp}/zn-assay-caches"
  rm -rf "$ZOMBIE_INFERENCE_MODELS"
  for name in alice bob charlie dave; do
    mkdir -p "$ZOMBIE_INFERENCE_MODELS/$name" && cp "$shipped"/*.onnx "$ZOMBIE_INFERENCE_MODELS/$name/"
  done
  export ZOMBIE_ONNXRUNTIME_LIB
else
  echo "zombienet: no ONNX Runtime in .venv (make setup); the inference test will fail" >&2
fi

# The runtime-upgrade test sets the wasm of runtime/upgrade-test (built by `make build`).
export ZOMBIE_UPGRADE_WASM="${ZOMBIE_UPGRADE_WASM:-${CARGO_TARGET_DIR:-/var/tmp/assay-target}/release/wbuild/assay-runtime-upgrade-test/assay_runtime_upgrade_test.compact.compressed.wasm}"

if [ ! -x "$here/node_modules/.bin/zombienet" ]; then
  echo "zombienet: installing node_modules (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund) || { echo "zombienet: npm ci failed" >&2; exit 2; }
fi
ZN="$here/node_modules/.bin/zombienet"

base="$(mktemp -d "${TMPDIR:-/tmp}/zn-assay.XXXXXX")"
dir=""

# Kill whatever is left of the network in $dir (nodes are started with --base-path under it).
reap() {
  [ -n "$dir" ] || return 0
  pkill -TERM -f "$dir" 2>/dev/null || true
  for _ in 1 2 3 4 5; do pgrep -f "$dir" >/dev/null 2>&1 || return 0; sleep 1; done
  pkill -KILL -f "$dir" 2>/dev/null || true
}
trap 'reap; echo "zombienet: interrupted" >&2; exit 130' INT TERM

if [ "$#" -gt 0 ]; then
  tests=(); for n in "$@"; do tests+=("$here/${n%.zndsl}.zndsl"); done
else
  tests=("$here"/0*.zndsl)
fi

pass=0; fail=0; failed=()
for t in "${tests[@]}"; do
  name="$(basename "$t" .zndsl)"
  dir="$base/$name"
  echo "=== $name ($(date -u +%H:%M:%S))"
  start=$SECONDS
  # GNU timeout runs zombienet in its own process group and signals the whole group on
  # expiry: zombienet AND the node processes it spawned.
  rc=1
  if [ -f "$t" ]; then
    (cd "$here" && timeout -k 20 "$per_test_timeout" "$ZN" -p native -l text -d "$dir" -f test "$t")
    rc=$?
  else
    echo "zombienet: no test $t" >&2
  fi
  if [ "$rc" -eq 0 ]; then
    pass=$((pass+1)); result=passed
  else
    fail=$((fail+1)); failed+=("$name"); result=FAILED
    case "$rc" in 124|137) result="FAILED (timed out after $per_test_timeout s)" ;; esac
    echo "--- last log lines of $name ($dir)"
    for log in "$dir"/*.log; do
      [ -f "$log" ] || continue
      echo "----- $log"; tail -n 50 "$log"
    done
  fi
  reap
  echo "=== $name $result in $((SECONDS-start)) s"
  if [ "$result" = passed ] && [ "${ZOMBIE_KEEP:-0}" != 1 ]; then rm -rf "$dir"; fi
done
dir=""
rmdir "$base" 2>/dev/null || echo "zombienet: network directories kept under $base"

echo "zombienet: $pass passed, $fail failed${failed[*]:+ (${failed[*]})}"
[ "$fail" -eq 0 ]
