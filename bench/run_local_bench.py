#!/usr/bin/python3
"""Benchmark `treeline run-local` against the Python reference pipeline.

Runs, in one invocation and alternating between the two,

  treeline:  TREELINE run-local bench RUNID --data CSV --store TMPDIR
                 --n_estimators=N --max_depth=D --learning_rate=LR --nthread=T --json
  reference: /usr/bin/python3 bench/reference_pipeline.py --data CSV --out TMPDIR
                 --n-estimators N --max-depth D --learning-rate LR --nthread T
  ref-memory: the same with --datasets memory

each --repeat times. The reference does the seed's steps: it stores one data set per cover type
(CSV, as the seed exports one BigQuery table per cover type to its bucket) and each cover type's
train-evaluate reads its own back; ref-memory shares one in-memory frame instead, which is leaner
than the seed, and is shown beside it without a target. It measures per run the wall time, CPU
time and peak RSS of that command's process (os.wait4 rusage of that one child, taken by a small
launcher process so that this script's own memory does not leak into ru_maxrss;
not RUSAGE_CHILDREN, which would mix the two programs), plus the mean F1 over the
seven cover types parsed from its JSON on stdout
({"results":[{"cover_type":K,"accuracy":..,"f1":..},...]}). It also notes how
much CPU other processes used meanwhile and warns when the machine was busy.
Medians are compared against the targets:

  wall time  treeline / reference <= 0.45
  peak RSS   treeline / reference <= 1/3
  mean F1    treeline >= reference - 0.01

Exit status: 0 all targets pass, 1 a target fails, 2 a run could not be done or
measured (missing binary, child failure, malformed JSON, ...).

--scaling instead runs on resampled copies of the data (10k, 100k and 1M rows
by default, rows drawn with replacement with a fixed seed) and prints time and
RSS per size and per row, to show how both grow with the input.

Standard library only; run with /usr/bin/python3.
"""

import argparse
import gzip
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

try:
    NPROC = len(os.sched_getaffinity(0))
except (AttributeError, OSError):
    NPROC = os.cpu_count() or 1
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
REFERENCE_SCRIPT = os.path.join(HERE, "reference_pipeline.py")
DEFAULT_DATA = "/work/shared/data/covertype-100k.csv.gz"
DEFAULT_TREELINE = os.path.join("build", "treeline")
SYSTEM_PYTHON = "/usr/bin/python3"
COVER_TYPES = list(range(1, 8))

WALL_RATIO_TARGET = 0.45
RSS_RATIO_TARGET = 1.0 / 3.0
F1_TOLERANCE = 0.01
NOISY_SPREAD = 1.25  # max/min wall time across repeats above which the figures are flagged
BUSY_SHARE = 0.10  # share of all CPUs used by other processes during a run above which it is flagged


class BenchError(Exception):
    """A run could not be performed or its output could not be understood."""


# --------------------------------------------------------------------------- machine


def machine_info():
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    cpu_model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_kb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
                    break
    except (OSError, ValueError):
        pass
    return {
        "nproc": affinity if affinity is not None else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_total_mb": mem_kb / 1024 if mem_kb else None,
    }


def print_machine(info):
    nproc = info["nproc"]
    extra = "" if nproc == info["cpu_count"] else f" (of {info['cpu_count']} online)"
    mem = f"{info['mem_total_mb'] / 1024:.1f} GiB" if info["mem_total_mb"] else "unknown"
    print(f"machine: nproc {nproc}{extra}, CPU {info['cpu_model']}, memory {mem}")


# --------------------------------------------------------------------------- running


# Why a launcher: on Linux a child's ru_maxrss starts from the high-water RSS of
# the process that forked it (fork copies the memory map, vfork/posix_spawn share
# it, and exec records the old map's peak), so wait4() straight from this script
# would floor every figure at this script's own peak RSS (13 MiB and up, far more
# while --scaling holds rows in memory). A fresh `python3 -S` has a small map
# (about 5 MiB); it forks the measured command, reaps exactly that child with
# os.wait4 and hands back its rusage. Wall time is taken inside the launcher,
# around fork..wait4, so the launcher's own start-up is not counted.
LAUNCHER = r"""
import os, signal, sys, time
fd = int(sys.argv[1])
os.set_inheritable(fd, False)  # the measured command must not hold the report pipe open
cmd = sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(cmd[0], cmd)
    except OSError as e:
        os.write(2, ("cannot execute %s: %s\n" % (cmd[0], e)).encode())
    os._exit(127)
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda s, f: os.kill(pid, s))
while True:
    try:
        _, status, ru = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
wall = time.perf_counter() - t0
os.write(fd, ("%r %d %r %r %d" % (wall, ru.ru_maxrss, ru.ru_utime, ru.ru_stime, status)).encode())
"""


def run_measured(cmd, cwd=None, env=None, contention=None):
    """Run cmd; return (exit_code, wall_s, cpu_s, peak_rss_bytes, stdout, stderr).

    If contention is a dict, contention["others"] is set to the share of the
    machine's CPU capacity that other processes used meanwhile (None if the run
    was too short to tell).

    Peak RSS is ru_maxrss from os.wait4() on the command's own process (see
    LAUNCHER): Linux reports the larger of its high-water mark and those of the
    descendants it waited for, so a program that forks workers is covered, but
    nothing else this benchmark runs is.
    """
    report_r, report_w = os.pipe()
    busy0, t0 = busy_cpu_seconds(), time.perf_counter()
    try:
        proc = subprocess.Popen(
            [SYSTEM_PYTHON, "-S", "-c", LAUNCHER, str(report_w)] + list(cmd),
            cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(report_w,),
        )
    except OSError as e:
        os.close(report_r)
        raise BenchError(f"cannot start {SYSTEM_PYTHON}: {e}") from e
    finally:
        os.close(report_w)

    chunks = {"out": [], "err": [], "report": []}

    def drain(stream, key):
        chunks[key].append(stream.read())
        stream.close()

    readers = [
        threading.Thread(target=drain, args=(proc.stdout, "out"), daemon=True),
        threading.Thread(target=drain, args=(proc.stderr, "err"), daemon=True),
        threading.Thread(target=drain, args=(os.fdopen(report_r, "rb"), "report"), daemon=True),
    ]
    for r in readers:
        r.start()
    try:
        _, status, outer = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        proc.terminate()  # the launcher passes it on to the command
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting
    outer_wall, busy1 = time.perf_counter() - t0, busy_cpu_seconds()
    if contention is not None:
        contention["others"] = None
        if busy0 is not None and busy1 is not None and outer_wall >= 0.5:
            # outer covers launcher + command (wait4 includes the children it reaped)
            own = outer.ru_utime + outer.ru_stime
            contention["others"] = max(0.0, (busy1 - busy0) - own) / (outer_wall * NPROC)
    for r in readers:
        r.join()
    out = b"".join(chunks["out"]).decode("utf-8", "replace")
    err = b"".join(chunks["err"]).decode("utf-8", "replace")
    report = b"".join(chunks["report"]).decode("ascii", "replace").split()
    if proc.returncode != 0 or len(report) != 5:
        raise BenchError(f"measuring launcher failed (status {proc.returncode}) for: {' '.join(cmd)}\n"
                         f"  stderr (tail):\n{tail(err)}")
    wall, maxrss_kib, utime, stime = float(report[0]), int(report[1]), float(report[2]), float(report[3])
    code = os.waitstatus_to_exitcode(int(report[4]))
    return code, wall, utime + stime, maxrss_kib * 1024, out, err  # ru_maxrss is KiB on Linux


def busy_cpu_seconds():
    """CPU time the whole machine has spent busy (incl. steal), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def rss_floor():
    """Peak RSS the launcher reports for a command that allocates nothing."""
    return min(run_measured(["/bin/true"])[3] for _ in range(3))


def tail(text, lines=15):
    rows = text.rstrip().splitlines()
    return "\n".join("    " + r for r in rows[-lines:]) if rows else "    (empty)"


def parse_results(name, stdout):
    """Extract and validate {"results":[...]} from a child's stdout."""
    doc = None
    text = stdout.strip()
    candidates = [text]
    # Tolerate log lines around the document: try single lines from the end, then
    # the span between the first '{' and the last '}'.
    candidates += [line.strip() for line in reversed(text.splitlines()) if line.strip().startswith("{")]
    if "{" in text and "}" in text:
        candidates.append(text[text.index("{"): text.rindex("}") + 1])
    for c in candidates:
        try:
            parsed = json.loads(c)
        except ValueError:
            continue
        if isinstance(parsed, dict) and "results" in parsed:
            doc = parsed
            break
    if doc is None:
        raise BenchError(
            f"{name}: stdout is not a JSON document with a \"results\" key; stdout was:\n{tail(stdout)}"
        )
    results = doc["results"]
    if not isinstance(results, list):
        raise BenchError(f"{name}: \"results\" is {type(results).__name__}, expected a list")
    by_type = {}
    for i, entry in enumerate(results):
        if not isinstance(entry, dict):
            raise BenchError(f"{name}: results[{i}] is not an object: {entry!r}")
        for key in ("cover_type", "accuracy", "f1"):
            if key not in entry:
                raise BenchError(f"{name}: results[{i}] lacks \"{key}\": {entry!r}")
        k, acc, f1 = entry["cover_type"], entry["accuracy"], entry["f1"]
        if isinstance(k, bool) or not isinstance(k, (int, float)) or k != int(k) or int(k) not in COVER_TYPES:
            raise BenchError(f"{name}: results[{i}].cover_type is {k!r}, expected an integer 1..7")
        for key, v in (("accuracy", acc), ("f1", f1)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0.0 <= v <= 1.0:
                raise BenchError(f"{name}: results[{i}].{key} is {v!r}, expected a number in [0, 1]")
        if int(k) in by_type:
            raise BenchError(f"{name}: cover_type {int(k)} appears twice in results")
        by_type[int(k)] = {"accuracy": float(acc), "f1": float(f1)}
    absent = [k for k in COVER_TYPES if k not in by_type]
    if absent:
        raise BenchError(f"{name}: results lack cover types {absent}")
    return by_type


class Runner:
    def __init__(self, args, tmp_root):
        self.args = args
        self.tmp_root = tmp_root
        self.count = 0
        self.floor = 0

    def fmt_rss(self, rss, width):
        mark = "<=" if rss <= self.floor * 1.05 else ""
        return f"{mark}{rss / 2**20:.1f}".rjust(width)

    def _fresh_dir(self, prefix):
        self.count += 1
        return tempfile.mkdtemp(prefix=f"{prefix}{self.count}-", dir=self.tmp_root)

    def treeline_cmd(self, data, store):
        a = self.args
        return [
            a.treeline, "run-local", "bench", f"bench{self.count}",
            "--data", data, "--store", store,
            f"--n_estimators={a.n_estimators}", f"--max_depth={a.max_depth}",
            f"--learning_rate={a.learning_rate}", f"--nthread={a.nthread}", "--json",
        ]

    def reference_cmd(self, data, out, datasets):
        a = self.args
        return [
            SYSTEM_PYTHON, REFERENCE_SCRIPT, "--data", data, "--out", out,
            "--n-estimators", str(a.n_estimators), "--max-depth", str(a.max_depth),
            "--learning-rate", str(a.learning_rate), "--nthread", str(a.nthread), "--datasets", datasets,
        ]

    def run(self, which, data):
        """One measured run of 'treeline', 'reference' (the seed's steps: one data set per cover
        type stored, then read back) or 'ref-memory' (one frame in memory); returns a dict."""
        workdir = self._fresh_dir(which)
        try:
            if which == "treeline":
                cmd = self.treeline_cmd(data, workdir)
            else:
                cmd = self.reference_cmd(data, workdir, "memory" if which == "ref-memory" else "stored")
            contention = {}
            code, wall, cpu, rss, out, err = run_measured(cmd, cwd=REPO, contention=contention)
            if code != 0:
                raise BenchError(
                    f"{which} exited with status {code}\n  command: {' '.join(cmd)}\n"
                    f"  stderr (tail):\n{tail(err)}\n  stdout (tail):\n{tail(out)}"
                )
            results = parse_results(which, out)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        others = contention.get("others")
        mean_f1 = statistics.fmean(results[k]["f1"] for k in COVER_TYPES)
        mean_acc = statistics.fmean(results[k]["accuracy"] for k in COVER_TYPES)
        if self.args.verbose:
            print(f"  {which:9s} wall {wall:8.2f} s  cpu {cpu:8.2f} s  peak RSS {self.fmt_rss(rss, 9)} MiB  "
                  f"mean F1 {mean_f1:.4f}  others {'?' if others is None else f'{others:.0%}'}", flush=True)
        return {"wall": wall, "cpu": cpu, "rss": rss, "others": others, "mean_f1": mean_f1, "mean_acc": mean_acc, "results": results}


def check_treeline(path):
    if not os.path.exists(path):
        raise BenchError(
            f"treeline binary not found at {path!r}; build it with `make build` "
            f"or pass --treeline PATH"
        )
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise BenchError(f"treeline binary {path!r} is not an executable file")


def check_reference():
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        raise BenchError(f"{SYSTEM_PYTHON} not found; the reference needs Debian's python3 with "
                         "python3-pandas, python3-sklearn and python3-xgboost")
    if not os.path.isfile(REFERENCE_SCRIPT):
        raise BenchError(f"reference pipeline missing: {REFERENCE_SCRIPT}")


def warm_page_cache(path):
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def summarize(runs):
    return {
        "wall": statistics.median(r["wall"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "spread": max(r["wall"] for r in runs) / min(r["wall"] for r in runs),
        "others": max((r["others"] for r in runs if r["others"] is not None), default=None),
        "rss": statistics.median(r["rss"] for r in runs),
        "mean_f1": statistics.median(r["mean_f1"] for r in runs),
        "mean_acc": statistics.median(r["mean_acc"] for r in runs),
        "n": len(runs),
    }


def measure(runner, programs, data, repeat):
    runs = {p: [] for p in programs}
    for i in range(repeat):
        for p in programs:  # alternate, so drift (thermal, page cache, neighbours) hits both alike
            runs[p].append(runner.run(p, data))
    if runner.args.verbose:
        print(flush=True)
    return runs


def load_average():
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def warn_if_noisy(summaries):
    busy = [p for p, m in summaries.items() if m["others"] is not None and m["others"] > BUSY_SHARE]
    if busy:
        worst = max(summaries[p]["others"] for p in busy)
        print(f"warning: other processes used up to {worst:.0%} of the machine's CPU during runs of "
              f"{', '.join(busy)}; wall times are inflated, rerun on a quiet machine")
    noisy = [p for p, m in summaries.items() if m["n"] > 1 and m["spread"] > NOISY_SPREAD]
    if noisy:
        print(f"warning: wall times of {', '.join(noisy)} vary by more than {NOISY_SPREAD - 1:.0%} between "
              f"runs (now {load_average()}); the machine may be busy, consider rerunning or --repeat 5")


# --------------------------------------------------------------------------- comparison


def compare(args, runner):
    programs = ["reference", "ref-memory"] if args.reference_only else ["treeline", "reference", "ref-memory"]
    print(f"data: {args.data}")
    print(f"settings: n_estimators={args.n_estimators} max_depth={args.max_depth} "
          f"learning_rate={args.learning_rate} nthread={args.nthread}; {args.repeat} repeat(s), medians")
    if not args.reference_only:
        print(f"treeline: {args.treeline}")
    print(f"reference: {SYSTEM_PYTHON} {os.path.relpath(REFERENCE_SCRIPT, REPO)} (the seed's steps: one data set "
          f"per cover type stored as CSV, each read back by its train-evaluate)")
    print(f"ref-memory: the same with --datasets memory (one frame shared in memory, no data set files; "
          f"leaner than the seed, for comparison)")
    print(flush=True)

    runs = measure(runner, programs, args.data, args.repeat)
    med = {p: summarize(runs[p]) for p in programs}

    print(f"{'':10s} {'wall s':>9s} {'cpu s':>8s} {'peak RSS MiB':>13s} {'mean F1':>8s} {'mean acc':>9s}"
          f"   per-run wall s")
    for p in programs:
        m = med[p]
        per_run = " ".join(f"{r['wall']:.2f}" for r in runs[p])
        print(f"{p:10s} {m['wall']:9.2f} {m['cpu']:8.2f} {runner.fmt_rss(m['rss'], 13)} {m['mean_f1']:8.4f} "
              f"{m['mean_acc']:9.4f}   {per_run}")
    warn_if_noisy(med)

    print()
    print("F1 per cover type (last run):")
    print("  cover_type " + " ".join(f"{k:>7d}" for k in COVER_TYPES))
    for p in programs:
        res = runs[p][-1]["results"]
        print(f"  {p:10s} " + " ".join(f"{res[k]['f1']:7.4f}" for k in COVER_TYPES))

    if args.reference_only:
        return 0

    t, r = med["treeline"], med["reference"]
    wall_ratio = t["wall"] / r["wall"]
    rss_ratio = t["rss"] / r["rss"]
    f1_diff = t["mean_f1"] - r["mean_f1"]
    checks = [
        ("wall time ratio treeline/reference", f"{wall_ratio:.3f}", f"<= {WALL_RATIO_TARGET:.2f}",
         wall_ratio <= WALL_RATIO_TARGET),
        ("peak RSS ratio treeline/reference", f"{rss_ratio:.3f}", f"<= {RSS_RATIO_TARGET:.3f}",
         rss_ratio <= RSS_RATIO_TARGET),
        ("mean F1 difference treeline-reference", f"{f1_diff:+.4f}", f">= {-F1_TOLERANCE:+.4f}",
         f1_diff >= -F1_TOLERANCE),
    ]
    lean = med["ref-memory"]
    info = [
        ("wall time ratio treeline/ref-memory", f"{t['wall'] / lean['wall']:.3f}"),
        ("peak RSS ratio treeline/ref-memory", f"{t['rss'] / lean['rss']:.3f}"),
    ]
    print()
    width = max(len(c[0]) for c in checks + info)
    for name, value, target, ok in checks:
        print(f"{name:{width}s}  {value:>8s}  (target {target})  {'PASS' if ok else 'FAIL'}")
    for name, value in info:
        print(f"{name:{width}s}  {value:>8s}  (for information: no target)")
    failed = [c[0] for c in checks if not c[3]]
    print()
    print("RESULT: PASS" if not failed else f"RESULT: FAIL ({len(failed)} of {len(checks)} targets)")
    return 0 if not failed else 1


# --------------------------------------------------------------------------- scaling


def resample(src, dst, n_rows, seed):
    """Write n_rows rows drawn with replacement from src (header kept) to dst (.csv.gz)."""
    opener = gzip.open if src.endswith(".gz") else open
    with opener(src, "rt", newline="") as f:
        header = f.readline()
        rows = [line if line.endswith("\n") else line + "\n" for line in f if line.strip()]
    if not rows:
        raise BenchError(f"{src}: no data rows to resample")
    rng = random.Random(seed)
    with gzip.open(dst, "wt", compresslevel=6, newline="") as out:
        out.write(header)
        block = 100_000
        for start in range(0, n_rows, block):
            out.writelines(rng.choices(rows, k=min(block, n_rows - start)))


def scaling(args, runner):
    programs = ["treeline"] if args.scaling_treeline_only else ["treeline", "reference"]
    if args.reference_only:
        programs = ["reference"]
    sizes = args.scaling_sizes
    print(f"scaling: {', '.join(f'{n:,}' for n in sizes)} rows resampled with replacement "
          f"(seed {args.scaling_seed}) from {args.data}")
    print(f"settings: n_estimators={args.n_estimators} max_depth={args.max_depth} "
          f"learning_rate={args.learning_rate} nthread={args.nthread}; {args.repeat} repeat(s), medians")
    print(flush=True)

    data_dir = tempfile.mkdtemp(prefix="scaling-data-", dir=runner.tmp_root)
    table = {p: [] for p in programs}
    for n in sizes:
        path = os.path.join(data_dir, f"covertype-{n}.csv.gz")
        t0 = time.perf_counter()
        resample(args.data, path, n, args.scaling_seed)
        if args.verbose:
            print(f"  wrote {path} ({os.path.getsize(path) / 2**20:.1f} MiB) in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
        warm_page_cache(path)
        runs = measure(runner, programs, path, args.repeat)
        summaries = {p: summarize(runs[p]) for p in programs}
        warn_if_noisy(summaries)
        for p in programs:
            table[p].append((n, summaries[p]))
        os.remove(path)

    for p in programs:
        print()
        print(f"{p}:")
        print(f"  {'rows':>10s} {'wall s':>9s} {'cpu s':>8s} {'us/row':>8s} {'peak RSS MiB':>13s} {'bytes/row':>10s} "
              f"{'mean F1':>8s}   growth vs previous size (rows x / time x / RSS x)")
        prev = None
        for n, m in table[p]:
            growth = ""
            if prev is not None:
                pn, pm = prev
                growth = (f"x{n / pn:.1f} / x{m['wall'] / pm['wall']:.2f} / x{m['rss'] / pm['rss']:.2f}"
                          f"   marginal {(m['wall'] - pm['wall']) / (n - pn) * 1e6:.2f} us/row, "
                          f"{(m['rss'] - pm['rss']) / (n - pn):.0f} B/row")
            print(f"  {n:10,d} {m['wall']:9.2f} {m['cpu']:8.2f} {m['wall'] / n * 1e6:8.2f} {runner.fmt_rss(m['rss'], 13)} "
                  f"{m['rss'] / n:10.0f} {m['mean_f1']:8.4f}   {growth}")
            prev = (n, m)
    print()
    print("Linear growth shows as time x and RSS x approaching rows x at the larger sizes, with a "
          "steady marginal cost per row (fixed start-up costs dominate the smallest size).")
    return 0


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--treeline", default=DEFAULT_TREELINE,
                   help="treeline binary (default build/treeline, relative to the repository root)")
    p.add_argument("--data", default=DEFAULT_DATA, help=f"input CSV(.gz) (default {DEFAULT_DATA})")
    p.add_argument("--repeat", type=int, default=3, help="runs per program; medians are reported (default 3)")
    p.add_argument("--n-estimators", "--n_estimators", dest="n_estimators", type=int, default=100)
    p.add_argument("--max-depth", "--max_depth", dest="max_depth", type=int, default=6)
    p.add_argument("--learning-rate", "--learning_rate", dest="learning_rate", type=float, default=0.3)
    p.add_argument("--nthread", type=int, default=2)
    p.add_argument("--reference-only", action="store_true",
                   help="run only the Python reference (no treeline, no targets)")
    p.add_argument("--scaling", action="store_true",
                   help="instead of the comparison, run on resampled inputs of --scaling-sizes rows")
    p.add_argument("--scaling-treeline-only", action="store_true",
                   help="with --scaling, do not run the reference")
    p.add_argument("--scaling-sizes", default="10000,100000,1000000",
                   help="comma-separated row counts (default 10000,100000,1000000)")
    p.add_argument("--scaling-seed", type=int, default=42, help="resampling seed (default 42)")
    p.add_argument("--tmpdir", default=None, help="where temporary stores and data go (default: system temp)")
    p.add_argument("-q", "--quiet", dest="verbose", action="store_false", help="no per-run lines")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    try:
        args.scaling_sizes = [int(s.replace("_", "")) for s in args.scaling_sizes.split(",") if s.strip()]
    except ValueError:
        p.error("--scaling-sizes must be comma-separated integers")
    if not args.scaling_sizes or any(n < 1 for n in args.scaling_sizes):
        p.error("--scaling-sizes must be positive")
    # Paths are resolved against the current directory, commands run from the repository root.
    args.treeline = os.path.abspath(os.path.join(REPO, args.treeline)) \
        if not os.path.isabs(args.treeline) and not os.path.exists(args.treeline) \
        else os.path.abspath(args.treeline)
    args.data = os.path.abspath(args.data)
    return args


def main(argv=None):
    args = parse_args(argv)
    print_machine(machine_info())
    print(load_average())
    try:
        if os.getloadavg()[0] >= 0.5 * NPROC:
            print(f"warning: the machine is not idle ({load_average()} on {NPROC} CPUs); "
                  f"timings will be inflated")
    except OSError:
        pass
    tmp_root = None
    try:
        if not os.path.isfile(args.data):
            raise BenchError(f"data file not found: {args.data}")
        check_reference()
        if not args.reference_only:
            check_treeline(args.treeline)
        tmp_root = tempfile.mkdtemp(prefix="treeline-bench-", dir=args.tmpdir)
        warm_page_cache(args.data)
        runner = Runner(args, tmp_root)
        runner.floor = rss_floor()
        print(f"peak RSS floor of the measurement: {runner.floor / 2**20:.1f} MiB "
              f"(a figure marked '<=' is at that floor: the true peak is no higher)")
        if args.scaling:
            return scaling(args, runner)
        return compare(args, runner)
    except BenchError as e:
        print(f"\nerror: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        if tmp_root:
            shutil.rmtree(tmp_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
