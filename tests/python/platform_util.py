"""Helpers for the job platform's end-to-end tests: a scratch store, configs, the CLI."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time

PYTHON = "/usr/bin/python3"


class Platform:
    def __init__(self, treeline, source_dir):
        self.treeline = treeline
        self.source_dir = source_dir
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.store = os.path.join(self.root, "store")
        self.agents = []
        self.passed = 0
        self.failed = 0

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, name, text):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path

    def run(self, *args, check=True, timeout=300):
        cmd = [self.treeline] + list(args)
        if args and args[0] in ("jobs", "agent", "submit") and "--store" not in args:
            cmd += ["--store", self.store]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
        return p

    def start_agent(self, store=None, timeout=30):
        """Starts `treeline agent` on the store and returns once it has registered there, so a
        submit that follows sees it and starts no second agent (no fixed wait on a busy machine)."""
        store = store or self.store
        log = open(self.path("agent-%d.log" % len(self.agents)), "w")
        p = subprocess.Popen([self.treeline, "agent", "--store", store], stdout=log, stderr=log)
        self.agents.append(p)
        def registered():
            if p.poll() is not None:
                raise AssertionError("the agent on %s exited (%d) before it registered" % (store, p.returncode))
            return p.pid in self.agent_pids(store)
        self.wait_for("the agent registers on " + store, registered, timeout=timeout, every=0.02)
        return p

    @staticmethod
    def agent_pids(store):
        """The pids of the agents registered on the store's job database."""
        path = os.path.join(store, "jobs.sqlite")
        try:  # read-only: never creates the file before the agent does
            db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
            try:
                return [row[0] for row in db.execute("SELECT pid FROM agents")]
            finally:
                db.close()
        except sqlite3.Error:  # not created yet
            return []

    def wait_for(self, what, condition, timeout=30, every=0.1):
        """Polls condition() until it returns something true, which it returns; fails after timeout."""
        deadline = time.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.time() > deadline:
                raise AssertionError("%s: not within %d s" % (what, timeout))
            time.sleep(every)

    def describe(self, job, store=None):
        return json.loads(self.run("jobs", "describe", job, "--format", "json", "--store", store or self.store).stdout)

    def wait(self, job, timeout=240, store=None):
        def ended():
            doc = self.describe(job, store)
            return doc if doc["state"] in ("SUCCEEDED", "FAILED", "CANCELLED") else None
        return self.wait_for("job %s ends" % job, ended, timeout=timeout, every=0.2)

    def check(self, name, fn):
        try:
            fn()
            self.passed += 1
            print("ok: " + name, flush=True)
        except Exception as e:  # report every failure, then go on
            self.failed += 1
            print("FAIL: %s: %s" % (name, e), flush=True)

    def finish(self):
        for a in self.agents:
            if a.poll() is None:
                a.terminate()
                try:
                    a.wait(10)
                except subprocess.TimeoutExpired:
                    a.kill()
        print("%d passed, %d failed" % (self.passed, self.failed))
        self.tmp.cleanup()
        sys.exit(0 if self.failed == 0 else 1)


def python_trainer(platform, name, body):
    """A trainer script in Python that reports as cloudml-hypertune 0.1 does: values as strings,
    and every report rewrites the whole file with the last 100 (its deque)."""
    header = textwrap.dedent("""\
        import collections, json, os, sys, time
        args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
        reports = collections.deque(maxlen=100)
        def report(value, step):
            reports.append({"global_step": str(step), os.environ["CLOUD_ML_HP_METRIC_TAG"]: str(value),
                            "timestamp": time.time(), "trial": os.environ["CLOUD_ML_TRIAL_ID"]})
            with open(os.environ["CLOUD_ML_HP_METRIC_FILE"], "w") as f:
                for r in reports:
                    f.write(json.dumps(r, sort_keys=True) + "\\n")
        """)
    return platform.write(name, header + textwrap.dedent(body))


# The search space tuning_config uses unless given another: a DOUBLE x and an INTEGER n.
X_AND_N = """\
          - parameterName: x
            type: DOUBLE
            minValue: -5
            maxValue: 5
          - parameterName: n
            type: INTEGER
            minValue: 1
            maxValue: 4"""


def tuning_config(platform, name, trainer, max_trials=4, parallel=2, algorithm="RANDOM_SEARCH", extra_hp="",
                  extra="", params=None):
    params = params or X_AND_N
    text = """\
trainingInput:
  scaleTier: BASIC
  masterConfig:
    containerCommand: ["%s", "%s"]
  args: ["--fixed=1"]
%s  hyperparameters:
    goal: MAXIMIZE
    hyperparameterMetricTag: score
    maxTrials: %d
    maxParallelTrials: %d
    algorithm: %s
%s    params:
%s
""" % (PYTHON, trainer, extra, max_trials, parallel, algorithm, extra_hp, params)
    return platform.write(name, text)
