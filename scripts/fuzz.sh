#!/usr/bin/env bash
# The fuzz targets of fuzz/ (libFuzzer on the stable toolchain): builds them with coverage
# instrumentation, then runs each for a while on its kept corpus.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]   each target SECONDS long (default 20)
#   FUZZ_MERGE=1 bash scripts/fuzz.sh 600        a long run whose new inputs are merged,
#                                                minimized, into fuzz/corpus/<target>
#
# What `cargo fuzz` does, without its nightly-only sanitizer flags: rustc's sancov pass
# (stable `-C passes`/`-C llvm-args`), `--cfg fuzzing`, debug assertions and overflow
# checks on; an explicit `--target` so build scripts and proc macros are not instrumented;
# a target directory of its own (the flags differ from the workspace build's).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/assay-target}"
export OPENSSL_NO_VENDOR=1
export WASM_BUILD_WORKSPACE_HINT="$PWD"
# The runtime is fuzzed natively: no wasm build.
export SKIP_WASM_BUILD=1

seconds="${1:-20}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(clearing coverage device_reports)

host="$(rustc -vV | sed -n 's/^host: //p')"
fuzz_dir="$CARGO_TARGET_DIR/fuzz"
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
cargo build --release --locked -p assay-fuzz --features libfuzzer --bins \
  --target "$host" --target-dir "$fuzz_dir"
bin_dir="$fuzz_dir/$host/release"

status=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  work="$(mktemp -d)"
  mkdir -p "$work/new" "$work/artifacts"
  log="$work/log"
  # New inputs go to a scratch directory; the kept corpus is only read.
  set +e
  "$bin_dir/$target" "$work/new" "$corpus" -max_total_time="$seconds" -rss_limit_mb=4096 \
    -max_len=4096 -timeout=20 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    >"$log" 2>&1
  rc=$?
  set -e
  runs="$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log")"
  cov="$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)"
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $target: ${runs:-0} runs in $seconds s, coverage ${cov:-0} edges, no crash"
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
      "$bin_dir/$target" -merge=1 "$corpus" "$work/new" >"$work/merge.log" 2>&1
      echo "fuzz: $target: corpus now $(ls "$corpus" | wc -l) inputs"
    fi
  else
    status=1
    tail -60 "$log"
    mkdir -p fuzz/artifacts
    cp "$work"/artifacts/* fuzz/artifacts/ 2>/dev/null || true
    echo "fuzz: $target: FAILED (exit $rc) after ${runs:-?} runs; the input is in fuzz/artifacts/"
  fi
  rm -rf "$work"
done
exit $status
