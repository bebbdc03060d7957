#!/usr/bin/env python3
"""Generate the small ONNX models the Assay chain ships (DESIGN.md §6).

Every model is built directly with ``onnx.helper`` from a fixed numpy seed, so the
output is byte-for-byte reproducible: no timestamps, fixed producer name/version,
fixed doc strings, IR version 8 and opset 17 (both supported by onnxruntime 1.31).

    python models/generate.py           # (re)write models/*.onnx and models/models.json
    python models/generate.py --check   # regenerate in memory; exit 1 if a committed file differs

The model id of a model is blake2b-256 (32-byte digest, no key) of the exact bytes of
its .onnx file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))

IR_VERSION = 8
OPSET = 17
PRODUCER_NAME = "assay-models-generate"
PRODUCER_VERSION = "1"
FRACTION_BITS = 16
# Sample inputs are rounded to multiples of 2**-SAMPLE_GRID_BITS: exact in float32 and
# in Q16.16, so quantizing a sample input for the chain loses nothing.
SAMPLE_GRID_BITS = 8


# --------------------------------------------------------------------------- helpers


def _f32(a) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32))


def _grid(values) -> list[float]:
    scale = float(1 << SAMPLE_GRID_BITS)
    return [float(np.rint(float(v) * scale) / scale) for v in values]


class GraphBuilder:
    """A tiny helper that builds a single-input, single-output float32 graph."""

    def __init__(self, input_len: int):
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.cur = "input"
        self.width = input_len
        self.input_len = input_len
        self._n = 0

    def _name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}_{self._n}"

    def const(self, prefix: str, value: np.ndarray) -> str:
        name = self._name(prefix)
        self.inits.append(numpy_helper.from_array(_f32(value), name=name))
        return name

    def dense(self, w: np.ndarray, b: np.ndarray, src: str | None = None) -> str:
        """y = src @ w + b (MatMul + Add)."""
        src = self.cur if src is None else src
        w_name = self.const("W", w)
        b_name = self.const("B", b)
        mm = self._name("matmul")
        out = self._name("dense")
        self.nodes.append(helper.make_node("MatMul", [src, w_name], [mm], name=mm))
        self.nodes.append(helper.make_node("Add", [mm, b_name], [out], name=out + "_add"))
        self.cur = out
        self.width = int(w.shape[1])
        return out

    def gemm(self, w: np.ndarray, b: np.ndarray, src: str | None = None) -> str:
        """y = src @ w + b as a single Gemm node."""
        src = self.cur if src is None else src
        w_name = self.const("W", w)
        b_name = self.const("B", b)
        out = self._name("gemm")
        self.nodes.append(helper.make_node("Gemm", [src, w_name, b_name], [out], name=out))
        self.cur = out
        self.width = int(w.shape[1])
        return out

    def act(self, op: str, src: str | None = None, **attrs) -> str:
        src = self.cur if src is None else src
        out = self._name(op.lower())
        self.nodes.append(helper.make_node(op, [src], [out], name=out, **attrs))
        self.cur = out
        return out

    def add(self, a: str, b: str) -> str:
        out = self._name("sum")
        self.nodes.append(helper.make_node("Add", [a, b], [out], name=out))
        self.cur = out
        return out

    def build(self, name: str, description: str) -> onnx.ModelProto:
        # Final Identity so the graph output is always called "output".
        self.nodes.append(helper.make_node("Identity", [self.cur], ["output"], name="output_identity"))
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, self.input_len])],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, self.width])],
            initializer=self.inits,
            doc_string=description,
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name=PRODUCER_NAME,
            producer_version=PRODUCER_VERSION,
            domain="org.assay.models",
            model_version=1,
            doc_string=description,
        )
        model.ir_version = IR_VERSION
        helper.set_model_props(model, {"assay.name": name, "assay.fraction_bits": str(FRACTION_BITS)})
        onnx.checker.check_model(model, full_check=True)
        return model


def _he(rng: np.random.Generator, fan_in: int, fan_out: int, gain: float = 2.0) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(gain / fan_in), size=(fan_in, fan_out))


# --------------------------------------------------------------------------- models


def air_quality_anomaly():
    """8 normalized sensor readings -> 1 anomaly score in (0, 1). MLP 8-16-8-1, Sigmoid."""
    name = "air-quality-anomaly"
    description = (
        "Air-quality anomaly detector. Input [1, 8]: normalized readings "
        "(PM2.5, PM10, NO2, O3, CO, temperature, humidity, pressure), about 0..1 "
        "for typical values. Output [1, 1]: anomaly score in (0, 1) (Sigmoid); "
        "higher means more anomalous. MLP 8-16-8-1 with ReLU."
    )
    rng = np.random.default_rng(0xA1_0001)
    g = GraphBuilder(8)
    # Pollutant channels (first five) push the score up: bias the first layer's
    # weights from them to be positive, so high pollution reads as anomalous.
    w1 = _he(rng, 8, 16)
    w1[:5, :] = np.abs(w1[:5, :])
    g.dense(w1, rng.normal(0.0, 0.1, 16))
    g.act("Relu")
    w2 = _he(rng, 16, 8)
    g.dense(w2, rng.normal(0.0, 0.1, 8))
    g.act("Relu")
    w3 = np.abs(_he(rng, 8, 1, gain=1.0))
    g.dense(w3, np.array([-1.5]))
    g.act("Sigmoid")
    model = g.build(name, description)
    # PM2.5, PM10, NO2, O3, CO, temperature, humidity, pressure
    sample = _grid([0.35, 0.42, 0.28, 0.31, 0.12, 0.55, 0.47, 0.50])
    return name, description, model, sample, False


def energy_demand_forecast():
    """Last 24 normalized intervals -> next-interval forecast. Linear + small Tanh residual."""
    name = "energy-demand-forecast"
    description = (
        "Energy-demand forecaster. Input [1, 24]: the last 24 interval demands, "
        "normalized (oldest first, most recent last). Output [1, 1]: the forecast "
        "for the next interval, same normalization (regression). A linear "
        "autoregressive term (Gemm) plus a 24-16-1 Tanh residual MLP."
    )
    rng = np.random.default_rng(0xE1_0002)
    g = GraphBuilder(24)
    # Linear autoregressive weights: exponential decay towards the past, plus the
    # value 24 intervals back (daily seasonality for hourly data), summing to ~1.
    lags = np.arange(24)[::-1]  # 23 for the oldest .. 0 for the most recent
    ar = np.exp(-lags / 3.0)
    ar[0] += 0.5  # the oldest interval: same time yesterday
    ar = ar / ar.sum() + rng.normal(0.0, 0.01, 24)
    linear = g.gemm(ar.reshape(24, 1), np.array([0.0]), src="input")
    g.dense(_he(rng, 24, 16, gain=1.0) * 0.5, rng.normal(0.0, 0.05, 16), src="input")
    g.act("Tanh")
    residual = g.dense(_he(rng, 16, 1, gain=1.0) * 0.2, np.array([0.01]))
    g.add(linear, residual)
    model = g.build(name, description)
    t = np.arange(24)
    sample = _grid(0.55 + 0.3 * np.sin(2 * np.pi * (t - 6) / 24) + rng.normal(0.0, 0.02, 24))
    return name, description, model, sample, False


def coverage_fraud_score():
    """6 witness features -> fraud probability. MLP 6-12-1, Sigmoid."""
    name = "coverage-fraud-score"
    description = (
        "Coverage (proof-of-coverage witness) fraud scorer. Input [1, 6]: normalized "
        "witness features (RSSI, SNR, distance km, time delta, witness count, reward "
        "share). Output [1, 1]: probability that the witness is fraudulent, in (0, 1) "
        "(Sigmoid). MLP 6-12-1 with ReLU."
    )
    rng = np.random.default_rng(0xC0_0003)
    g = GraphBuilder(6)
    g.dense(_he(rng, 6, 12), rng.normal(0.0, 0.1, 12))
    g.act("Relu")
    g.dense(_he(rng, 12, 1, gain=1.0), np.array([-0.5]))
    g.act("Sigmoid")
    model = g.build(name, description)
    # RSSI, SNR, distance km, time delta, witness count, reward share
    sample = _grid([-0.62, 0.35, 0.18, 0.05, 0.40, 0.12])
    return name, description, model, sample, False


def vital_signs_alert():
    """6 normalized vital signs -> softmax over (normal, warning, critical). MLP 6-16-8-3."""
    name = "vital-signs-alert"
    description = (
        "Vital-signs alert classifier. Input [1, 6]: normalized vital signs (heart "
        "rate, SpO2, temperature, systolic BP, diastolic BP, respiration rate), about "
        "0 at the healthy mean. Output [1, 3]: class probabilities (normal, warning, "
        "critical) via Softmax; the predicted class is the argmax. MLP 6-16-8-3 with "
        "ReLU and Tanh."
    )
    rng = np.random.default_rng(0x5B_0004)
    g = GraphBuilder(6)
    g.dense(_he(rng, 6, 16), rng.normal(0.0, 0.1, 16))
    g.act("Relu")
    g.dense(_he(rng, 16, 8), rng.normal(0.0, 0.1, 8))
    g.act("Tanh")
    g.dense(_he(rng, 8, 3, gain=1.0), np.array([0.8, 0.0, -0.8]))
    g.act("Softmax", axis=-1)
    model = g.build(name, description)
    # heart rate, SpO2, temperature, systolic BP, diastolic BP, respiration rate
    sample = _grid([0.45, -0.30, 0.20, 0.35, 0.15, 0.50])
    return name, description, model, sample, True


BUILDERS = [air_quality_anomaly, energy_demand_forecast, coverage_fraud_score, vital_signs_alert]


# --------------------------------------------------------------------------- output


def model_id(data: bytes) -> str:
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()


def generate() -> tuple[dict[str, bytes], list[dict]]:
    """Return {relative file name: bytes} for every generated file, and the manifest."""
    files: dict[str, bytes] = {}
    manifest: list[dict] = []
    for build in BUILDERS:
        name, description, model, sample, classifier = build()
        data = model.SerializeToString(deterministic=True)
        file = f"{name}.onnx"
        files[file] = data
        graph = model.graph
        in_len = graph.input[0].type.tensor_type.shape.dim[1].dim_value
        out_len = graph.output[0].type.tensor_type.shape.dim[1].dim_value
        assert len(sample) == in_len
        manifest.append(
            {
                "name": name,
                "file": file,
                "model_id": model_id(data),
                "input_len": int(in_len),
                "output_len": int(out_len),
                "fraction_bits": FRACTION_BITS,
                "classifier": classifier,
                "description": description,
                "sample_input": sample,
            }
        )
    files["models.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    return files, manifest


def verify(files: dict[str, bytes], manifest: list[dict]) -> None:
    """Run every model in onnxruntime on its sample input and print the output."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    for m in manifest:
        sess = ort.InferenceSession(files[m["file"]], opts, providers=["CPUExecutionProvider"])
        x = np.asarray([m["sample_input"]], dtype=np.float32)
        (y,) = sess.run(None, {"input": x})
        assert y.shape == (1, m["output_len"]), y.shape
        assert y.dtype == np.float32
        assert np.all(np.isfinite(y))
        q = np.rint(y.astype(np.float64) * float(1 << m["fraction_bits"])).astype(np.int64)
        print(
            f"{m['name']:24s} id={m['model_id']} in={m['input_len']} out={m['output_len']} "
            f"size={len(files[m['file']])}B output={[float(v) for v in y[0]]} q={q[0].tolist()}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="regenerate in memory; exit 1 if a committed file differs")
    ap.add_argument("--no-verify", action="store_true", help="skip running the models in onnxruntime")
    ap.add_argument("--out", default=HERE, help="output directory (default: this script's directory)")
    args = ap.parse_args()

    files, manifest = generate()

    if args.check:
        bad = []
        for rel, data in files.items():
            path = os.path.join(args.out, rel)
            try:
                with open(path, "rb") as f:
                    on_disk = f.read()
            except FileNotFoundError:
                on_disk = None
            if on_disk != data:
                bad.append(rel)
        if bad:
            print("models out of date (run python models/generate.py): " + ", ".join(bad), file=sys.stderr)
            return 1
        print(f"models up to date ({len(files)} files)")
        return 0

    os.makedirs(args.out, exist_ok=True)
    for rel, data in files.items():
        with open(os.path.join(args.out, rel), "wb") as f:
            f.write(data)
    if not args.no_verify:
        verify(files, manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
