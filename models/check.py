#!/usr/bin/env python3
"""Score every committed model on its held-out data and hold it to its model card.

    .venv/bin/python models/check.py           # run by `make test`

For each model in `models/models.json`: the file's blake2-256 must be its id, and its
held-out metric, measured with onnxruntime the way a validator runs it (inputs through
the chain's Q16.16 fixed point, one intra-op thread, basic graph optimizations, outputs
quantized), must be at least as good as the card's figure and beat the card's naive
baseline by the card's margin. Exits 1 on any failure; the last line is the summary.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import datasets  # noqa: E402

FRACTION_BITS = 16


def quantize(values: np.ndarray, bits: int = FRACTION_BITS) -> np.ndarray:
    """round_half_even(x · 2^F), clamped to i32, as the chain and the node do."""
    q = np.rint(np.asarray(values, dtype=np.float64) * (1 << bits))
    return np.clip(q, -(2**31), 2**31 - 1).astype(np.int64)


def session(path: str):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def predict(path: str, x: np.ndarray, bits: int = FRACTION_BITS) -> np.ndarray:
    """The model's output for rows `x`, as a validator computes it: the input quantized to
    the job's fixed point and back, one batch `[B, N]`, the output quantized and back."""
    s = session(path)
    fed = (quantize(x, bits) / float(1 << bits)).astype(np.float32)
    out = s.run(None, {s.get_inputs()[0].name: fed})[0]
    return quantize(out, bits) / float(1 << bits)


def _mae(a, b) -> float:
    return float(np.mean(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def _auc(y, score) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


# Each evaluator: (held-out metrics of the model, the baseline's) from a predict function.
# The card's claim is on `metric`; the others are reported in the card for context.


def eval_energy_demand(run) -> dict:
    s = datasets.energy_demand()
    pred = run(s.x_test)[:, 0]
    return {
        "metric": "mae_gw",
        "better": "lower",
        "model": _mae(pred, s.y_test),
        "baseline": _mae(datasets.seasonal_naive_demand(s.x_test), s.y_test),
        "baseline_name": "seasonal naive (same half-hour yesterday)",
        "context": {
            "persistence_mae_gw (last half-hour)": _mae(s.x_test[:, -1], s.y_test),
            "held_out_rows": int(len(s.y_test)),
        },
    }


def eval_solar_production(run) -> dict:
    s = datasets.solar_production()
    day = datasets.daylight(s.x_test)
    pred = run(s.x_test)[:, 0]
    ax, ay = s.extra["sand_point"]
    aday = datasets.daylight(ax)
    apred = run(ax)[:, 0]
    # Smart persistence: last hour's clear-sky index times the next hour's clear sky.
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(s.x_test[:, -2] > 0.02, s.x_test[:, -3] / s.x_test[:, -2], 0.0)
    smart = np.clip(k, 0, 1.2) * s.x_test[:, -1]
    return {
        "metric": "mae_kw_per_kwp_daylight",
        "better": "lower",
        "model": _mae(pred[day], s.y_test[day]),
        "baseline": _mae(datasets.seasonal_naive_solar(s.x_test)[day], s.y_test[day]),
        "baseline_name": "seasonal naive (same hour yesterday)",
        "context": {
            "smart_persistence_mae": _mae(smart[day], s.y_test[day]),
            "sand_point_ak_mae (held-out location)": _mae(apred[aday], ay[aday]),
            "sand_point_ak_seasonal_naive_mae": _mae(datasets.seasonal_naive_solar(ax)[aday], ay[aday]),
            "held_out_daylight_hours": int(day.sum()),
        },
    }


def eval_breast_cancer(run) -> dict:
    s = datasets.breast_cancer()
    p = run(s.x_test)[:, 1]
    majority = float(np.mean(s.y_test == np.round(np.mean(s.y_train))))
    predicted = (p >= 0.5).astype(int)
    tp = int(np.sum((predicted == 1) & (s.y_test == 1)))
    return {
        "metric": "accuracy",
        "better": "higher",
        "model": float(np.mean(predicted == s.y_test)),
        "baseline": majority,
        "baseline_name": "majority class (always benign)",
        "context": {
            "roc_auc": _auc(s.y_test, p),
            "malignant_recall": tp / max(1, int(np.sum(s.y_test == 1))),
            "malignant_precision": tp / max(1, int(np.sum(predicted == 1))),
            "held_out_rows": int(len(s.y_test)),
        },
    }


def _detector(s, p, baseline_score, baseline_name: str) -> dict:
    """A binary detector's held-out figures: ROC AUC against a naive score's, and recall
    and precision at 0.5."""
    predicted = p >= 0.5
    tp = int(np.sum(predicted & (s.y_test == 1)))
    return {
        "metric": "roc_auc",
        "better": "higher",
        "model": _auc(s.y_test, p),
        "baseline": _auc(s.y_test, baseline_score),
        "baseline_name": baseline_name,
        "context": {
            "recall_at_0.5": tp / max(1, int(np.sum(s.y_test == 1))),
            "precision_at_0.5": tp / max(1, int(np.sum(predicted))),
            "held_out_rows": int(len(s.y_test)),
        },
    }


def eval_air_quality(run) -> dict:
    s = datasets.air_quality()
    baseline = datasets.air_zscore_baseline(s.x_train, s.x_test)
    return _detector(s, run(s.x_test)[:, 0], baseline, "largest channel z-score")


def eval_coverage_fraud(run, threshold: float | None = None) -> dict:
    """ROC AUC on the held-out cities, and at the card's threshold what the validators'
    scores would withhold: the share of each kind's passing reports flagged, and the share
    of the HIP-15 witness units of its selected reports (the issue's goal: at least 90 % of
    the cheaters' units, at most 2 % of the honest ones)."""
    s = datasets.coverage_fraud()
    threshold = 0.5 if threshold is None else threshold
    p = run(s.x_test)[:, 0]
    t = s.extra["test"]
    flagged = p > threshold
    units = np.where(t["selected"].to_numpy() == 1, datasets.witness_units(t["witnesses_selected"].to_numpy()), 0.0)
    kinds = t["kind"].to_numpy()
    groups = t["group"].to_numpy()
    context = {"threshold": threshold}

    def withheld(mask) -> float:
        total = units[mask].sum()
        return float(units[mask & flagged].sum() / total) if total > 0 else 0.0

    for group in ("held-out seeds", "held-out cities"):
        g = groups == group
        context[f"{group}: roc_auc"] = _auc(s.y_test[g], p[g])
        for kind in ("honest", "near_spoofer", "ring", "forged"):
            k = g & (kinds == kind)
            context[f"{group}: {kind} reports flagged"] = float(flagged[k].mean()) if k.any() else 0.0
            context[f"{group}: {kind} units withheld"] = withheld(k)
        context[f"{group}: all cheaters' units withheld"] = withheld(g & (kinds != "honest"))
    cheaters = withheld(kinds != "honest")
    honest = withheld(kinds == "honest")
    context["all held out: cheaters' units withheld"] = cheaters
    context["all held out: honest units withheld"] = honest
    tp = int(np.sum(flagged & (s.y_test == 1)))
    context["precision"] = tp / max(1, int(np.sum(flagged)))
    context["held_out_rows"] = int(len(s.y_test))
    return {
        "metric": "roc_auc",
        "better": "higher",
        "model": _auc(s.y_test, p),
        "baseline": _auc(s.y_test, datasets.fraud_rule_baseline(s.x_test)),
        "baseline_name": "RSSI closeness to the free-space limit",
        "context": context,
        "limits": [
            ("cheaters' units withheld", cheaters, ">=", 0.90),
            ("honest units withheld", honest, "<=", 0.02),
        ],
    }


EVALUATORS = {
    "energy-demand-forecast": eval_energy_demand,
    "solar-production-forecast": eval_solar_production,
    "breast-cancer-diagnosis": eval_breast_cancer,
    "air-quality-anomaly": eval_air_quality,
    "coverage-fraud-score": eval_coverage_fraud,
}


def meets(card: dict, measured: dict) -> list[str]:
    """What is wrong with `measured` against the card's claim (empty: nothing)."""
    problems = []
    m, b = measured["model"], measured["baseline"]
    if card["better"] == "lower":
        if m > card["value"]:
            problems.append(f"{card['metric']} {m:.5f} is worse than the card's {card['value']}")
        if b <= 0 or (b - m) / b < card["margin"]:
            problems.append(f"beats the baseline {b:.5f} by less than {card['margin']:.0%}")
    else:
        if m < card["value"]:
            problems.append(f"{card['metric']} {m:.5f} is worse than the card's {card['value']}")
        if m - b < card["margin"]:
            problems.append(f"beats the baseline {b:.5f} by less than {card['margin']}")
    for name, value, op, bound in measured.get("limits", []):
        if (op == ">=" and value < bound) or (op == "<=" and value > bound):
            problems.append(f"{name} {value:.4f}, the goal is {op} {bound}")
    return problems


def main() -> int:
    models = json.load(open(os.path.join(HERE, "models.json")))
    failed = 0
    for m in models:
        path = os.path.join(HERE, m["file"])
        data = open(path, "rb").read()
        problems = []
        if "0x" + hashlib.blake2b(data, digest_size=32).hexdigest() != m["model_id"]:
            problems.append("the file's blake2-256 is not its model_id")
        extra = {"threshold": m["threshold"]} if "threshold" in m else {}
        measured = EVALUATORS[m["name"]](lambda x: predict(path, x, m["fraction_bits"]), **extra)
        problems += meets(m["card"], measured)
        status = "ok" if not problems else "FAILED: " + "; ".join(problems)
        print(
            f"{m['name']}: {measured['metric']} {measured['model']:.4f} "
            f"(card {m['card']['value']}, baseline {measured['baseline']:.4f}) {status}"
        )
        failed += bool(problems)
    print(f"models: {len(models) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
