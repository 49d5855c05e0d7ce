"""Does a decision threshold chosen on a validation split carry over to the test split? The study
behind train-evaluate's `--decision-threshold tune` and its guard, run with Python's xgboost on
stratified splits of the shared 100k rows (test 20%, validation 20% of the rest, as treeline's
submit carves them): for each split, cover type and configuration (the defaults and one random
point of the shipped space), a model fitted without the validation rows picks its F1-best cut
there; the final model, fitted on the whole training split, is scored on test at 0.5, at that
cut, and at the guarded cut (the cut only where it beats 0.5 on >= 97.5% of 200 paired bootstrap
resamples of the validation rows, else 0.5; treeline's metrics::ThresholdGuard). Also prints,
per cover type, the spread of the trial model's best cut on validation and on test, and the mean
probability the trial and final models give the test positives.

Usage: /usr/bin/python3 bench/threshold_transfer.py [--data FILE] [--splits 4]"""
import argparse
import os

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.model_selection import train_test_split

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def f1(y, predicted):
    return 2 * (predicted & y).sum() / max(predicted.sum() + y.sum(), 1)


def best_cut(y, p):
    """The F1-best cut between distinct probabilities; 0.5 when its gap holds 0.5 (as treeline)."""
    order = np.argsort(-p)
    ps, ys = p[order], y[order]
    f = 2 * np.cumsum(ys) / (np.arange(1, len(p) + 1) + y.sum())
    last_of_value = np.r_[ps[1:] != ps[:-1], True]
    i = int(np.argmax(np.where(last_of_value, f, -1)))
    below = ps[i + 1] if i + 1 < len(ps) else 0.0
    return 0.5 if below < 0.5 <= ps[i] else (ps[i] + below) / 2


def guarded(y, p, cut, resamples=200, confidence=0.975):
    if cut == 0.5:
        return 0.5
    idx = np.random.default_rng(3).integers(0, len(y), (resamples, len(y)))
    yy = y[idx]

    def f1s(c):
        predicted = (p >= c)[idx]
        return 2 * (predicted & yy).sum(1) / np.maximum(predicted.sum(1) + yy.sum(1), 1)
    return cut if (f1s(cut) - f1s(0.5) > 0).mean() >= confidence else 0.5


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "covertype-100k.csv.gz"))
    ap.add_argument("--splits", type=int, default=4)
    a = ap.parse_args()
    df = pd.read_csv(a.data)
    cover = df["Cover_Type"].values
    X = pd.get_dummies(df.drop(columns=["Cover_Type"])).astype(np.float32).values
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(a.splits):
        Xtr, Xte, ytr, yte = train_test_split(X, cover, test_size=0.2, random_state=seed, stratify=cover)
        Xa, Xv, ya, yv = train_test_split(Xtr, ytr, test_size=0.2, random_state=seed, stratify=ytr)
        for k in (4, 5, 6, 7):
            random_point = dict(n_estimators=int(np.exp(rng.uniform(np.log(100), np.log(300)))),
                                max_depth=int(rng.integers(6, 16)),
                                learning_rate=float(np.exp(rng.uniform(np.log(0.05), np.log(0.5)))),
                                min_child_weight=float(np.exp(rng.uniform(np.log(0.5), np.log(5)))))
            for config in (dict(n_estimators=100, max_depth=6, learning_rate=0.3), random_point):
                trial = xgb.XGBClassifier(tree_method="hist", n_jobs=2, **config).fit(Xa, ya == k)
                pv, pt_trial = trial.predict_proba(Xv)[:, 1], trial.predict_proba(Xte)[:, 1]
                cut = best_cut(yv == k, pv)
                kept = guarded(yv == k, pv, cut)
                p = xgb.XGBClassifier(tree_method="hist", n_jobs=2, **config).fit(Xtr, ytr == k).predict_proba(Xte)[:, 1]
                y = yte == k
                rows.append((k, f1(y, p >= 0.5), f1(y, p >= cut), f1(y, p >= kept), cut, best_cut(y, pt_trial),
                             pt_trial[y].mean(), p[y].mean()))
    r = np.array(rows)
    print("%-10s %6s %14s %14s %20s %20s %22s" % ("cover_type", "fits", "gain of cut", "gain guarded",
                                                    "trial cut on val", "trial cut on test", "mean p positives t/f"))
    for k in (4, 5, 6, 7):
        s = r[r[:, 0] == k]
        print("%-10d %6d %+14.4f %+14.4f %20s %20s %22s" % (
            k, len(s), (s[:, 2] - s[:, 1]).mean(), (s[:, 3] - s[:, 1]).mean(),
            "%.2f-%.2f" % (s[:, 4].min(), s[:, 4].max()), "%.2f-%.2f" % (s[:, 5].min(), s[:, 5].max()),
            "%.2f-%.2f / %.2f-%.2f" % (s[:, 6].min(), s[:, 6].max(), s[:, 7].min(), s[:, 7].max())))


if __name__ == "__main__":
    main()
