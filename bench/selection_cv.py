"""Would cross-validation pick a rare cover type's model better than the validation split does?
The study behind README's account of cover type 4 (docs/benchmark-log.md has the run): on
treeline's own splits of the shared 100k rows (reproduced here bit for bit: its splitmix64
generator and stratified split, seed 42, test 20%, validation 20% of the rest), each
configuration is scored three ways with Python's xgboost
on the trainer's 12 columns (the one-hot groups as native categoricals, as train-evaluate hands
them over):
  val   fitted on the training split minus the validation split, F1 on the validation split
        (what a trial reports, at threshold 0.5);
  cv    k-fold cross-validation over the whole training split (stratified, out-of-fold F1), with
        k times the positives the validation split holds;
  test  fitted on the whole training split, F1 on the test split (what the final job reports).
The configurations: XGBoost's defaults (run-local's), nine small changes to them, and random
points of the shipped search space. Prints each, the rank correlation of val and cv with test,
and the test F1 of the configuration each criterion would pick. About 3 minutes for cover type 4.

Usage: /usr/bin/python3 bench/selection_cv.py [--cover-type 4] [--random 14] [--folds 5] [--data FILE]"""
import argparse
import os
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from scipy.stats import spearmanr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASK = (1 << 64) - 1


class SplitMix64:
    """treeline::Random (include/treeline/common/random.h): the same outputs, so the same splits."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        limit = MASK - MASK % n
        while True:
            x = self.next()
            if x < limit:
                return x % n

    def shuffle(self, items):
        for i in range(len(items), 1, -1):
            j = self.below(i)
            items[i - 1], items[j] = items[j], items[i - 1]


def by_stratum(labels, rows, rng):
    """Each cover type's rows in ascending stratum order, shuffled, as treeline deals them."""
    for stratum in sorted(set(labels[rows].tolist())):
        members = [r for r in rows if labels[r] == stratum]
        rng.shuffle(members)
        yield members


def stratified_split(labels, rows, fraction, seed):
    """treeline::data::stratified_split: round(n * fraction) of each stratum to the second part."""
    first, second = [], []
    for members in by_stratum(labels, rows, SplitMix64(seed)):
        n = len(members)
        n_second = int(np.floor(n * fraction + 0.5))
        if n >= 2:
            n_second = min(max(n_second, 1), n - 1)
        second += members[:n_second]
        first += members[n_second:]
    return np.array(sorted(first)), np.array(sorted(second))


def stratified_folds(labels, rows, k, seed):
    folds = [[] for _ in range(k)]
    for members in by_stratum(labels, rows, SplitMix64(seed)):
        for i, r in enumerate(members):
            folds[i % k].append(r)
    return [np.array(sorted(f)) for f in folds]


def f1(y, p):
    predicted = p >= 0.5
    return 2 * (predicted & y).sum() / max(predicted.sum() + y.sum(), 1)


def configurations(n_random, seed=1):
    defaults = dict(n_estimators=100, max_depth=6, learning_rate=0.3)
    out = [defaults]
    for change in (dict(learning_rate=0.2), dict(learning_rate=0.4), dict(max_depth=5), dict(max_depth=8),
                   dict(max_depth=10), dict(n_estimators=60), dict(n_estimators=200), dict(min_child_weight=3),
                   dict(reg_lambda=3)):
        out.append({**defaults, **change})
    rng = np.random.default_rng(seed)
    log_uniform = lambda lo, hi: float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    for _ in range(n_random):  # config/aip_config.yaml's ranges
        out.append(dict(n_estimators=int(log_uniform(200, 1000)), max_depth=int(rng.integers(12, 25)),
                        learning_rate=log_uniform(0.05, 0.3), min_child_weight=log_uniform(0.5, 10),
                        reg_lambda=log_uniform(0.1, 10)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "covertype-100k.csv.gz"))
    ap.add_argument("--cover-type", type=int, default=4)
    ap.add_argument("--random", type=int, default=14, help="random points of the shipped space")
    ap.add_argument("--folds", type=int, default=5)
    a = ap.parse_args()

    df = pd.read_csv(a.data)
    labels = df["Cover_Type"].values
    X = df.drop(columns=["Cover_Type"]).copy()
    for column in ("Wilderness_Area", "Soil_Type"):
        X[column] = X[column].astype(str).astype("category")
    train, test = stratified_split(labels, list(range(len(labels))), 0.2, 42)
    fit, val = stratified_split(labels, list(train), 0.2, 42 ^ 0x5EED5EED5EED5EED)  # as CoverTypeTrainer
    folds = stratified_folds(labels, list(train), a.folds, 7)
    y = labels == a.cover_type
    print(f"cover type {a.cover_type}: positives in training {y[train].sum()}, of which validation "
          f"{y[val].sum()}; test {y[test].sum()}; {a.folds} folds")

    def probabilities(config, fit_rows, score_rows):
        model = xgb.XGBClassifier(tree_method="hist", enable_categorical=True, n_jobs=2, **config)
        return model.fit(X.iloc[fit_rows], y[fit_rows]).predict_proba(X.iloc[score_rows])[:, 1]

    rows = []
    print(f"{'configuration':<78} {'val':>7} {'cv':>7} {'test':>7} {'s':>5}")
    for config in configurations(a.random):
        started = time.time()
        val_f1 = f1(y[val], probabilities(config, fit, val))
        out_of_fold = np.zeros(len(labels))
        for i, fold in enumerate(folds):
            rest = np.concatenate([f for j, f in enumerate(folds) if j != i])
            out_of_fold[fold] = probabilities(config, rest, fold)
        cv_f1 = f1(y[train], out_of_fold[train])
        test_f1 = f1(y[test], probabilities(config, train, test))
        rows.append((val_f1, cv_f1, test_f1))
        text = " ".join(f"{k}={v:.3g}" for k, v in config.items())
        print(f"{text:<78} {val_f1:7.4f} {cv_f1:7.4f} {test_f1:7.4f} {time.time() - started:5.1f}", flush=True)

    r = np.array(rows)
    print(f"\nrank correlation with test F1: val {spearmanr(r[:, 0], r[:, 2])[0]:+.2f}, "
          f"cv {spearmanr(r[:, 1], r[:, 2])[0]:+.2f}")
    print(f"test F1 of the pick: by val {r[np.argmax(r[:, 0]), 2]:.4f}, by cv {r[np.argmax(r[:, 1]), 2]:.4f}; "
          f"defaults {r[0, 2]:.4f}; best on test {r[:, 2].max():.4f}; "
          f"configurations at or above the defaults on test: {(r[1:, 2] >= r[0, 2]).sum()} of {len(r) - 1}")


if __name__ == "__main__":
    main()
