#!/usr/bin/python3
"""Search quality of treeline's samplers beside Optuna's, on functions with known minima.

Runs build/treeline_search_quality (see bench/search_quality.cpp for the functions, among them
the mixed integer/categorical one) for treeline's GP (ALGORITHM_UNSPECIFIED), TPE and random
search, and Optuna 3's TPESampler(seed=s) and RandomSampler(seed=s) on the same functions and
spaces, then prints the median over seeds of the best value after --trials trials, minimising.

At parallelism p the trials go in batches of p: p suggestions are asked for with the earlier
ones of the batch pending (treeline: running trials in the history; Optuna: study.ask() p times
before any study.tell()), then all p are evaluated.

Also prints the time of one GP suggestion after 100 finished trials in 6 dimensions.

Run with Debian's Python, which has python3-optuna:
    /usr/bin/python3 bench/search_quality.py [--binary build/treeline_search_quality]
"""
import argparse
import collections
import math
import statistics
import subprocess
import sys
import time

import optuna

BRANIN_MIN = 0.397887
HARTMANN6_MIN = -3.32237

HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
              [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
              [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
              [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2 for j in range(6))
        total -= HARTMANN_ALPHA[i] * math.exp(-inner)
    return total


def mixed(trial):
    """The same function and space as `mixed` in search_quality.cpp; its minimum is 0."""
    t = math.log10(trial.suggest_float("learning_rate", 1e-4, 1, log=True))
    depth = trial.suggest_int("depth", 1, 12)
    booster = trial.suggest_categorical("booster", ["gbtree", "dart", "gblinear"])
    subsample = trial.suggest_float("subsample", 0.5, 1.0, step=0.1)
    colsample = trial.suggest_float("colsample", 0, 1)
    centre, penalty = {"gbtree": (-2, 0), "dart": (-1.5, 0.3), "gblinear": (-3, 1.0)}[booster]
    shift = t - centre
    return (shift ** 2 + 0.04 * (depth - 8 - 2 * shift) ** 2 + 5 * (subsample - 0.8) ** 2
            + 2 * (colsample - 0.3) ** 2 + penalty)


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "mixed": mixed}
COLUMNS = [("gp", "treeline GP"), ("tpe", "treeline TPE"), ("random", "treeline random"),
           ("optuna-tpe", "Optuna TPE"), ("optuna-random", "Optuna random")]


def optuna_best(function, sampler, parallelism, trials):
    study = optuna.create_study(sampler=sampler, direction="minimize")
    best = math.inf
    done = 0
    while done < trials:
        batch = [study.ask() for _ in range(min(parallelism, trials - done))]
        values = [function(trial) for trial in batch]
        for trial, value in zip(batch, values):
            study.tell(trial, value)
            best = min(best, value)
        done += len(batch)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default="build/treeline_search_quality",
                        help="the treeline_search_quality executable (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--parallelism", default="1,4")
    parser.add_argument("--functions", default="branin,hartmann6,mixed")
    args = parser.parse_args()
    functions = args.functions.split(",")
    parallelisms = [int(p) for p in args.parallelism.split(",")]
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    results = collections.defaultdict(list)  # (function, parallelism, column) -> best values
    started = time.monotonic()
    treeline = subprocess.Popen(
        [args.binary, "--functions", ",".join(functions), "--samplers", "gp,tpe,random",
         "--parallelism", args.parallelism, "--seeds", str(args.seeds), "--trials", str(args.trials)],
        stdout=subprocess.PIPE, text=True)
    # Optuna runs meanwhile, on the other core.
    for name in functions:
        for parallelism in parallelisms:
            for seed in range(args.seeds):
                for column, sampler in (("optuna-tpe", optuna.samplers.TPESampler(seed=seed)),
                                        ("optuna-random", optuna.samplers.RandomSampler(seed=seed))):
                    best = optuna_best(FUNCTIONS[name], sampler, parallelism, args.trials)
                    results[(name, parallelism, column)].append(best)
    output, _ = treeline.communicate()
    if treeline.returncode != 0:
        sys.exit(f"{args.binary} failed with exit code {treeline.returncode}")
    for line in output.splitlines():
        fields = line.split()
        if fields and fields[0] == "RESULT":
            _, name, column, parallelism, _seed, best = fields
            results[(name, int(parallelism), column)].append(float(best))
    timing = subprocess.run([args.binary, "--time-suggest", "--history", "100", "--repeats", "10"],
                            stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    # The same with nine earlier reports per trial (treeline.stepParameter's curves): the model
    # then learns its limit of 200 points. Printed, not checked: the target is set at 100 trials.
    curve_timing = subprocess.run([args.binary, "--time-suggest", "--history", "100", "--repeats", "10",
                                   "--curves", "9"], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    elapsed = time.monotonic() - started

    print(f"Median over {args.seeds} seeds of the best value after {args.trials} trials (minimising; "
          f"optima: branin {BRANIN_MIN}, hartmann6 {HARTMANN6_MIN}, mixed 0)\n")
    header = f"{'function':<10} {'p':>2} " + " ".join(f"{title:>15}" for _, title in COLUMNS)
    print(header)
    print("-" * len(header))
    medians = {}
    for name in functions:
        for parallelism in parallelisms:
            row = []
            for column, _ in COLUMNS:
                values = results[(name, parallelism, column)]
                medians[(name, parallelism, column)] = statistics.median(values)
                row.append(f"{statistics.median(values):>15.4f}")
            print(f"{name:<10} {parallelism:>2} " + " ".join(row))
    print(f"\nGP suggestion after 100 finished trials, 6-d, over 10 histories: wall-clock median "
          f"{timing[1]} ms, max {timing[2]} ms; CPU time median {timing[3]} ms, max {timing[4]} ms")
    print(f"The same with 9 earlier reports per trial (curves; 200 points learnt): wall-clock median "
          f"{curve_timing[1]} ms, max {curve_timing[2]} ms; CPU time median {curve_timing[3]} ms, "
          f"max {curve_timing[4]} ms")

    print("\nTargets:")
    checks = []
    for name in functions:
        for parallelism in parallelisms:
            gp, tpe = medians[(name, parallelism, "gp")], medians[(name, parallelism, "optuna-tpe")]
            checks.append((f"GP <= Optuna TPE on {name}, p={parallelism} ({gp:.4f} vs {tpe:.4f})", gp <= tpe))
    if "branin" in functions and 1 in parallelisms:
        gp = medians[("branin", 1, "gp")]
        checks.append((f"GP < 0.5 on branin, p=1 ({gp:.4f})", gp < 0.5))
    if "hartmann6" in functions and 1 in parallelisms:
        gp = medians[("hartmann6", 1, "gp")]
        checks.append((f"GP < -2.8 on hartmann6, p=1 ({gp:.4f})", gp < -2.8))
    checks.append((f"GP suggestion at 100 trials <= 100 ms ({timing[1]} ms)", float(timing[1]) <= 100))
    for text, ok in checks:
        print(f"  [{'met' if ok else 'MISSED'}] {text}")
    print(f"\n({elapsed:.0f} s)")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
