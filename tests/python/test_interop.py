"""Interoperability: the files treeline writes open in Python's xgboost (Debian's python3-xgboost)
and predict what treeline predicts, within 1e-6, with the stored preprocessor applied as the
workshop applies it (scikit-learn's StandardScaler).

Usage: test_interop.py TREELINE_BINARY SOURCE_DIR"""
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import xgboost as xgb
from sklearn.preprocessing import StandardScaler


def features(rows, pre):
    """Applies preprocessor.json the workshop's way: scikit-learn's StandardScaler on the numeric
    columns in float64 (its mean_ and scale_ from the file), then the category positions."""
    numeric = pre["numeric"]
    scaler = StandardScaler()
    scaler.mean_ = np.array([c["mean"] for c in numeric])
    scaler.scale_ = np.array([c["scale"] for c in numeric])
    scaler.var_ = scaler.scale_ ** 2
    scaler.n_features_in_ = len(numeric)
    raw = np.array([[float(r[c["name"]]) for c in numeric] for r in rows], dtype=np.float64)
    out = np.empty((len(rows), len(pre["feature_names"])), dtype=np.float32)
    out[:, :len(numeric)] = scaler.transform(raw)  # float64, rounded to float32 as xgboost.DMatrix does
    aliases = {"Commanche": "Commanche Peak", "Cache": "Cache la Poudre"}
    j = len(numeric)
    for cat in pre["categorical"]:
        index = {c: i for i, c in enumerate(cat["categories"])}
        values = [aliases.get(r[cat["name"]], r[cat["name"]]) for r in rows]
        if pre["encoding"] == "categorical":
            out[:, j] = [index.get(v, np.nan) for v in values]
            j += 1
        else:
            # treeline passes one-hot groups as CSR: an absent 0 is "missing" to XGBoost, as in
            # scikit-learn's sparse OneHotEncoder output.
            block = np.full((len(rows), len(index)), np.nan, dtype=np.float32)
            for i, v in enumerate(values):
                if v in index:
                    block[i, index[v]] = 1
            out[:, j:j + len(index)] = block
            j += len(index)
    return out


def check(treeline, source_dir, encoding, tmp):
    data = os.path.join(source_dir, "data", "covertype-sample.csv.gz")
    store = os.path.join(tmp, "store-" + encoding)
    subprocess.run([treeline, "run-local", "interop", "run", "--data", data, "--store", store, "--nthread", "1",
                    "--n_estimators=25", "--max_depth=5", "--encoding", encoding, "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    out_csv = os.path.join(tmp, "pred-" + encoding + ".csv")
    subprocess.run([treeline, "predict", "--models", os.path.join(store, "interop", "run"), "--data", data,
                    "--out", out_csv, "--nthread", "1"], check=True, stdout=subprocess.DEVNULL)
    with open(out_csv) as f:
        predicted = list(csv.DictReader(f))
    with gzip.open(data, "rt") as f:
        rows = list(csv.DictReader(f))
    worst = 0.0
    for k in range(1, 8):
        model_dir = os.path.join(store, "interop", "run", "models", "cover_type_%d" % k)
        with open(os.path.join(model_dir, "preprocessor.json")) as f:
            pre = json.load(f)
        booster = xgb.Booster()
        booster.load_model(os.path.join(model_dir, "model.json"))
        X = features(rows, pre)
        types = ["c" if t == "c" else ("i" if t == "i" else "q") for t in pre["feature_types"]]
        dm = xgb.DMatrix(X, missing=np.nan, feature_names=pre["feature_names"], feature_types=types,
                         enable_categorical=encoding == "categorical")
        python_p = booster.predict(dm)
        treeline_p = np.array([float(r["p_cover_type_%d" % k]) for r in predicted])
        diff = float(np.max(np.abs(python_p - treeline_p)))
        worst = max(worst, diff)
        assert diff <= 1e-6, "cover type %d (%s): max |python - treeline| = %g" % (k, encoding, diff)
    print("encoding %s: 7 models, %d rows, max abs difference %.3g" % (encoding, len(rows), worst))


def main():
    treeline, source_dir = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        for encoding in ("categorical", "onehot"):
            check(treeline, source_dir, encoding, tmp)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
