"""Covertype tuning: `treeline submit` for all 7 cover types (config/aip_config.yaml: 20 trials
each, maxParallelTrials 2) on ../shared/data/covertype-100k.csv.gz, beside a Python script doing
the same study with Optuna's TPE over the reference pipeline (pandas, scikit-learn, xgboost: as in
bench/reference_pipeline.py and the seed, one data set per cover type is stored and every trial
runs train_evaluate on it: read, split, preprocess, train, evaluate) over the config's search space
and maxTrials, run in the same invocation.
Prints per cover type the test F1 after tuning against run-local's with default hyperparameters, the 7-class accuracy of the seven final models (argmax via predict) on
the held-out test split, and the wall-time ratio.

Targets: every tuned test F1 >= run-local's; 7-class accuracy >= 0.937; wall <= 0.5 of Optuna's.

Tuned models are scored at the decision threshold their best trial tuned on its validation split
(submit's default; column "threshold", and "tuned@0.5" is the same model at 0.5); the defaults at
0.5, as run-local stores them. Beside each tuned F1: a 95% paired-bootstrap interval of its difference from the defaults' F1 on
the same test rows (an interval that spans 0 means the test split cannot tell the two apart).
Also prints the study's trial-seconds (trial durations summed, from `jobs describe`), each cover
type's priciest trial, and, with
--fixed 'max_depth=16 n_estimators=300 learning_rate=0.2' (repeatable), the 7-class accuracy of
run-local with hand-set hyperparameters on the same split, and the tuned set's 7-class accuracy
with each cover type's model in turn replaced by the hand-set one's (which study holds it back).

Usage: /usr/bin/python3 bench/covertype_tuning_bench.py [--treeline build/treeline] [--skip-reference]
       [--config FILE] [--treeline-setting NAME=VALUE]... [--config-setting PATH=VALUE]...
       [--without-param NAME]...
       [--submit-arg=--FLAG=VALUE]... [--fixed 'name=value ...']... [--fixed-only] [--keep-store DIR]
--treeline-setting runs a copy of the config with trainingInput.treeline.NAME set, e.g.
`--skip-reference --treeline-setting seed=3 --treeline-setting initialTrials=8` (docs/benchmark-log.md's table of
initial trials); --without-param takes a search parameter out of that copy, e.g.
`--without-param reg_lambda` (and treeline.stepParameter with it when it names that parameter).
Runs in docs/benchmark-log.md made before 48c5539 used the 7-parameter space shipped then."""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

REFERENCE = r'''
import os, sys, time, json, numpy as np, pandas as pd, optuna, xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.metrics import f1_score, accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler
optuna.logging.set_verbosity(optuna.logging.WARNING)
data, trials, workdir, params = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
start = time.perf_counter()
df = pd.read_csv(data)
num = list(df.columns[:10]); cat = ["Wilderness_Area", "Soil_Type"]
# prepare, as bench/reference_pipeline.py and the seed do: one data set per cover type, stored
paths = {k: os.path.join(workdir, "cover_type_%d.csv" % k) for k in range(1, 8)}
for k, path in paths.items():
    df.assign(label=(df["Cover_Type"] == k).astype(int)).to_csv(path, index=False)
def train_evaluate(k, params, nthread, final):
    """The reference pipeline's train_evaluate for cover type k, as a trial (or the final job) runs it:
    read the data set, split (trials: a validation split carved from train), preprocess, train, evaluate."""
    d = pd.read_csv(paths[k])
    train, test = train_test_split(d, test_size=0.2, stratify=d["Cover_Type"], random_state=42)
    if not final:
        train, test = train_test_split(train, test_size=0.2, stratify=train["Cover_Type"], random_state=42)
    ct = ColumnTransformer([("num", StandardScaler(), num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    X = ct.fit_transform(train)
    model = xgb.XGBClassifier(tree_method="hist", n_jobs=nthread, random_state=42, **params).fit(X, train["label"].values)
    p = model.predict_proba(ct.transform(test))[:, 1]
    return p, test["label"].values, test["Cover_Type"].values
def space(t):
    """The config's params (trainingInput.hyperparameters.params), as Optuna suggests them (it has
    no reverse-log scale: UNIT_REVERSE_LOG_SCALE is sampled linearly)."""
    chosen = {}
    for q in params:
        name, kind, log = q["parameterName"], q["type"], q.get("scaleType") == "UNIT_LOG_SCALE"
        if kind == "INTEGER":
            chosen[name] = t.suggest_int(name, int(q["minValue"]), int(q["maxValue"]), log=log)
        elif kind == "DOUBLE":
            chosen[name] = t.suggest_float(name, float(q["minValue"]), float(q["maxValue"]), log=log)
        else:
            chosen[name] = t.suggest_categorical(name, q.get("discreteValues") or q["categoricalValues"])
    return chosen
probs, results = [], []
for k in range(1, 8):
    def objective(t):
        p, y, _ = train_evaluate(k, space(t), 1, final=False)
        return f1_score(y, p >= 0.5)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=k))
    study.optimize(objective, n_trials=trials, n_jobs=2)
    p, y, cover = train_evaluate(k, study.best_params, 2, final=True)
    probs.append(p)
    results.append({"cover_type": k, "f1": f1_score(y, p >= 0.5)})
acc = accuracy_score(cover, np.argmax(np.vstack(probs), axis=0) + 1)
print(json.dumps({"wall": time.perf_counter() - start, "accuracy7": acc, "results": results}))
'''


def tuning_settings(config):
    """trainingInput.hyperparameters of a config (with or without the trainingInput key): the
    reference runs the same study, its search space and number of trials."""
    with open(config) as f:
        document = yaml.safe_load(f)
    return document.get("trainingInput", document)["hyperparameters"]


def set_field(training_input, setting):
    """Sets "PATH=VALUE" under trainingInput (VALUE read as YAML). PATH is dotted; in the params
    list a parameterName selects its entry: hyperparameters.params.learning_rate.minValue=0.05."""
    path, _, value = setting.partition("=")
    keys = path.split(".")
    node = training_input
    for key in keys[:-1]:
        if isinstance(node, list):
            found = [p for p in node if p.get("parameterName") == key]
            if not found:
                sys.exit("--config-setting %s: the config has no parameter %s" % (setting, key))
            node = found[0]
        else:
            node = node.setdefault(key, {})
    node[keys[-1]] = yaml.safe_load(value)


def config_variant(config, settings, fields, without, directory):
    """A copy of `config` with trainingInput.treeline.NAME = VALUE for each "NAME=VALUE" in
    `settings`, each "PATH=VALUE" of `fields` set (set_field), and without the search parameters
    named in `without`; or `config` itself when there is nothing to change."""
    if not settings and not fields and not without:
        return config
    with open(config) as f:
        document = yaml.safe_load(f)
    training_input = document.get("trainingInput", document)
    for setting in settings:
        set_field(training_input, "treeline." + setting)
    for field in fields:
        set_field(training_input, field)
    params = training_input["hyperparameters"]["params"]
    unknown = set(without) - {p["parameterName"] for p in params}
    if unknown:
        sys.exit("--without-param: the config has no parameter %s" % ", ".join(sorted(unknown)))
    training_input["hyperparameters"]["params"] = [p for p in params if p["parameterName"] not in without]
    settings_block = training_input.get("treeline") or {}
    if settings_block.get("stepParameter") in without:
        del settings_block["stepParameter"]  # it would name a parameter the copy no longer has
    path = os.path.join(directory, "config.yaml")
    with open(path, "w") as f:
        yaml.safe_dump(document, f)
    return path


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    return p.stdout


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def trial_costs(binary, store, job_id):
    """From `jobs describe`: seconds the job's trials ran, summed (the study's compute, apart from
    the wall), and its priciest trial as (seconds, hyperparameters)."""
    doc = json.loads(run([binary, "jobs", "describe", job_id, "--store", store, "--format", "json"]))
    timed = [(iso_seconds(t["endTime"]) - iso_seconds(t["startTime"]), t["hyperparameters"])
             for t in doc["trainingOutput"].get("trials", []) if "endTime" in t]
    return sum(s for s, _ in timed), max(timed, key=lambda st: st[0], default=(0.0, {}))


def short(hyperparameters):
    """n_estimators=798 max_depth=15 learning_rate=0.07 ...: values rounded for a table."""
    return " ".join("%s=%s" % (k, v if re.fullmatch(r"-?\d+", str(v)) else "%.3g" % float(v))
                    for k, v in sorted(hyperparameters.items()))


def test_probabilities(binary, models, data, out):
    """Per-class probabilities and true cover types of the test split (`treeline predict --out`)."""
    run([binary, "predict", "--models", models, "--data", data, "--test-split", "--nthread", "2", "--out", out])
    table = np.genfromtxt(out, delimiter=",", names=True)
    return np.vstack([table["p_cover_type_%d" % k] for k in range(1, 8)]).T, table["Cover_Type"].astype(int)


def seven_class_accuracy(p, cover):
    return float(np.mean(np.argmax(p, axis=1) + 1 == cover))


def bootstrap_rows(rows, resamples=2000, seed=42):
    """Row indices of `resamples` bootstrap samples of the test split, shared by every cover type."""
    return np.random.default_rng(seed).integers(0, rows, size=(resamples, rows), dtype=np.int32)


def decision_thresholds(models):
    """Each cover type's decision threshold, as its model set's metrics.json records it."""
    out = {}
    for k in range(1, 8):
        with open(os.path.join(models, "models", "cover_type_%d" % k, "metrics.json")) as f:
            out[k] = json.load(f).get("decision_threshold", 0.5)
    return out


def f1_scores(predicted, y, positives):
    """F1 along the last axis: of one row set, or of each bootstrap sample at once."""
    return 2 * (predicted & y).sum(axis=-1) / np.maximum(predicted.sum(axis=-1) + positives, 1)


def test_f1(p, threshold, cover, k):
    y = cover == k
    return f1_scores(p[:, k - 1] >= threshold, y, y.sum())


def f1_difference_interval(p_defaults, threshold_defaults, p_tuned, threshold_tuned, cover, k, idx):
    """95% paired-bootstrap interval of test F1 (tuned minus defaults, each at its model's decision
    threshold) for cover type k: how much of the difference the test split's size can tell from chance."""
    y = (cover == k)[idx]
    positives = y.sum(axis=1)
    diff = (f1_scores((p_tuned[:, k - 1] >= threshold_tuned)[idx], y, positives)
            - f1_scores((p_defaults[:, k - 1] >= threshold_defaults)[idx], y, positives))
    return np.percentile(diff, 2.5), np.percentile(diff, 97.5)


def fixed_settings(binary, data, store, settings):
    """run-local with hand-set hyperparameters, then the 7-class test accuracy of its models."""
    rows = []
    for i, flags in enumerate(settings):
        start = time.perf_counter()
        results = json.loads(run([binary, "run-local", "bench", "fixed%d" % i, "--data", data, "--store", store,
                                  "--nthread", "2", "--json"] + ["--" + f for f in flags.split()]))["results"]
        wall = time.perf_counter() - start
        out = run([binary, "predict", "--models", os.path.join(store, "bench", "fixed%d" % i), "--data", data,
                   "--test-split", "--nthread", "2"])
        f1 = [r["f1"] for r in sorted(results, key=lambda r: r["cover_type"])]
        rows.append((flags, wall, float(re.search(r"7-class accuracy: ([0-9.]+)", out).group(1)), f1))
    return rows


def print_fixed(rows):
    for flags, wall, accuracy, f1 in rows:
        print("hand-set run-local %s: 7-class accuracy %.4f (%.1f s); test F1 of cover types 1-7 at 0.5: %s"
              % (flags, accuracy, wall, " ".join("%.4f" % v for v in f1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--treeline", default=os.path.join(ROOT, "build", "treeline"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "covertype-100k.csv.gz"))
    ap.add_argument("--config", default=os.path.join(ROOT, "config", "aip_config.yaml"))
    ap.add_argument("--trials", type=int, help="for the Optuna reference (default: the config's maxTrials, as treeline)")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--treeline-setting", action="append", default=[], metavar="NAME=VALUE",
                    help="run with trainingInput.treeline.NAME set to VALUE in a copy of the config (repeatable)")
    ap.add_argument("--config-setting", action="append", default=[], metavar="PATH=VALUE",
                    help="run with trainingInput.PATH set to VALUE in a copy of the config (repeatable), e.g. "
                         "hyperparameters.enableTrialEarlyStopping=false or "
                         "hyperparameters.params.learning_rate.minValue=0.08")
    ap.add_argument("--without-param", action="append", default=[], metavar="NAME",
                    help="run with the search parameter NAME taken out of a copy of the config (repeatable)")
    ap.add_argument("--submit-arg", action="append", default=[], metavar="--FLAG=VALUE",
                    help="pass this flag to treeline submit too (repeatable): --validation-fraction=V or "
                         "--decision-threshold=T (the split itself stays the one every model here is scored on)")
    ap.add_argument("--fixed", action="append", default=[], metavar="'max_depth=16 n_estimators=300 ...'",
                    help="also run run-local with these hyperparameters (repeatable) and print the 7-class test "
                         "accuracy of its models, to compare the tuned ones with hand-set settings")
    ap.add_argument("--fixed-only", action="store_true", help="only the --fixed runs: no tuning, no reference")
    ap.add_argument("--keep-store", metavar="DIR",
                    help="use DIR (new or empty) as treeline's store and keep it, to study the trials afterwards "
                         "(`treeline jobs describe JOB --store DIR`); by default a temporary one is removed")
    a = ap.parse_args()
    if a.keep_store and os.path.exists(a.keep_store) and (not os.path.isdir(a.keep_store) or os.listdir(a.keep_store)):
        ap.error("--keep-store %s: not empty; give a new or empty directory" % a.keep_store)
    for flag in a.submit_arg:
        if not flag.startswith(("--validation-fraction=", "--decision-threshold=")):
            ap.error("--submit-arg %s: only --validation-fraction=V and --decision-threshold=T, so that every "
                     "model is scored on the same test split" % flag)
    binary = os.path.abspath(a.treeline)
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.abspath(a.keep_store) if a.keep_store else os.path.join(tmp, "store")
        a.config = config_variant(a.config, a.treeline_setting, a.config_setting, a.without_param, tmp)
        print("store: %s (follow with: treeline jobs list --store %s)" % (store, store), file=sys.stderr, flush=True)
        if a.fixed_only:
            print_fixed(fixed_settings(binary, a.data, store, a.fixed))
            return
        base = json.loads(run([binary, "run-local", "bench", "defaults", "--data", a.data, "--store", store,
                               "--nthread", "2", "--json"]))["results"]
        start = time.perf_counter()
        tuned = json.loads(run([binary, "submit", "bench", "tuned", "--config", a.config, "--data", a.data,
                                "--store", store, "--json"] + a.submit_arg))["results"]
        wall = time.perf_counter() - start
        print("treeline submit: %.1f s" % wall, file=sys.stderr, flush=True)
        costs = {t["cover_type"]: trial_costs(binary, store, t["job_id"]) for t in tuned}
        spent = {k: total for k, (total, _) in costs.items()}
        fixed = fixed_settings(binary, a.data, store, a.fixed)
        out = run([binary, "predict", "--models", os.path.join(store, "bench", "tuned"), "--data", a.data,
                   "--test-split", "--nthread", "2"])
        accuracy7 = float(re.search(r"7-class accuracy: ([0-9.]+)", out).group(1))
        p_defaults, cover = test_probabilities(binary, os.path.join(store, "bench", "defaults"), a.data,
                                               os.path.join(tmp, "defaults.csv"))
        p_tuned, _ = test_probabilities(binary, os.path.join(store, "bench", "tuned"), a.data, os.path.join(tmp, "tuned.csv"))
        # Which study holds the accuracy back: the tuned set's 7-class accuracy with one cover
        # type's model swapped for the hand-set one's (argmax over probabilities, as predict does).
        swapped = []
        for i, (flags, _, _, _) in enumerate(fixed):
            p_fixed, _ = test_probabilities(binary, os.path.join(store, "bench", "fixed%d" % i), a.data,
                                            os.path.join(tmp, "fixed%d.csv" % i))
            swapped.append((flags, [seven_class_accuracy(np.where(np.arange(7) == k - 1, p_fixed, p_tuned), cover)
                                    for k in range(1, 8)]))
        t_defaults = decision_thresholds(os.path.join(store, "bench", "defaults"))
        t_tuned = decision_thresholds(os.path.join(store, "bench", "tuned"))
        reference = None
        if not a.skip_reference:
            hyperparameters = tuning_settings(a.config)
            trials = a.trials or hyperparameters.get("maxTrials", 1)  # AI Platform's default
            reference = json.loads(run(["/usr/bin/python3", "-c", REFERENCE, a.data, str(trials), tmp,
                                        json.dumps(hyperparameters["params"])]))
    print("%-10s %12s %12s %10s %10s %18s %10s %9s  %s" % (
        "cover_type", "f1 defaults", "f1 tuned", "threshold", "tuned@0.5", "diff 95% interval", "reference", "trial s",
        "best hyperparameters"))
    all_better = True
    idx = bootstrap_rows(len(cover))
    for b, t in zip(base, tuned):
        ref = reference["results"][t["cover_type"] - 1]["f1"] if reference else float("nan")
        all_better &= t.get("f1", 0) >= b["f1"]
        k = t["cover_type"]
        low, high = f1_difference_interval(p_defaults, t_defaults[k], p_tuned, t_tuned[k], cover, k, idx)
        print("%-10d %12.4f %12.4f %10.3f %10.4f %18s %10.4f %9.1f  %s" % (
            k, b["f1"], t.get("f1", float("nan")), t_tuned[k], test_f1(p_tuned, 0.5, cover, k),
            "[%+.3f, %+.3f]" % (low, high), ref, spent[k], json.dumps(t.get("best_hyperparameters"))))
    print("trial-seconds of the study (summed over trials): %.0f" % sum(spent.values()))
    for k, (_, (seconds, hyperparameters)) in sorted(costs.items()):
        print("cover type %d, priciest trial: %.1f s, %s" % (k, seconds, short(hyperparameters)))
    print_fixed(fixed)
    for flags, accuracies in swapped:
        print("7-class accuracy with one cover type's tuned model replaced by hand-set %s's: %s"
              % (flags, " ".join("%d: %.4f" % (k, v) for k, v in enumerate(accuracies, 1))))
    print("7-class accuracy on the test split: treeline %.4f%s (target >= 0.937)"
          % (accuracy7, "" if not reference else ", Optuna reference %.4f" % reference["accuracy7"]))
    print("wall: treeline submit %.1f s%s" % (wall, "" if not reference else ", Optuna reference %.1f s, ratio %.2f (target <= 0.5)"
                                              % (reference["wall"], wall / reference["wall"])))
    ok = all_better and accuracy7 >= 0.937 and (not reference or wall / reference["wall"] <= 0.5)
    print("tuned F1 >= defaults for every cover type: %s" % ("PASS" if all_better else "FAIL"))
    print("RESULT: %s" % ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
