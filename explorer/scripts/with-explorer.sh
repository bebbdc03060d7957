#!/usr/bin/env bash
# Serves the built explorer (explorer/dist) on 127.0.0.1:PORT while COMMAND runs, prints
# both addresses, and stops the server when COMMAND ends (or on Ctrl-C).
#
#   bash explorer/scripts/with-explorer.sh PORT RPC_URL -- COMMAND...
set -euo pipefail
port="$1"; rpc="$2"; shift 2
[ "${1:-}" = "--" ] && shift
dir="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$dir/dist/index.html" ] || { echo "explorer: $dir/dist is missing; run npm run build in explorer/" >&2; exit 1; }
(cd "$dir" && exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$port" --strictPort >"${TMPDIR:-/tmp}/assay-explorer-$port.log" 2>&1) &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "explorer: could not serve on port $port (see ${TMPDIR:-/tmp}/assay-explorer-$port.log)" >&2; exit 1; }
  sleep 0.2
done
echo "node:     $rpc"
if [ "$rpc" = "ws://127.0.0.1:9944" ]; then
  echo "explorer: http://127.0.0.1:$port/"
else
  echo "explorer: http://127.0.0.1:$port/?rpc=$rpc"
fi
"$@"
