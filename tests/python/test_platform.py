"""The job platform end to end, through the CLI: tuning jobs with a Python trainer in the
cloudml-hypertune format, bad trainers, cancel, early stopping, the machine-wide cap, an agent
killed mid-trial or stopped, resumePreviousJobId, and config errors.

Usage: test_platform.py TREELINE_BINARY SOURCE_DIR"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from platform_util import X_AND_N, Platform, python_trainer, tuning_config  # noqa: E402

P = Platform(sys.argv[1], sys.argv[2])

GOOD = python_trainer(P, "good.py", """\
    x, n = float(args["x"]), int(args["n"])
    assert args["fixed"] == "1" and "job-dir" in args
    report(-(x - 1) ** 2 + n, 100)
    """)


def submit(job, config, *extra, check=True):
    return P.run("jobs", "submit-tuning", job, "--config", config, *extra, check=check)


def test_python_trainer_tuning():
    submit("t_random", tuning_config(P, "random.yaml", GOOD, max_trials=6, parallel=2))
    doc = P.wait("t_random")
    assert doc["state"] == "SUCCEEDED", doc
    out = doc["trainingOutput"]
    assert out["isHyperparameterTuningJob"] and out["completedTrialCount"] == "6", out
    assert out["hyperparameterMetricTag"] == "score"
    trials = out["trials"]
    assert sorted(int(t["trialId"]) for t in trials) == list(range(1, 7))
    values = [t["finalMetric"]["objectiveValue"] for t in trials]
    assert values == sorted(values, reverse=True), "trials are listed best first"
    for t in trials:
        x, n = float(t["hyperparameters"]["x"]), int(t["hyperparameters"]["n"])
        assert -5 <= x <= 5 and 1 <= n <= 4
        assert abs(t["finalMetric"]["objectiveValue"] - (-(x - 1) ** 2 + n)) < 1e-9
        assert t["finalMetric"]["trainingStep"] == "100" and t["state"] == "SUCCEEDED"
    for key in ("jobId", "createTime", "startTime", "endTime", "trainingInput"):
        assert key in doc, key
    assert "t_random" in P.run("jobs", "list", "--state", "SUCCEEDED").stdout


def test_bad_trainers_fail_with_reasons():
    cases = {
        "exit3": "sys.exit(3)\n",
        "nometric": "print('trained, but reported nothing')\n",
        "garbage": "open(os.environ['CLOUD_ML_HP_METRIC_FILE'], 'w').write('not json at all\\n')\n",
        "hang": "time.sleep(60)\n",
        "chatty": "sys.stdout.write('x' * (40 << 20)); report(1.0, 1)\n",
    }
    expected = {"exit3": "exited with status 3", "nometric": "without reporting metric 'score'",
                "garbage": "not a JSON object", "hang": "timed out", "chatty": None}
    for name, body in cases.items():
        trainer = python_trainer(P, name + ".py", body)
        config = tuning_config(P, name + ".yaml", trainer, max_trials=1, parallel=1,
                               extra="  treeline:\n    trialTimeout: 3s\n")
        submit("bad_" + name, config)
    for name, want in expected.items():
        doc = P.wait("bad_" + name)
        trial = doc["trainingOutput"]["trials"][0]
        if want is None:
            assert doc["state"] == "SUCCEEDED", doc
            log = os.path.join(P.store, "jobs", "bad_chatty", "trials", "1", "trainer.log")
            assert os.path.getsize(log) < 20 << 20, "the log is capped"
        else:
            assert doc["state"] == "FAILED" and trial["state"] == "FAILED", (name, doc)
            assert want in trial["errorMessage"], (name, trial["errorMessage"])
            assert want in doc["errorMessage"], (name, doc["errorMessage"])


def test_trainer_that_cannot_start():
    config = tuning_config(P, "missing.yaml", "x.py")
    with open(config) as f:
        text = f.read().replace('["/usr/bin/python3", "x.py"]', '["/nonexistent/trainer"]')
    with open(config, "w") as f:
        f.write(text)
    submit("t_missing", config)
    doc = P.wait("t_missing")
    assert doc["state"] == "FAILED", doc
    assert "/nonexistent/trainer" in doc["trainingOutput"]["trials"][0]["errorMessage"], doc


def test_max_failed_trials():
    trainer = python_trainer(P, "flaky.py", "sys.exit(1 if int(os.environ['CLOUD_ML_TRIAL_ID']) % 2 else 0)\n")
    config = tuning_config(P, "flaky.yaml", trainer, max_trials=8, parallel=1, extra_hp="    maxFailedTrials: 2\n")
    submit("t_flaky", config)
    doc = P.wait("t_flaky")
    assert doc["state"] == "FAILED" and "maxFailedTrials 2" in doc["errorMessage"], doc
    assert len(doc["trainingOutput"]["trials"]) < 8


def test_max_running_time():
    trainer = python_trainer(P, "long.py", "time.sleep(30)\n")
    config = tuning_config(P, "long.yaml", trainer, max_trials=2, parallel=2,
                           extra="  scheduling:\n    maxRunningTime: 2s\n")
    submit("t_long", config)
    doc = P.wait("t_long", timeout=30)
    assert doc["state"] == "FAILED" and "maxRunningTime" in doc["errorMessage"], doc


def test_cancel():
    trainer = python_trainer(P, "slow.py", "time.sleep(60)\n")
    submit("t_cancel", tuning_config(P, "slow.yaml", trainer, max_trials=4, parallel=2))
    deadline = time.time() + 30
    while time.time() < deadline and not P.describe("t_cancel")["trainingOutput"].get("trials"):
        time.sleep(0.2)
    assert "Cancelling job [t_cancel]" in P.run("jobs", "cancel", "t_cancel").stdout
    doc = P.wait("t_cancel", timeout=30)
    assert doc["state"] == "CANCELLED", doc
    assert all(t["state"] == "CANCELLED" for t in doc["trainingOutput"]["trials"]), doc
    log = P.run("jobs", "logs", "t_cancel", "--trial", "1").stdout
    assert log.splitlines()[-1].startswith("trial 1: treeline: trial 1 CANCELLED after "), log
    again = P.run("jobs", "cancel", "t_cancel", check=False)
    assert again.returncode != 0 and "already ended" in again.stderr, again.stderr
    unknown = P.run("jobs", "cancel", "no_such_job", check=False)
    assert unknown.returncode != 0 and "no such job" in unknown.stderr, unknown.stderr


def early_stopping_study(name, body, max_trials, parallel):
    """Runs a study of the Python trainer `body` with early stopping on; its trials, by id."""
    trainer = python_trainer(P, name + ".py", body)
    config = tuning_config(P, name + ".yaml", trainer, max_trials=max_trials, parallel=parallel,
                           extra_hp="    enableTrialEarlyStopping: true\n")
    submit("t_" + name, config)
    doc = P.wait("t_" + name)
    trials = sorted(doc["trainingOutput"]["trials"], key=lambda t: int(t["trialId"]))
    assert doc["state"] == "SUCCEEDED" and len(trials) == max_trials, doc
    return trials


def test_early_stopping():
    # Trials with x < 0 are bad from the first report on; the median rule stops them.
    trials = early_stopping_study("early", """\
        x = float(args["x"])
        for step in range(1, 11):
            report(x * step, step)
            time.sleep(0.15)
        """, max_trials=12, parallel=2)
    stopped = [t for t in trials if t["isTrialStoppedEarly"]]
    assert stopped, "some trial was stopped early"
    for t in stopped:
        assert t["state"] == "SUCCEEDED" and len(t["allMetrics"]) >= 1, t
        assert t["finalMetric"] == t["allMetrics"][-1], t
    assert any(int(t["finalMetric"]["trainingStep"]) < 10 for t in stopped), stopped


def test_plateau_stopping():
    # Trial 1 climbs to 1.0; the next one is flat at 0.9 from its first report. One finished trial
    # is too few for the median rule, so only the plateau rule can stop it.
    trials = early_stopping_study("plateau", """\
        first = os.environ["CLOUD_ML_TRIAL_ID"] == "1"
        for step in range(1, 11):
            report(step / 10 if first else 0.9, step)
            time.sleep(0.3)
        """, max_trials=2, parallel=1)
    assert not trials[0]["isTrialStoppedEarly"] and trials[0]["finalMetric"]["trainingStep"] == "10", trials[0]
    assert trials[1]["isTrialStoppedEarly"], trials[1]
    assert 4 <= int(trials[1]["finalMetric"]["trainingStep"]) < 10, trials[1]


def test_a_long_curve_through_cloudml_hypertunes_window():
    # cloudml-hypertune keeps only the last 100 reports in the file. Trial 1 climbs to 1.0 in 150
    # reports; trial 2 climbs to 0.9 by report 110 and stays there, so only after its 165th report
    # has its best come at or before two thirds of its steps: the plateau rule can stop it only
    # if the agent still follows the curve once the file stops growing.
    trials = early_stopping_study("long_curve", """\
        first = os.environ["CLOUD_ML_TRIAL_ID"] == "1"
        for step in range(1, 151 if first else 401):
            report(step / 150 if first else min(step, 110) / 110 * 0.9, step)
            time.sleep(0.02)
        """, max_trials=2, parallel=1)
    assert trials[0]["finalMetric"]["trainingStep"] == "150", trials[0]["finalMetric"]
    assert len(trials[0]["allMetrics"]) == 150, "the agent followed the file: %d" % len(trials[0]["allMetrics"])
    assert trials[1]["isTrialStoppedEarly"], trials[1]["finalMetric"]
    assert 165 <= int(trials[1]["finalMetric"]["trainingStep"]) < 400, trials[1]["finalMetric"]
    steps = [int(m["trainingStep"]) for m in trials[1]["allMetrics"]]
    assert steps == list(range(1, steps[-1] + 1)), "every report kept, in order: %s" % steps[:5]


# Two DOUBLE parameters x and y in [0, 1], for tests that read where the search goes.
UNIT_SQUARE = """\
          - parameterName: x
            type: DOUBLE
            minValue: 0
            maxValue: 1
          - parameterName: y
            type: DOUBLE
            minValue: 0
            maxValue: 1"""


def test_cost_aware_search_prefers_cheap_trials():
    # x only sets how long a trial takes, y its value: once the sampler knows what trials cost, it
    # should look for the best y where trials are quick.
    trainer = python_trainer(P, "priced.py", """\
        x, y = float(args["x"]), float(args["y"])
        time.sleep(0.02 + 1.2 * x)  # a price well above the noise of starting Python on a busy machine
        report(-(y - 0.3) ** 2, 1)
        """)
    config = tuning_config(P, "priced.yaml", trainer, max_trials=14, parallel=1, algorithm="ALGORITHM_UNSPECIFIED",
                           extra="  treeline:\n    costAware: true\n    seed: 7\n", params=UNIT_SQUARE)
    submit("t_priced", config)
    doc = P.wait("t_priced")
    trials = sorted(doc["trainingOutput"]["trials"], key=lambda t: int(t["trialId"]))
    assert doc["state"] == "SUCCEEDED" and len(trials) == 14, doc
    later = [float(t["hyperparameters"]["x"]) for t in trials[3:]]  # after the space-filling start
    assert sum(later) / len(later) < 0.3, later
    assert max(t["finalMetric"]["objectiveValue"] for t in trials) > -0.01, trials


def test_initial_trials_reach_the_search():
    # Two studies on the same seed whose trainers score every point oppositely. While the search
    # is still placing its initial trials, where they go cannot depend on the scores; once its
    # model takes over, it must. So with initialTrials = maxTrials both studies try the same
    # points, and with the default (3 for two parameters) their later trials part ways.
    points = {}
    for sign in (1, -1):
        trainer = python_trainer(P, "signed%d.py" % sign, """\
            x, y = float(args["x"]), float(args["y"])
            report(%d * ((x - 0.3) ** 2 + (y - 0.6) ** 2), 1)
            """ % sign)
        for initial in ("", "    initialTrials: 6\n"):
            job = "t_initial_%d_%d" % (sign + 1, len(initial))
            config = tuning_config(P, job + ".yaml", trainer, max_trials=6, parallel=1,
                                   algorithm="ALGORITHM_UNSPECIFIED", extra="  treeline:\n    seed: 3\n" + initial,
                                   params=UNIT_SQUARE)
            submit(job, config)
            doc = P.wait(job)
            assert doc["state"] == "SUCCEEDED", doc
            trials = sorted(doc["trainingOutput"]["trials"], key=lambda t: int(t["trialId"]))
            points[(sign, bool(initial))] = [(t["hyperparameters"]["x"], t["hyperparameters"]["y"]) for t in trials]
    assert points[(1, True)] == points[(-1, True)], points
    assert points[(1, False)][:3] == points[(-1, False)][:3], points
    assert points[(1, False)][3:] != points[(-1, False)][3:], points


def test_machine_wide_cap():
    # Its own store, and all three jobs queued before its agent starts: the agent claims them
    # together, so the test checks how slots are shared, not how fast a submit is on a busy CI
    # machine. Slots are machine-wide, so tests running beside this one may hold some.
    store = P.path("store-cap")
    trainer = python_trainer(P, "span.py", """\
        start = time.time(); time.sleep(0.6)
        with open(os.path.join(os.path.dirname(os.environ["CLOUD_ML_HP_METRIC_FILE"]), "..", "..", "..", "..", "spans"), "a") as f:
            f.write("%f %f %s\\n" % (start, time.time(), os.environ["CLOUD_ML_JOB_ID"]))
        report(1.0, 1)
        """)
    for i in range(3):
        P.run("jobs", "submit-tuning", "t_cap%d" % i, "--config",
              tuning_config(P, "cap%d.yaml" % i, trainer, max_trials=3, parallel=3), "--no-agent", "--store", store)
    P.start_agent(store)
    for i in range(3):
        assert P.wait("t_cap%d" % i, store=store)["state"] == "SUCCEEDED"
    lines = [l.split() for l in open(os.path.join(store, "spans"))]
    spans = [(float(a), float(b)) for a, b, _ in lines]
    assert len(spans) == 9
    starts = sorted((t["startTime"], i) for i in range(3)
                    for t in P.describe("t_cap%d" % i, store)["trainingOutput"]["trials"])
    first_three = ["t_cap%d" % i for _, i in starts[:3]]  # as the agent launched them
    assert len(set(first_three)) == 3, "free slots are shared among the jobs in turn, not taken by the first one: %s" % first_three
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    running = peak = 0
    for _, d in events:
        running += d
        peak = max(peak, running)
    assert peak <= os.cpu_count(), "at most one trial per core at once, machine-wide: peak %d" % peak


def test_agent_killed_mid_trial():
    store = P.path("store-durable")  # its own store: no other agent may take the job
    trainer = python_trainer(P, "steady.py", "time.sleep(1.0); report(float(args['x']), 1)\n")
    config = tuning_config(P, "durable.yaml", trainer, max_trials=6, parallel=2)
    agent = P.start_agent(store)  # registered, so submit starts no second agent
    P.run("jobs", "submit-tuning", "t_durable", "--config", config, "--store", store)
    def one_finished_one_running():
        trials = P.describe("t_durable", store)["trainingOutput"].get("trials", [])
        return any(t["state"] == "SUCCEEDED" for t in trials) and any(t["state"] == "RUNNING" for t in trials)
    P.wait_for("a trial finished and another running", one_finished_one_running)
    agent.send_signal(signal.SIGKILL)
    agent.wait()
    finished_before = {t["trialId"]: t["finalMetric"]["objectiveValue"]
                       for t in P.describe("t_durable", store)["trainingOutput"]["trials"] if t["state"] == "SUCCEEDED"}
    assert finished_before
    P.start_agent(store)  # takes the job over at once: the old agent's process is gone
    doc = P.wait("t_durable", timeout=60, store=store)
    trials = doc["trainingOutput"]["trials"]
    assert doc["state"] == "SUCCEEDED" and len(trials) == 6, doc
    assert sorted(int(t["trialId"]) for t in trials) == list(range(1, 7))
    for tid, value in finished_before.items():
        match = [t for t in trials if t["trialId"] == tid][0]
        assert match["finalMetric"]["objectiveValue"] == value, "a finished trial is never run again"


def test_takeover_kills_what_the_interrupted_trainer_left():
    # The trainer starts a child that outlives it (PR_SET_PDEATHSIG kills only the trainer) and
    # would run beside the rerun; the agent taking the trial over kills it first.
    store = P.path("store-leftover")
    pidfile = P.path("leftover.pid")
    trainer = python_trainer(P, "leftover.py", """\
        import subprocess
        if not os.path.exists(%r):
            child = subprocess.Popen(["sleep", "300"])  # with the trial's environment
            with open(%r, "w") as f:
                f.write(str(child.pid))
            time.sleep(300)
        report(1.0, 1)
        """ % (pidfile, pidfile))
    config = tuning_config(P, "leftover.yaml", trainer, max_trials=1, parallel=1)
    agent = P.start_agent(store)
    P.run("jobs", "submit-tuning", "t_leftover", "--config", config, "--store", store)
    P.wait_for("the trainer started its child", lambda: os.path.exists(pidfile) and open(pidfile).read())
    leftover = int(open(pidfile).read())
    agent.send_signal(signal.SIGKILL)
    agent.wait()
    time.sleep(0.3)

    def running(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except OSError:
            return False

    assert running(leftover), "the trainer's child outlived its agent"
    P.start_agent(store)
    doc = P.wait("t_leftover", timeout=60, store=store)
    assert doc["state"] == "SUCCEEDED", doc
    assert not running(leftover), "the leftover was killed before the rerun"
    trial_dir = os.path.join(store, "jobs", "t_leftover", "trials", "1")
    assert os.path.exists(os.path.join(trial_dir, "metrics.attempt-2.jsonl")), os.listdir(trial_dir)


def sleeping_trial(job, store):
    """An agent of its own on `store` running job's one trial, which sleeps; returns the agent."""
    trainer = python_trainer(P, job + ".py", "time.sleep(300)\n")
    config = tuning_config(P, job + ".yaml", trainer, max_trials=1, parallel=1)
    agent = P.start_agent(store)  # registered, so submit starts no second agent
    P.run("jobs", "submit-tuning", job, "--config", config, "--store", store)
    P.wait_for("the trial started", lambda: P.describe(job, store)["trainingOutput"].get("trials"))
    return agent


def test_cancel_of_a_job_whose_agent_died():
    # Nobody is left to stop the trials and end the job: cancel starts an agent that does.
    store = P.path("store-orphan")
    agent = sleeping_trial("t_orphan", store)
    agent.send_signal(signal.SIGKILL)
    agent.wait()
    assert "CANCELLING" in P.run("jobs", "cancel", "t_orphan", "--store", store).stdout
    doc = P.wait("t_orphan", timeout=30, store=store)
    assert doc["state"] == "CANCELLED", doc


def test_describe_names_a_stopped_agent():
    # A stopped agent (Ctrl-Z) keeps its job, so no trial runs twice; describe says what holds it.
    store = P.path("store-stopped")
    agent = sleeping_trial("t_stopped", store)
    assert "note:" not in P.run("jobs", "describe", "t_stopped", "--store", store).stderr
    agent.send_signal(signal.SIGSTOP)
    try:
        # The note comes once the agent's 10 s lease has run out unrenewed.
        def described():
            out = P.run("jobs", "describe", "t_stopped", "--store", store, "--format", "json")
            return out if "is stopped" in out.stderr else None
        out = P.wait_for("describe names the stopped agent", described, timeout=40, every=0.5)
        assert json.loads(out.stdout)["state"] == "RUNNING", out.stdout
        assert "kill -CONT %d" % agent.pid in out.stderr, out.stderr
        log = P.path("wait-stopped.err")
        with open(log, "w") as err:
            waiting = subprocess.Popen([P.treeline, "jobs", "wait", "t_stopped", "--store", store],
                                       stdout=subprocess.DEVNULL, stderr=err)
        try:
            P.wait_for("jobs wait says why it waits", lambda: "is stopped" in open(log).read(), timeout=30)
        finally:
            waiting.terminate()
            waiting.wait()
    finally:
        agent.send_signal(signal.SIGCONT)
    P.run("jobs", "cancel", "t_stopped", "--store", store)
    assert P.wait("t_stopped", timeout=30, store=store)["state"] == "CANCELLED"


def test_two_agents_never_run_the_same_trial():
    store = P.path("store-two-agents")
    ran = P.path("two-agents-ran")
    trainer = python_trainer(P, "once.py", """\
        with open(%r, "a") as f:
            f.write("%%s %%s\\n" %% (os.environ["CLOUD_ML_JOB_ID"], os.environ["CLOUD_ML_TRIAL_ID"]))
        time.sleep(0.2); report(float(args["x"]), 1)
        """ % ran)
    agents = [P.start_agent(store), P.start_agent(store)]
    for i in range(3):
        config = tuning_config(P, "two%d.yaml" % i, trainer, max_trials=5, parallel=2)
        P.run("jobs", "submit-tuning", "t_two%d" % i, "--config", config, "--store", store)
    for i in range(3):
        assert P.wait("t_two%d" % i, store=store)["state"] == "SUCCEEDED"
    runs = open(ran).read().split("\n")[:-1]
    assert len(runs) == 15 and len(set(runs)) == 15, "each trial ran exactly once: %s" % runs
    for a in agents:
        a.terminate()
        a.wait(10)


def test_cores_are_divided_among_trials():
    # Reports the thread count it was given as its metric.
    trainer = python_trainer(P, "threads.py", "report(float(os.environ['OMP_NUM_THREADS']), 1)\n")
    submit("t_threads_shared", tuning_config(P, "threads2.yaml", trainer, max_trials=2, parallel=os.cpu_count()))
    submit("t_threads_fixed", tuning_config(P, "threads3.yaml", trainer, max_trials=1, parallel=1,
                                            extra="  treeline:\n    threadsPerTrial: 3\n"))
    shared = P.wait("t_threads_shared")["trainingOutput"]["trials"]
    assert all(t["finalMetric"]["objectiveValue"] == 1 for t in shared), shared  # cores / parallel trials
    fixed = P.wait("t_threads_fixed")["trainingOutput"]["trials"]
    assert fixed[0]["finalMetric"]["objectiveValue"] == 3, fixed
    # A slot held by another process (another store's agent) takes its share of the cores too:
    # a lone trial then gets at most half of them, not all.
    import fcntl
    slots = "/tmp/treeline-slots-%d" % os.getuid()
    os.makedirs(slots, exist_ok=True)
    holder, deadline = None, time.time() + 60
    while holder is None and time.time() < deadline:
        for index in range(os.cpu_count()):
            f = open(os.path.join(slots, "slot-%d" % index), "a")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                holder = f
                break
            except BlockingIOError:
                f.close()
        else:
            time.sleep(0.1)  # tests running beside this one hold them all: wait for one
    assert holder is not None, "no free machine slot within a minute"
    try:
        submit("t_threads_other", tuning_config(P, "threads4.yaml", trainer, max_trials=1, parallel=1))
        other = P.wait("t_threads_other")["trainingOutput"]["trials"]
    finally:
        holder.close()
    assert other[0]["finalMetric"]["objectiveValue"] <= max(1, os.cpu_count() // 2), other


def test_logs_follow_and_yaml():
    trainer = python_trainer(P, "slowtalk.py", """\
        for i in range(3):
            print("line", i, flush=True); time.sleep(0.3)
        report(0.3, 1)
        """)
    submit("t_follow", tuning_config(P, "follow.yaml", trainer, max_trials=1, parallel=1))
    out = P.run("jobs", "logs", "t_follow", "--follow", timeout=60).stdout  # returns when the job ends
    assert [l for l in out.splitlines() if l.startswith("trial 1: line")] == ["trial 1: line %d" % i for i in range(3)], out
    # The platform's last word: how the trial ended.
    assert out.splitlines()[-1].startswith("trial 1: treeline: trial 1 SUCCEEDED after "), out
    import yaml
    text = P.run("jobs", "describe", "t_follow").stdout  # gcloud's default format
    doc = yaml.safe_load(text)
    assert doc["jobId"] == "t_follow" and doc["state"] == "SUCCEEDED", doc
    # Numbers as the JSON format prints them (0.3, not yaml-cpp's 0.29999999999999999).
    assert doc["trainingOutput"]["trials"][0]["finalMetric"]["objectiveValue"] == 0.3, doc
    assert "objectiveValue: 0.3\n" in text, text


def test_resume_previous_job():
    config = tuning_config(P, "resume.yaml", GOOD, max_trials=3, parallel=1,
                           extra_hp="    resumePreviousJobId: t_random\n")
    submit("t_resumed", config)
    doc = P.wait("t_resumed")
    assert doc["state"] == "SUCCEEDED" and len(doc["trainingOutput"]["trials"]) == 3, doc
    assert doc["trainingInput"]["hyperparameters"]["resumePreviousJobId"] == "t_random"
    # Resumes that cannot work are refused at submit, naming the field, and nothing is queued.
    refusals = {
        "no_such": ("no_such_job", None, "resumePreviousJobId: no job no_such_job in this job store"),
        "widened": ("t_random", "          - parameterName: z\n            type: CATEGORICAL\n"
                    "            categoricalValues: [a, b]",
                    "trial 1 of job t_random does not fit this job's params: a trial has no value for parameter 'z'"),
    }
    for name, (earlier, extra_param, want) in refusals.items():
        params = X_AND_N + "\n" + extra_param if extra_param else None
        bad = tuning_config(P, "resume_%s.yaml" % name, GOOD, max_trials=2, parallel=1, params=params,
                            extra_hp="    resumePreviousJobId: %s\n" % earlier)
        out = submit("t_resume_" + name, bad, check=False)
        assert out.returncode != 0 and "resume_%s.yaml: trainingInput.hyperparameters." % name in out.stderr, out.stderr
        assert want in out.stderr, out.stderr
        assert "t_resume_" + name not in P.run("jobs", "list").stdout


def test_config_errors_name_the_field():
    bad = P.write("bad.yaml", """\
        trainingInput:
          hyperparameters:
            goal: MAXIMIZE
            maxTrials: 2
            params:
              - parameterName: a
                type: DOUBLE
                minValue: 1
                maxValue: 2
              - parameterName: b
                type: INTEGER
                minValue: 1
                maxValue: 2
              - parameterName: c
                type: DOUBLE
                minValue: 5
                maxValue: 3
        """)
    p = P.run("jobs", "submit-tuning", "t_badconfig", "--config", bad, check=False)
    assert p.returncode != 0 and "trainingInput.hyperparameters.params[2].minValue" in p.stderr, p.stderr
    missing = P.run("jobs", "describe", "t_badconfig", check=False)
    assert missing.returncode != 0 and "no such job" in missing.stderr


def test_logs():
    trainer = python_trainer(P, "talk.py", "print('hello from trial', os.environ['CLOUD_ML_TRIAL_ID']); report(1, 1)\n"
                                           "sys.stdout.write('last words, no newline')\n")
    submit("t_logs", tuning_config(P, "talk.yaml", trainer, max_trials=2, parallel=1))
    P.wait("t_logs")
    out = P.run("jobs", "logs", "t_logs", "--trial", "2").stdout
    assert "trial 2: hello from trial 2" in out and "trial 1:" not in out, out
    assert "trial 2: last words, no newline" in out, "a finished job's last line is printed: %s" % out
    assert out.splitlines()[-1].startswith("trial 2: treeline: trial 2 SUCCEEDED"), "on a line of its own: %s" % out


def test_commands_on_jobs_refuse_a_store_that_is_not_there():
    # A mistyped --store is an error naming it, not an empty list, and leaves nothing behind.
    typo = P.path("stor-typo")
    for args in (["list"], ["describe", "t_any"], ["wait", "t_any"], ["logs", "t_any"], ["cancel", "t_any"]):
        p = P.run("jobs", *args, "--store", typo, check=False)
        assert p.returncode == 2 and "no job store at %s/jobs.sqlite" % typo in p.stderr, (args, p.stderr)
    assert not os.path.exists(typo)
    other = P.run("jobs", "list", "--jobs", "postgres://db/jobs", check=False)
    assert other.returncode == 2 and "--jobs 'postgres://db/jobs': expected sqlite:PATH" in other.stderr, other.stderr
    # Nor do they turn another program's SQLite file (a warehouse) into a job store.
    warehouse = P.path("warehouse.db")
    with sqlite3.connect(warehouse) as db:
        db.execute("CREATE TABLE covertype (Elevation INTEGER)")
    db.close()
    with open(warehouse, "rb") as f:
        before = f.read()
    for args in (["list"], ["describe", "t_any"], ["cancel", "t_any"]):
        p = P.run("jobs", *args, "--jobs", "sqlite:" + warehouse, check=False)
        assert p.returncode == 2 and "a SQLite database of something else (tables: covertype)" in p.stderr, \
            (args, p.stderr)
    with open(warehouse, "rb") as f:
        assert f.read() == before
    a_file = P.write("not-a-folder", "x\n")
    through_a_file = P.run("agent", "--store", a_file + "/store", check=False)
    assert through_a_file.returncode == 2 and "cannot create the folder %s/store" % a_file in through_a_file.stderr, \
        through_a_file.stderr


def test_the_commands_submit_suggests_run_as_printed():
    # With a store of its own (here with a space in its path), the commands run through a shell.
    store = P.path("store with space")
    out = P.run("jobs", "submit-tuning", "t_hint", "--config", tuning_config(P, "hint.yaml", GOOD, max_trials=1,
                                                                            parallel=1), "--store", store).stdout
    describe = [l.strip()[2:] for l in out.splitlines() if l.strip().startswith("$ treeline jobs describe")]
    assert describe, out
    shown = subprocess.run(["bash", "-c", describe[0].replace("treeline", P.treeline, 1) + " --format json"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and json.loads(shown.stdout)["jobId"] == "t_hint", (describe, shown.stderr)
    P.wait("t_hint", store=store)


def test_list_sorts_and_limits_as_gcloud():
    oldest_first = [l.split()[0] for l in P.run("jobs", "list").stdout.splitlines()[1:]]
    assert len(oldest_first) >= 3, oldest_first
    newest = [l.split()[0] for l in P.run("jobs", "list", "--sort-by", "~createTime", "--limit", "2").stdout.splitlines()[1:]]
    assert newest == oldest_first[::-1][:2], (newest, oldest_first)
    by_id = [l.split()[0] for l in P.run("jobs", "list", "--sort-by", "jobId").stdout.splitlines()[1:]]
    assert by_id == sorted(oldest_first), by_id
    bad = P.run("jobs", "list", "--sort-by", "creationTime", check=False)
    assert bad.returncode == 2 and "--sort-by creationTime: did you mean createTime?" in bad.stderr, bad.stderr


def test_logs_follow_says_why_nothing_comes():
    # As `jobs wait` does: a queued job that no agent serves gets a note, not silence.
    store = P.path("store-unserved")
    P.run("jobs", "submit-tuning", "t_unserved", "--config", tuning_config(P, "unserved.yaml", GOOD, max_trials=1,
                                                                            parallel=1), "--no-agent", "--store", store)
    follow = subprocess.Popen([P.treeline, "jobs", "logs", "t_unserved", "--follow", "--store", store],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = follow.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        follow.terminate()
        _, err = follow.communicate()
    assert "job t_unserved is QUEUED and no agent serves this job store now" in err, err


P.check("tuning with a Python trainer", test_python_trainer_tuning)
P.check("bad trainers fail with reasons", test_bad_trainers_fail_with_reasons)
P.check("a trainer that cannot start", test_trainer_that_cannot_start)
P.check("maxFailedTrials", test_max_failed_trials)
P.check("scheduling.maxRunningTime", test_max_running_time)
P.check("cancel", test_cancel)
P.check("early stopping", test_early_stopping)
P.check("plateau stopping", test_plateau_stopping)
P.check("a long curve through cloudml-hypertune's window", test_a_long_curve_through_cloudml_hypertunes_window)
P.check("cost-aware search prefers cheap trials", test_cost_aware_search_prefers_cheap_trials)
P.check("initialTrials reach the search", test_initial_trials_reach_the_search)
P.check("machine-wide cap", test_machine_wide_cap)
P.check("agent killed mid-trial", test_agent_killed_mid_trial)
P.check("takeover kills what the interrupted trainer left", test_takeover_kills_what_the_interrupted_trainer_left)
P.check("cancel of a job whose agent died", test_cancel_of_a_job_whose_agent_died)
P.check("describe names a stopped agent", test_describe_names_a_stopped_agent)
P.check("two agents never run the same trial", test_two_agents_never_run_the_same_trial)
P.check("cores divided among trials", test_cores_are_divided_among_trials)
P.check("logs --follow and YAML describe", test_logs_follow_and_yaml)
P.check("resumePreviousJobId", test_resume_previous_job)
P.check("config errors name the field", test_config_errors_name_the_field)
P.check("logs", test_logs)
P.check("commands on jobs refuse a store that is not there", test_commands_on_jobs_refuse_a_store_that_is_not_there)
P.check("logs --follow says why nothing comes", test_logs_follow_says_why_nothing_comes)
P.check("list sorts and limits as gcloud", test_list_sorts_and_limits_as_gcloud)
P.check("the commands submit suggests run as printed", test_the_commands_submit_suggests_run_as_printed)
P.finish()
