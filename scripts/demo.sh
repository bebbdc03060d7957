#!/usr/bin/env bash
# `make demo`: a dev chain with inference (as `make run`, but on a temporary base path and
# free ports), the device agent against it for a few minutes (hotspots with two cheaters,
# energy meters, two inference jobs) and its summary of what every owner earned, checked
# against the chain. The node is stopped whatever happens.
#
#   AGENT_ARGS="--rounds 4 --slots 4"  extra flags for assay-agent (see its --help)
#   DEMO_KEEP=1                        keep the temporary directory (node log, keystore)
#   EXPLORER_PORT=8080                 where the explorer (explorer/dist, if built) is served
#   EXPLORER_TEST=1                    build the explorer and, after the agent, run its browser
#                                      tests (Playwright, Debian chromium) against this chain
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/assay-target}"
NODE_BIN="$CARGO_TARGET_DIR/release/assay-node"
AGENT_BIN="$CARGO_TARGET_DIR/release/assay-agent"
for bin in "$NODE_BIN" "$AGENT_BIN"; do
  [ -x "$bin" ] || { echo "demo: $bin is missing; run make demo (it builds both)" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
RPC_PORT="$(free_port)"
P2P_PORT="$(free_port)"
work="$(mktemp -d "${TMPDIR:-/tmp}/assay-demo.XXXXXX")"
flags="$(bash scripts/inference-env.sh)"

node_pid=
explorer_pid=
status=1
cleanup() {
  if [ -n "$explorer_pid" ]; then kill "$explorer_pid" 2>/dev/null || true; fi
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$node_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [ "$status" -ne 0 ] && [ -f "$work/node.log" ]; then
    echo "demo: failed; the node's last log lines:" >&2
    tail -n 20 "$work/node.log" >&2 || true
  fi
  if [ "${DEMO_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    echo "demo: node log and keystore kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

explorer_test="${EXPLORER_TEST:-0}"
if [ "$explorer_test" = 1 ]; then
  # Built before the node starts, so the build does not compete with the agent for the CPUs.
  echo "demo: building the explorer"
  (cd explorer && npm run --silent build >"$work/explorer-build.log" 2>&1) || { cat "$work/explorer-build.log" >&2; echo "demo: the explorer build failed" >&2; exit 1; }
fi

echo "demo: starting assay-node --dev with inference (RPC ws://127.0.0.1:$RPC_PORT, base path $work/node)"
# shellcheck disable=SC2086 # $flags is two flag/value pairs
"$NODE_BIN" --dev --base-path "$work/node" --rpc-port "$RPC_PORT" --port "$P2P_PORT" \
  --no-prometheus --no-telemetry $flags >"$work/node.log" 2>&1 &
node_pid=$!

for _ in $(seq 1 240); do
  kill -0 "$node_pid" 2>/dev/null || { echo "demo: the node exited" >&2; exit 1; }
  if curl -sf -H 'Content-Type: application/json' \
      -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
      "http://127.0.0.1:$RPC_PORT" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
curl -sf -H 'Content-Type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
  "http://127.0.0.1:$RPC_PORT" >/dev/null || { echo "demo: no RPC after 120 s" >&2; exit 1; }
echo "demo: node is up; running the device agent"

# The explorer, to watch the fleet (served when built: `make demo` builds it; the tests
# serve their own copy).
if [ "$explorer_test" != 1 ] && [ -f explorer/dist/index.html ] && [ -d explorer/node_modules ]; then
  EXPLORER_PORT="${EXPLORER_PORT:-8080}"
  if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$EXPLORER_PORT" 2>/dev/null; then
    EXPLORER_PORT="$(free_port)"
  fi
  (cd explorer && exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$EXPLORER_PORT" --strictPort >"$work/explorer.log" 2>&1) &
  explorer_pid=$!
  echo "demo: explorer at http://127.0.0.1:$EXPLORER_PORT/?rpc=ws://127.0.0.1:$RPC_PORT (while the demo runs)"
fi

# shellcheck disable=SC2086 # AGENT_ARGS is a list of flags
"$AGENT_BIN" --url "ws://127.0.0.1:$RPC_PORT" --keystore "$work/keystore.json" \
  --hotspots 10 --cheaters 2 --meters 6 --rounds 3 --slots 3 --jobs 2 --check ${AGENT_ARGS:-}

if [ "$explorer_test" = 1 ]; then
  # The explorer's browser tests read this chain, filled by the agent, before it stops.
  echo "demo: explorer browser tests against ws://127.0.0.1:$RPC_PORT"
  (cd explorer && ASSAY_RPC="ws://127.0.0.1:$RPC_PORT" ASSAY_NODE_BIN="$NODE_BIN" EXPLORER_PORT="$(free_port)" npx playwright test)
fi
status=0
