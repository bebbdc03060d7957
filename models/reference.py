#!/usr/bin/env python3
"""Reference inference for the Assay models: what a validator's engine should compute.

Library:
    from reference import run, quantize
    y = run("air-quality-anomaly", [0.35, 0.42, ...])   # name, model id, or .onnx path
    q = quantize(y, 16)

CLI (used by the end-to-end tests to compute expected values):
    python models/reference.py <file.onnx | name | model id> <comma-separated floats> [fraction_bits]
prints
    {"output": [...floats], "quantized": [...ints]}

Sessions use one intra-op thread and ORT_ENABLE_BASIC, like the node. quantized is
round-half-even(y * 2**F) computed in float64 from the float32 output (numpy.rint),
clamped to the int32 range. fraction_bits defaults to 16.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FRACTION_BITS = 16
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

_sessions: dict[str, ort.InferenceSession] = {}


def _manifest() -> list[dict]:
    with open(os.path.join(HERE, "models.json"), "r", encoding="utf-8") as f:
        return json.load(f)


def resolve(name_or_file: str) -> str:
    """Path of the .onnx file for a path, a model name, a file name in models/, or a model id."""
    if os.path.isfile(name_or_file):
        return os.path.abspath(name_or_file)
    key = name_or_file.lower()
    if key.startswith("0x"):
        key = key[2:]
    for m in _manifest():
        if name_or_file in (m["name"], m["file"]) or key == m["model_id"][2:].lower():
            return os.path.join(HERE, m["file"])
    raise FileNotFoundError(f"no model file, name or id {name_or_file!r}")


def session(name_or_file: str) -> ort.InferenceSession:
    path = resolve(name_or_file)
    sess = _sessions.get(path)
    if sess is None:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
        _sessions[path] = sess
    return sess


def run(name_or_file: str, inputs: list[float]) -> list[float]:
    """Run a model on B rows of float inputs given one after another (shape [B, N]);
    return the float32 outputs ([B, M]) flattened, as floats."""
    sess = session(name_or_file)
    inp = sess.get_inputs()[0]
    want = inp.shape[-1] if inp.shape else None
    flat = np.asarray(inputs, dtype=np.float32)
    if isinstance(want, int):
        if flat.size == 0 or flat.size % want:
            raise ValueError(f"model takes rows of {want} inputs, got {flat.size} values")
        x = flat.reshape(-1, want)
    else:
        x = flat.reshape(1, -1)
    y = sess.run(None, {inp.name: x})[0]
    return [float(v) for v in np.asarray(y, dtype=np.float32).reshape(-1)]


def quantize(outputs: list[float], fraction_bits: int = DEFAULT_FRACTION_BITS) -> list[int]:
    """round-half-even(y * 2**F) on float64 of the float32 value, clamped to int32."""
    y = np.asarray(outputs, dtype=np.float32).astype(np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"non-finite model output: {outputs}")
    q = np.rint(y * float(2**fraction_bits))
    q = np.clip(q, INT32_MIN, INT32_MAX)
    return [int(v) for v in q.astype(np.int64)]


def main(argv: list[str]) -> int:
    # Parsed by hand so that a first input like "-0.5,..." is not taken for an option.
    if len(argv) not in (2, 3) or argv[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    model, csv = argv[0], argv[1]
    fraction_bits = int(argv[2]) if len(argv) == 3 else DEFAULT_FRACTION_BITS
    inputs = [float(s) for s in csv.split(",") if s.strip()]
    output = run(model, inputs)
    print(json.dumps({"output": output, "quantized": quantize(output, fraction_bits)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
