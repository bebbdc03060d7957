#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build, run and test Assay.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages: protoc for the networking crates, OpenSSL headers (so openssl-sys uses
# the system library instead of building OpenSSL), Node.js for the client tests.
need_pkgs=()
command -v protoc >/dev/null 2>&1 || need_pkgs+=(protobuf-compiler)
dpkg -s libssl-dev >/dev/null 2>&1 || need_pkgs+=(libssl-dev)
dpkg -s pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
# Debian's Chromium for the explorer's browser tests (Playwright never downloads a browser).
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  say "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# Rust: the toolchain comes from rustup; add the wasm targets and rust-src the runtime needs,
# and rustfmt and clippy, which `make test` runs first (the minimal profile has neither).
if ! command -v cargo >/dev/null 2>&1; then
  say "installing rustup (stable toolchain)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y -q --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
installed_targets="$(rustup target list --installed)"
for t in wasm32v1-none wasm32-unknown-unknown; do
  grep -qx "$t" <<<"$installed_targets" || { say "adding rust target $t"; rustup target add "$t" >/dev/null 2>&1; }
done
installed_components="$(rustup component list --installed)"
for c in rust-src rustfmt clippy; do
  grep -q "^$c" <<<"$installed_components" || { say "adding $c"; rustup component add "$c" >/dev/null 2>&1; }
done

# Python venv with ONNX Runtime (its shared library is what the node's inference engine
# loads), and what trains and scores the shipped models (models/requirements.txt, pinned).
ORT_VERSION=1.31.1
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "
import sys, onnxruntime, onnx, sklearn, skl2onnx, pvlib, pmdarima
sys.exit(0 if onnxruntime.__version__ == '$ORT_VERSION' and sklearn.__version__ == '1.9.1' else 1)" >/dev/null 2>&1; then
  say "installing models/requirements.txt (onnxruntime==$ORT_VERSION, scikit-learn, skl2onnx, pvlib, pmdarima) into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r models/requirements.txt
fi

# npm packages of the client tests.
for dir in clients/e2e zombienet; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    say "installing npm packages in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
# The explorer (Vite, deck.gl, @polkadot/api, Playwright without its browser download).
if [ -f explorer/package-lock.json ] && [ ! -d explorer/node_modules ]; then
  say "installing npm packages in explorer"
  (cd explorer && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
