#!/usr/bin/env bash
# Prints the node's inference flags for this checkout:
#   --inference-models <dir of <hex model_id>.onnx> --onnxruntime-lib <libonnxruntime.so.1.31.1>
# The model directory is built from models/models.json (the shipped models under their ids)
# in $1, default $CARGO_TARGET_DIR/models-by-id. Needs `make setup` (the .venv wheel).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${CARGO_TARGET_DIR:-/var/tmp/assay-target}/models-by-id}"
lib="$(ls "$PWD"/.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.1.31.1 2>/dev/null | head -n1 || true)"
if [ -z "$lib" ]; then
  echo "inference-env: no ONNX Runtime 1.31.1 in .venv; run make setup" >&2
  exit 1
fi
mkdir -p "$out"
python3 - "$out" <<'PY'
import json, shutil, sys, pathlib
out = pathlib.Path(sys.argv[1])
for m in json.load(open("models/models.json")):
    shutil.copyfile(pathlib.Path("models") / m["file"], out / (m["model_id"].removeprefix("0x") + ".onnx"))
PY
echo "--inference-models $out --onnxruntime-lib $lib"
