"""Interoperability: the files treeline writes open in Python's xgboost (Debian's python3-xgboost)
and predict what treeline predicts, within 1e-6.

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


def features(rows, pre):
    """Applies preprocessor.json in float32, as treeline does."""
    numeric = pre["numeric"]
    out = np.empty((len(rows), len(pre["feature_names"])), dtype=np.float32)
    for j, col in enumerate(numeric):
        x = np.array([float(r[col["name"]]) for r in rows], dtype=np.float32)
        out[:, j] = (x - np.float32(col["mean"])) / np.float32(col["scale"])
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
