# Assay: the two commands are `make run` and `make test`; the rest are their pieces.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# One persistent target directory for every build (node, tests, CI), one cargo profile.
export CARGO_TARGET_DIR ?= /var/tmp/assay-target
# Use Debian's OpenSSL instead of building it from source.
export OPENSSL_NO_VENDOR := 1
# The runtime's wasm build uses this workspace's Cargo.lock (the target dir is outside it).
export WASM_BUILD_WORKSPACE_HINT := $(CURDIR)
export PATH := $(HOME)/.cargo/bin:$(PATH)

NODE_BIN := $(CARGO_TARGET_DIR)/release/assay-node
BENCH_BIN := $(CARGO_TARGET_DIR)/release/assay-node-bench
RPC_PORT ?= 9944
EXPLORER_PORT ?= 8080
# The pallets with benchmarks (scripts/benchmarked-pallets, shared with scripts/test.sh);
# `make weights WEIGHT_PALLETS=compute-market` benchmarks one.
BENCHMARKED_PALLETS := $(shell grep -v '^\#' scripts/benchmarked-pallets)
WEIGHT_PALLETS ?= $(BENCHMARKED_PALLETS)

.PHONY: help setup build build-agent build-explorer test-explorer run demo test lint test-rust test-benchmarks test-e2e test-zombienet chain-specs weights wire-vectors

help:
	@echo "make run    - install what is missing, build, start a dev chain with inference (ws://127.0.0.1:$(RPC_PORT)) and the explorer (http://127.0.0.1:$(EXPLORER_PORT))"
	@echo "make test   - install what is missing, run every test"
	@echo "make demo   - a dev chain with inference and a simulated device fleet (assay-agent) for a few minutes"
	@echo "make chain-specs - regenerate chain-specs/local-raw.json from the runtime"
	@echo "make weights     - build with runtime-benchmarks and regenerate the pallets' weights.rs"
	@echo "make lint        - cargo fmt --check and clippy -D warnings (what make test runs first)"
	@echo "make wire-vectors - regenerate wire/vectors.json from assay-wire and the runtime's calls"

setup:
	@bash scripts/setup.sh

# Every target of the workspace in one invocation, as `make test` builds it: the node, the
# upgrade-test runtime, the test binaries. One feature set for all, so after either
# command the other finds everything built.
build: setup
	cargo build --release --locked --workspace --all-targets

# A dev chain whose validator (Alice) serves inference jobs with the shipped models, and the
# explorer (explorer/) served beside it on http://127.0.0.1:$(EXPLORER_PORT).
run: build build-explorer
	flags="$$(bash scripts/inference-env.sh)" && bash explorer/scripts/with-explorer.sh $(EXPLORER_PORT) ws://127.0.0.1:$(RPC_PORT) -- \
		$(NODE_BIN) --dev --tmp --rpc-port $(RPC_PORT) --rpc-cors all $$flags

# The explorer: a static single-page app in explorer/dist.
build-explorer: setup
	cd explorer && npm run --silent build

# The explorer's browser tests against a fresh demo chain (what `make test` runs last).
test-explorer: build build-agent
	EXPLORER_TEST=1 bash scripts/demo.sh

# The device-fleet simulator (clients/device-agent): its own cargo workspace (subxt, no
# polkadot-sdk), built into the same target directory.
build-agent: setup
	cargo build --release --locked --manifest-path clients/device-agent/Cargo.toml

# A dev chain with inference on a temporary base path, the agent against it, its summary;
# the node is stopped even on failure (scripts/demo.sh).
demo: build build-agent build-explorer
	@bash scripts/demo.sh

# Every test: cargo tests (release profile, shared with the node build), the benchmark
# tests of the pallets, then the end-to-end suite against the real node.
test: setup
	@bash scripts/test.sh

# Formatting and lints, as `make test` runs them first.
lint: setup
	cargo fmt --all --check
	cargo fmt --all --check --manifest-path clients/device-agent/Cargo.toml
	cargo clippy --release --locked --workspace --all-targets -- -D warnings
	cargo clippy --release --locked --manifest-path clients/device-agent/Cargo.toml --all-targets -- -D warnings

test-rust: setup
	cargo test --release --locked --no-fail-fast --workspace

test-benchmarks: setup
	cargo test --release --locked --no-fail-fast $(addprefix -p pallet-,$(BENCHMARKED_PALLETS)) --features runtime-benchmarks

# wire/vectors.json from assay-wire and the runtime's calls (see wire/README.md).
wire-vectors: setup
	cargo run --release --locked -p assay-runtime --example wire-vectors > wire/vectors.json.new
	mv wire/vectors.json.new wire/vectors.json

test-e2e: build
	cd clients/e2e && ASSAY_NODE_BIN=$(NODE_BIN) npm test

test-zombienet: build
	ZOMBIE_NODE_BIN=$(NODE_BIN) bash zombienet/run-tests.sh

chain-specs: build
	$(NODE_BIN) build-spec --chain local --raw --disable-default-bootnode 2>/dev/null > chain-specs/local-raw.json.new
	mv chain-specs/local-raw.json.new chain-specs/local-raw.json
	@echo "chain-specs/local-raw.json regenerated"

# Weights come from benchmarks, never from hand-written numbers. (The CLI's storage-access
# test runtime is not built: its wasm build cannot find itself in this workspace, and
# `benchmark storage` is not offered.)
weights: setup
	SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 cargo build --release --locked -p assay-node --features runtime-benchmarks
	cp $(NODE_BIN) $(BENCH_BIN)
	for p in $(WEIGHT_PALLETS); do \
		$(BENCH_BIN) benchmark pallet --runtime-log=error --chain dev --pallet pallet_$${p//-/_} \
			--extrinsic '*' --steps 50 --repeat 20 --template scripts/frame-weight-template.hbs \
			--output pallets/$$p/src/weights.rs || exit 1; \
	done
	@echo "weights regenerated; rebuild the node without the feature: make build"
