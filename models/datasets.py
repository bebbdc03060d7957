"""The data every shipped model is trained and judged on, made the same way every time.

One module for both sides: `train.py` fits on the training part, and `check.py` (run by
`make test`) scores the committed `.onnx` files on the held-out part. Every split is fixed
(chronological, interleaved weeks, a seeded stratified split, or simulation seeds that
training never sees), so the held-out figures in the model cards can be re-measured.

Each dataset returns a `Split`: float64 arrays `x_train, y_train, x_test, y_test` (inputs in
the units the model card gives, one row per item), plus named extra held-out sets.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

# Seeds. Training never uses the evaluation seeds, and the simulated data sets draw their
# held-out stations or fleets from their own seeds.
SPLIT_SEED = 20261201
AIR_TRAIN_SEEDS = range(1, 41)
AIR_TEST_SEEDS = range(1001, 1011)


@dataclasses.dataclass
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    extra: dict = dataclasses.field(default_factory=dict)


def _windows(series: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of `width` consecutive values (oldest first), the value after each, its index."""
    idx = np.arange(width, len(series))
    x = np.stack([series[i - width : i] for i in idx])
    return x, series[idx], idx


# --------------------------------------------------------------------- energy demand

DEMAND_LAGS = 48  # one day of half-hours
DEMAND_TRAIN_SHARE = 0.7


def energy_demand() -> Split:
    """Half-hourly electricity demand of England and Wales, 5 June – 27 August 2000
    (4,032 values, `pmdarima.datasets.load_taylor`), in GW. Input: the last 48 half-hours,
    oldest first; target: the next half-hour. Chronological split: the first 70 % of
    targets train, the last 30 % (about 25 days) are held out."""
    from pmdarima.datasets import load_taylor

    gw = np.asarray(load_taylor(), dtype=np.float64) / 1000.0
    x, y, idx = _windows(gw, DEMAND_LAGS)
    cut = int(len(y) * DEMAND_TRAIN_SHARE)
    return Split(x[:cut], y[:cut], x[cut:], y[cut:], {"index": idx[cut:]})


def seasonal_naive_demand(x: np.ndarray) -> np.ndarray:
    """Same half-hour yesterday: the first value of the 48-lag window is y[t − 48]."""
    return x[:, 0]


# --------------------------------------------------------------------- solar production

SOLAR_LAGS = 24
SOLAR_TILT = 30.0
SOLAR_AZIMUTH = 180.0
SOLAR_GAMMA = -0.004  # PVWatts temperature coefficient of power, 1/°C
SOLAR_INVERTER_EFFICIENCY = 0.96


def _pv_output(file: str) -> tuple[np.ndarray, np.ndarray, str]:
    """Hourly AC output (kW per kWp) of a fixed 30°-tilt, south-facing 1 kWp PV system under
    a typical meteorological year, and the same system's clear-sky output, both from pvlib
    (Ineichen clear sky, isotropic sky, SAPM cell temperature, PVWatts DC, a flat 96 %
    inverter clipped at 1 kW)."""
    import pvlib

    path = os.path.join(os.path.dirname(pvlib.__file__), "data", file)
    weather, meta = pvlib.iotools.read_tmy3(path, coerce_year=1990, map_variables=True)
    location = pvlib.location.Location(
        meta["latitude"], meta["longitude"], altitude=meta["altitude"], tz=int(meta["TZ"])
    )
    # Hour-ending TMY values: the sun's position at the middle of the hour.
    solar = location.get_solarposition(weather.index - np.timedelta64(30, "m"))
    solar.index = weather.index
    clear = location.get_clearsky(weather.index - np.timedelta64(30, "m"), model="ineichen")
    clear.index = weather.index
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]

    def ac(ghi, dni, dhi):
        poa = pvlib.irradiance.get_total_irradiance(
            SOLAR_TILT, SOLAR_AZIMUTH, solar["apparent_zenith"], solar["azimuth"], dni, ghi, dhi
        )["poa_global"].fillna(0.0)
        cell = pvlib.temperature.sapm_cell(poa, weather["temp_air"], weather["wind_speed"], **params)
        dc = pvlib.pvsystem.pvwatts_dc(poa, cell, 1000.0, SOLAR_GAMMA)
        return np.clip(np.asarray(dc) * SOLAR_INVERTER_EFFICIENCY, 0.0, 1000.0) / 1000.0

    actual = ac(weather["ghi"], weather["dni"], weather["dhi"])
    clear_sky = ac(clear["ghi"], clear["dni"], clear["dhi"])
    return actual, clear_sky, meta["Name"].strip('"')


def _solar_rows(actual: np.ndarray, clear_sky: np.ndarray):
    """Input: the last 24 hours of output, oldest first, then the clear-sky output of the
    last hour and of the hour to forecast (26 values, kW per kWp). Target: the next hour."""
    lags, y, idx = _windows(actual, SOLAR_LAGS)
    x = np.column_stack([lags, clear_sky[idx - 1], clear_sky[idx]])
    return x, y, idx


def solar_production() -> Split:
    """Greensboro, NC (TMY3 723170, bundled with pvlib): every fifth week (weeks 4, 9, 14, …
    of the year) is held out, the other weeks train; weeks are whole, so no window straddles
    the boundary in a way that leaks more than its own lags. Extra held-out set: a whole
    year at Sand Point, AK (TMY3 703165), a climate the model never saw."""
    actual, clear_sky, _ = _pv_output("723170TYA.CSV")
    x, y, idx = _solar_rows(actual, clear_sky)
    test = (idx // (24 * 7)) % 5 == 4
    ak_actual, ak_clear, ak_name = _pv_output("703165TY.csv")
    ax, ay, _ = _solar_rows(ak_actual, ak_clear)
    return Split(x[~test], y[~test], x[test], y[test], {"sand_point": (ax, ay)})


def seasonal_naive_solar(x: np.ndarray) -> np.ndarray:
    """Same hour yesterday: the first of the 24 lags."""
    return x[:, 0]


def daylight(x: np.ndarray) -> np.ndarray:
    """Rows whose forecast hour has clear-sky output (night hours are zero for every model
    and would only dilute the error)."""
    return x[:, -1] > 0.0


# --------------------------------------------------------------------- breast cancer

def breast_cancer() -> Split:
    """Wisconsin diagnostic breast cancer (569 fine-needle aspirates, 30 features of the
    cell nuclei; UCI, bundled with scikit-learn). Stratified split, 25 % held out, seed
    `SPLIT_SEED`. Target 1 = malignant (scikit-learn's labels are flipped so that the
    model's first probability is "benign" and the second "malignant")."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer()
    y = 1 - data.target  # scikit-learn: 0 = malignant
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, y, test_size=0.25, stratify=y, random_state=SPLIT_SEED % (2**32)
    )
    return Split(x_train, y_train, x_test, y_test, {"feature_names": list(data.feature_names)})


# --------------------------------------------------------------------- air quality (simulated)

AIR_FEATURES = ["PM2.5 µg/m³", "PM10 µg/m³", "NO2 ppb", "O3 ppb", "CO ppm",
                "temperature °C", "relative humidity %", "pressure hPa"]
AIR_ANOMALY_SHARE = 0.05


def _air_station(seed: int, hours: int = 24 * 28) -> tuple[np.ndarray, np.ndarray]:
    """One simulated urban low-cost air-quality station, hourly, four weeks.

    Weather: a diurnal temperature cycle around a station mean, humidity falling as it
    warms, pressure as a slow random walk. Traffic NO2 and CO peak at 8 h and 18 h; O3 is
    made photochemically in the warm afternoon and titrated by NO2; PM2.5 is a lognormal
    background that rises with humidity and traffic, PM10 is PM2.5 times a coarse-fraction
    ratio of 1.3–2.2. Multiplicative sensor noise on every channel.

    Anomalies (5 % of hours, label 1) are faults a low-cost sensor really shows: a spike
    (one pollutant × 4–12), a dropout (one channel reads 0), PM10 below PM2.5 (an optical
    counter's physically impossible ratio), a humidity artefact (relative humidity ≥ 97 %
    with PM inflated × 2.5–5), a mis-calibrated gas sensor (NO2 or CO × 0.15–0.4 or
    × 3–6 while the other stays normal), a frozen temperature probe reading −40 °C or 85 °C.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    hour = t % 24
    mean_temp = rng.uniform(5, 28)
    temp = mean_temp + rng.uniform(3, 8) * np.sin((hour - 9) / 24 * 2 * np.pi) + rng.normal(0, 1.2, hours)
    rh = np.clip(75 - 1.8 * (temp - mean_temp) + rng.normal(0, 6, hours) + rng.uniform(-15, 10), 15, 96)
    pressure = 1013 + rng.uniform(-12, 12) + np.cumsum(rng.normal(0, 0.35, hours))
    rush = np.exp(-((hour - 8) ** 2) / 4) + 0.8 * np.exp(-((hour - 18) ** 2) / 5)
    traffic = rng.uniform(0.5, 1.8)
    no2 = np.clip((8 + 30 * traffic * rush) * rng.lognormal(0, 0.25, hours), 1, None)
    co = np.clip(0.2 + 0.018 * no2 * rng.lognormal(0, 0.2, hours), 0.05, None)
    sun = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    o3 = np.clip(20 + 2.2 * sun * np.clip(temp, 0, None) - 0.35 * no2 + rng.normal(0, 4, hours), 1, None)
    pm25 = rng.uniform(6, 20) * rng.lognormal(0, 0.35, hours) * (1 + 0.012 * (rh - 50)) + 4 * traffic * rush
    pm25 = np.clip(pm25, 1, None)
    pm10 = pm25 * rng.uniform(1.3, 2.2, hours)
    x = np.column_stack([pm25, pm10, no2, o3, co, temp, rh, pressure])
    x *= rng.normal(1, 0.03, x.shape)

    label = np.zeros(hours, dtype=np.int64)
    faulty = np.flatnonzero(rng.random(hours) < AIR_ANOMALY_SHARE)
    for i in faulty:
        label[i] = 1
        kind = rng.integers(6)
        if kind == 0:
            c = rng.integers(5)
            x[i, c] *= rng.uniform(4, 12)
        elif kind == 1:
            x[i, rng.integers(8)] = 0.0
        elif kind == 2:
            x[i, 1] = x[i, 0] * rng.uniform(0.3, 0.85)
        elif kind == 3:
            x[i, 6] = rng.uniform(97, 100)
            x[i, 0:2] *= rng.uniform(2.5, 5)
        elif kind == 4:
            c = 2 if rng.random() < 0.5 else 4
            x[i, c] *= rng.uniform(0.15, 0.4) if rng.random() < 0.5 else rng.uniform(3, 6)
        else:
            x[i, 5] = -40.0 if rng.random() < 0.5 else 85.0
    return x, label


def _stations(seeds) -> tuple[np.ndarray, np.ndarray]:
    parts = [_air_station(s) for s in seeds]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def air_quality() -> Split:
    """40 simulated stations train (seeds 1–40), 10 stations never seen in training are
    held out (seeds 1001–1010)."""
    x_train, y_train = _stations(AIR_TRAIN_SEEDS)
    x_test, y_test = _stations(AIR_TEST_SEEDS)
    return Split(x_train, y_train, x_test, y_test)


def air_zscore_baseline(x_train: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The naive detector: the largest absolute z-score of a reading's channels against
    the training data's mean and standard deviation."""
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    return np.abs((x - mean) / std).max(axis=1)


# --------------------------------------------------------------------- coverage fraud (simulated)

# The device agent's offline cities (`assay-agent dataset`, clients/device-agent): honest
# fleets on a reciprocal urban channel with near spoofers, witness rings and forged-signal
# witnesses that pass every deterministic check, and the chain's own integer features
# (`assay_radio::features`), one row per report that passed.
FRAUD_HOURS = 168
FRAUD_TRAIN = [(seed, layout) for seed in (1, 2) for layout in ("lisbon", "madrid", "berlin")]
# Held out: new seeds in the training cities, and new seeds in cities never trained on.
FRAUD_HELD_OUT_SEEDS = [(101, "lisbon"), (102, "madrid")]
FRAUD_HELD_OUT_LAYOUTS = [(103, "porto"), (104, "paris")]
FRAUD_TRAIN_ROWS = 240_000  # a sample of the training rows (gradient boosting's cost)


def agent_binary() -> str:
    """The device agent, built by `make build-agent` into the cargo target directory."""
    path = os.environ.get("ASSAY_AGENT_BIN") or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "/var/tmp/assay-target"), "release", "assay-agent"
    )
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: build the device agent first (make build-agent)")
    return path


def fraud_rows(seed: int, layout: str):
    """One city's labelled rows, as a pandas frame (the agent writes them)."""
    import io
    import subprocess

    import pandas as pd

    out = subprocess.run(
        [agent_binary(), "dataset", "--seed", str(seed), "--hours", str(FRAUD_HOURS),
         "--layout", layout, "--out", "-"],
        check=True, capture_output=True,
    ).stdout
    return pd.read_csv(io.BytesIO(out))


FRAUD_FEATURES = [
    "margin_db_x10", "snr_db_x10", "snr_gap_db_x10", "distance_dam", "heard", "distinct_heard",
    "mutual_peers", "same_owner", "hex_hotspots", "margin_slope", "mean_margin_slope",
    "link_asymmetry_db_x10", "mean_link_asymmetry",
]


def coverage_fraud() -> Split:
    """The training sample and the held-out rows; `extra["test"]` is the held-out frame
    (kind, selected, witnesses_selected, group)."""
    import pandas as pd

    train = pd.concat([fraud_rows(s, l) for s, l in FRAUD_TRAIN], ignore_index=True)
    train = train.sample(n=min(FRAUD_TRAIN_ROWS, len(train)), random_state=SPLIT_SEED % 2**32)
    tests = []
    for group, sets in (("held-out seeds", FRAUD_HELD_OUT_SEEDS), ("held-out cities", FRAUD_HELD_OUT_LAYOUTS)):
        for s, l in sets:
            t = fraud_rows(s, l)
            t["group"] = group
            tests.append(t)
    test = pd.concat(tests, ignore_index=True)
    return Split(
        train[FRAUD_FEATURES].to_numpy(np.float64), train["label"].to_numpy(np.int64),
        test[FRAUD_FEATURES].to_numpy(np.float64), test["label"].to_numpy(np.int64), {"test": test},
    )


def witness_units(selected: np.ndarray) -> np.ndarray:
    """HIP-15 units of each selected witness when `selected` were selected (N = 4, r = 0.8;
    `reward_units::witness_units`)."""
    w = np.asarray(selected, dtype=np.float64)
    return np.where(w <= 4, 1.0, (4 - (1 - 0.8 ** (w - 4))) / np.maximum(w, 1))


def fraud_rule_baseline(x: np.ndarray) -> np.ndarray:
    """The naive scorer: how close the RSSI is to the free-space limit (the smaller the
    margin, the more suspicious: the classic forged-signal tell)."""
    return -x[:, FRAUD_FEATURES.index("margin_db_x10")]


