"""Can a validation split tell good configurations apart? The study behind docs/benchmark-log.md's account of the
Covertype tuning benchmark's accuracy target: tuning picks, per cover type, the configuration
with the best F1 on a validation split carved from the training split (20% of it, as `submit`
does); the target compares the final models on the test split with hand-set configurations.

For cover types 1-3 (the ones that carry the 7-class accuracy) and a set of configurations (the
centre of the search space shipped before 48c5539, the defaults, and hand-set deep models), runs treeline's
`train-evaluate` twice on the shared 100k rows: as a trial (fitted without the validation rows,
F1 on them) and as the final job (fitted on the whole training split, F1 on test). Prints both,
their rank correlation, and what picking on validation costs on test against the best
configuration there.

Usage: /usr/bin/python3 bench/selection_noise.py [--treeline build/treeline] [--data FILE]
       [--cover-types 1,2,3] [--setting 'n_estimators=600 max_depth=18 learning_rate=0.1']..."""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

from scipy.stats import spearmanr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The centre of the 7-parameter space config/aip_config.yaml shipped before 48c5539 (the log's
# account was measured with it), as the GP's first trial had it: geometric midpoints on log
# scales, to full precision (a learning rate of 0.1225 instead of 0.12247... scores 0.005 lower on
# cover type 3's validation rows).
CENTRE_LOG = "n_estimators=282 max_depth=13 learning_rate=%r min_child_weight=%r" % (math.sqrt(0.03 * 0.5),
                                                                                    math.sqrt(0.5 * 10))
CONFIGS = [
    "n_estimators=100 max_depth=6 learning_rate=0.3",  # the defaults
    CENTRE_LOG + " subsample=0.8 colsample_bytree=0.75",  # the centre
    CENTRE_LOG,  # the same without row and column sampling
    "n_estimators=300 max_depth=16 learning_rate=0.2",
    "n_estimators=400 max_depth=18 learning_rate=0.2",
    "n_estimators=600 max_depth=18 learning_rate=0.1",
    "n_estimators=600 max_depth=18 learning_rate=0.1 subsample=0.8 colsample_bytree=0.75",
    "n_estimators=600 max_depth=12 learning_rate=0.1",
    "n_estimators=800 max_depth=20 learning_rate=0.1",
]


def f1_of(binary, store, cover_type, flags, validation, job_dir):
    cmd = [binary, "train-evaluate", "--project", "noise", "--name", "data", "--store", store,
           "--cover-type", str(cover_type), "--job-dir", job_dir, "--nthread", "2", "--json",
           "--validation-fraction", "0.2" if validation else "0"]
    cmd += ["--" + f for f in flags.split()]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr[-2000:]))
    return json.loads(p.stdout)["f1"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--treeline", default=os.path.join(ROOT, "build", "treeline"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "covertype-100k.csv.gz"))
    ap.add_argument("--cover-types", default="1,2,3")
    ap.add_argument("--setting", action="append", help="name=value ... (repeatable; replaces the built-in set)")
    a = ap.parse_args()
    configs = a.setting or CONFIGS
    binary = os.path.abspath(a.treeline)
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        p = subprocess.run([binary, "prepare", "noise", "data", "--data", a.data, "--store", store],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stderr)
        for k in [int(c) for c in a.cover_types.split(",")]:
            val = [f1_of(binary, store, k, c, True, os.path.join(tmp, "job")) for c in configs]
            test = [f1_of(binary, store, k, c, False, os.path.join(tmp, "job")) for c in configs]
            print("cover type %d" % k)
            print("  %-10s %-10s  configuration" % ("val F1", "test F1"))
            for v, t, c in zip(val, test, configs):
                print("  %-10.4f %-10.4f  %s" % (v, t, c))
            picked = max(range(len(configs)), key=lambda i: val[i])
            best = max(range(len(configs)), key=lambda i: test[i])
            print("  rank correlation (Spearman) of validation and test F1: %.2f" % spearmanr(val, test).correlation)
            print("  picked on validation: %s -> test %.4f; best on test: %s -> %.4f; cost of the pick %.4f"
                  % (configs[picked], test[picked], configs[best], test[best], test[best] - test[picked]), flush=True)


if __name__ == "__main__":
    main()
