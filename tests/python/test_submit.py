"""`treeline submit` (the seed's run_aip.py) end to end with the real trainer on the bundled sample:
tuning jobs per cover type, final training jobs with the best hyperparameters, models that
predict. Also --detach, and the shipped config/aip_config.yaml parsing through the CLI.

Usage: test_submit.py TREELINE_BINARY SOURCE_DIR"""
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from platform_util import Platform, python_trainer, tuning_config  # noqa: E402

P = Platform(sys.argv[1], sys.argv[2])
SAMPLE = os.path.join(P.source_dir, "data", "covertype-sample.csv.gz")
CONFIG = P.write("small.yaml", """\
    trainingInput:
      scaleTier: BASIC
      args: ["--n_estimators=15"]
      treeline: {costAware: true}  # the final jobs inherit it, and must run regardless
      hyperparameters:
        goal: MAXIMIZE
        hyperparameterMetricTag: f1
        maxTrials: 3
        maxParallelTrials: 2
        params:
          - parameterName: max_depth
            type: INTEGER
            minValue: 3
            maxValue: 8
          - parameterName: learning_rate
            type: DOUBLE
            minValue: 0.1
            maxValue: 0.5
            scaleType: UNIT_LOG_SCALE
    """)


def test_submit_tunes_then_trains_final_models():
    p = P.run("submit", "proj", "tuned", "--config", CONFIG, "--data", SAMPLE, "--cover-types", "2,3", "--json")
    assert "note: job" not in p.stderr, "a healthy run has nothing stalled to report: " + p.stderr
    results = json.loads(p.stdout)["results"]
    assert [r["cover_type"] for r in results] == [2, 3], results
    for r in results:
        assert r["state"] == "SUCCEEDED", r
        assert set(r["best_hyperparameters"]) == {"max_depth", "learning_rate"}, r
        assert 3 <= r["best_hyperparameters"]["max_depth"] <= 8
        for k in ("accuracy", "f1", "precision", "recall", "roc_auc", "model_uri", "job_id", "validation_f1"):
            assert k in r, (k, r)
        assert os.path.exists(r["model_uri"])
        tuning = P.describe(r["job_id"])
        assert tuning["state"] == "SUCCEEDED" and len(tuning["trainingOutput"]["trials"]) == 3
        best = tuning["trainingOutput"]["trials"][0]
        assert abs(best["finalMetric"]["objectiveValue"] - r["validation_f1"]) < 1e-12
        final = P.describe(r["final_job_id"])
        assert final["state"] == "SUCCEEDED" and not final["trainingOutput"]["isHyperparameterTuningJob"]
        assert "--max_depth=%d" % r["best_hyperparameters"]["max_depth"] in final["trainingInput"]["args"]
        # Labels are text to text, as AI Platform's: what is not text prints as its JSON.
        assert all(isinstance(v, str) for d in (tuning, final) for v in d["labels"].values()), (tuning, final)
        assert tuning["labels"]["final_training_job_id"] == r["final_job_id"], tuning["labels"]
        assert json.loads(final["labels"]["best_hyperparameters"]) == r["best_hyperparameters"], final["labels"]
        assert final["labels"]["best_trial_id"] == best["trialId"], final["labels"]
        with open(os.path.join(os.path.dirname(r["model_uri"]), "metrics.json")) as f:
            stored = json.load(f)
        assert stored["evaluated_on"] == "test", "the final model reports on the test split"
        # Each trial tuned its decision threshold on its validation split; the final model takes
        # the best trial's (from the file that trial left) and reports test F1 at it.
        assert "--decision-threshold=tune" in tuning["trainingInput"]["args"]
        best_dir = os.path.join(P.store, "jobs", r["job_id"], "trials", best["trialId"])
        left = os.path.join(best_dir, "decision_threshold.json")
        assert "--decision-threshold-from=" + left in final["trainingInput"]["args"], final["trainingInput"]
        with open(left) as f:
            trial_threshold = json.load(f)["decision_threshold"]
        with open(os.path.join(best_dir, "model", "metrics.json")) as f:
            assert json.load(f)["decision_threshold"] == trial_threshold
        assert stored["decision_threshold"] == trial_threshold == r["decision_threshold"], (stored, trial_threshold)
    # The models now come from this submit's final jobs: its record replaces a run-local's.
    with open(os.path.join(P.store, "proj", "tuned", "last_run", "run.json")) as f:
        assert json.load(f)["command"] == "submit"
    out = P.run("predict", "--models", os.path.join(P.store, "proj", "tuned"), "--data", SAMPLE).stdout
    assert "cover types 2,3" in out, out


def test_detach_returns_at_once_and_jobs_finish():
    p = P.run("submit", "proj", "detached", "--config", CONFIG, "--data", SAMPLE, "--cover-types", "5", "--detach")
    line = p.stdout.strip().splitlines()[0]
    final_job = line.split()[-1].rstrip(")")
    assert final_job.endswith("_final"), line
    tuning_job = line.split()[5]
    # Cancelling it before it exists points at the job that would queue it.
    cancel = P.run("jobs", "cancel", final_job, check=False)
    assert cancel.returncode == 2 and "does not exist yet: tuning job %s" % tuning_job in cancel.stderr \
        and "`treeline jobs cancel %s" % tuning_job in cancel.stderr, cancel.stderr
    # The final job is named before its tuning job queues it: waiting on it waits for both.
    waited = P.run("jobs", "wait", final_job)
    assert waited.stdout.strip() == final_job + " SUCCEEDED", waited.stdout
    # Asked for at once, before its tuning job (an agent start and three trials) can have queued it.
    assert "is queued when tuning job %s succeeds" % tuning_job in waited.stderr, waited.stderr
    assert P.describe(tuning_job)["state"] == "SUCCEEDED"
    doc = P.wait(final_job)
    assert doc["state"] == "SUCCEEDED", doc


def test_single_tuning_job_with_the_default_trainer():
    # README's `jobs submit-tuning` example: the trainer reads the store the job was submitted to
    # (trials run in their own directories) and scores on a validation split, never on test.
    P.run("prepare", "proj", "single", "--data", SAMPLE, "--store", P.store)
    P.run("jobs", "submit-tuning", "my_study", "--config", CONFIG, "--store", P.store, "--", "--project=proj",
          "--name=single", "--cover-type=2")
    doc = P.wait("my_study")
    assert doc["state"] == "SUCCEEDED", doc
    args = doc["trainingInput"]["args"]
    assert "--store=" + os.path.abspath(P.store) in args and "--validation-fraction=0.2" in args, args
    log = open(os.path.join(P.store, "jobs", "my_study", "trials", "1", "trainer.log")).read()
    assert "on the validation split" in log, log
    # Progress as it goes, on unbuffered stderr, for `jobs logs --follow`: every tenth of the 15 rounds.
    assert "train-evaluate: round 3 of 15: f1 " in log, log


def test_submit_prints_its_table():
    # Without --json, submit prints run_aip's summary: one row per cover type.
    out = P.run("submit", "proj", "table", "--config", CONFIG, "--data", SAMPLE, "--cover-types", "6").stdout
    header, row = out.strip().splitlines()[-2:]
    assert header.split() == ["cover_type", "state", "validation", "test_acc", "test_f1", "threshold",
                              "best_hyperparameters", "model_uri"], out
    cells = row.split()
    assert cells[:2] == ["6", "SUCCEEDED"], row
    model_uri = cells[-1]
    with open(os.path.join(os.path.dirname(model_uri), "metrics.json")) as f:
        stored = json.load(f)
    assert cells[3] == "%.4f" % stored["metrics"]["accuracy"] and cells[4] == "%.4f" % stored["metrics"]["f1"], (row, stored)
    assert any(c.startswith("max_depth=") for c in cells) and any(c.startswith("learning_rate=") for c in cells), row


def test_a_training_job_in_a_job_store_of_its_own():
    # `jobs submit-training` runs one training job (no hyperparameters: the trainer once, on the
    # test split); `--jobs sqlite:PATH` keeps it apart from the store's own job store.
    P.run("prepare", "proj", "one_job", "--data", SAMPLE, "--store", P.store)
    training = P.write("training.yaml", "trainingInput: {scaleTier: BASIC, args: [--n_estimators=10]}\n")
    jobs = "sqlite:" + P.path("separate-jobs.sqlite")
    P.run("jobs", "submit-training", "my_run", "--config", training, "--jobs", jobs, "--store", P.store, "--",
          "--project=proj", "--name=one_job", "--cover-type=2", "--max_depth=4")
    P.run("jobs", "wait", "my_run", "--jobs", jobs, timeout=120)
    doc = json.loads(P.run("jobs", "describe", "my_run", "--jobs", jobs, "--format", "json").stdout)
    assert doc["state"] == "SUCCEEDED" and not doc["trainingOutput"]["isHyperparameterTuningJob"], doc
    assert "--max_depth=4" in doc["trainingInput"]["args"], doc["trainingInput"]
    assert "my_run" in P.run("jobs", "list", "--jobs", jobs).stdout
    assert "my_run" not in P.run("jobs", "list").stdout, "the store's own job store never saw it"
    with open(os.path.join(P.store, "jobs", "my_run", "model", "metrics.json")) as f:
        stored = json.load(f)
    assert stored["evaluated_on"] == "test" and stored["hyperparameters"]["max_depth"] == "4", stored


def test_submit_starts_an_agent_beside_a_stopped_one():
    # The store's only agent is stopped (Ctrl-Z): it keeps the jobs it owns but would run nothing
    # new, so submit starts another instead of waiting on it.
    store = P.path("store-stopped-agent")
    agent = P.start_agent(store)
    assert P.agent_pids(store) == [agent.pid]
    agent.send_signal(signal.SIGSTOP)
    try:
        p = P.run("submit", "proj", "beside", "--config", CONFIG, "--data", SAMPLE, "--cover-types", "4",
                  "--store", store, "--json", timeout=60)
        assert json.loads(p.stdout)["results"][0]["state"] == "SUCCEEDED", p.stdout
        assert "note: job" not in p.stderr, p.stderr
    finally:
        agent.kill()  # SIGKILL reaches a stopped process
        agent.wait()


def test_submit_outlives_its_agent():
    # The agent submit started is killed: submit starts another rather than wait forever.
    store = P.path("store-killed-agent")
    waiting = subprocess.Popen([P.treeline, "submit", "proj", "outlives", "--config", CONFIG, "--data", SAMPLE,
                                "--cover-types", "4", "--store", store, "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = P.wait_for("submit's agent registers", lambda: P.agent_pids(store), every=0.02)[0]
    os.kill(first, signal.SIGKILL)
    try:
        out, err = waiting.communicate(timeout=60)
    finally:
        waiting.kill()  # no-op once it ended
    assert waiting.returncode == 0, err
    assert json.loads(out)["results"][0]["state"] == "SUCCEEDED", out
    log = open(os.path.join(store, "agent.log")).read()
    assert log.count(" serving ") == 2, "a second agent ran the jobs: " + log


def test_shipped_config_and_errors():
    shipped = os.path.join(P.source_dir, "config", "aip_config.yaml")
    p = P.run("submit", "proj", "bad", "--config", shipped, "--data", os.path.join(P.root, "missing.csv"), check=False)
    assert p.returncode != 0 and "missing.csv" in p.stderr, p.stderr
    p = P.run("submit", "proj", "..", "--config", shipped, "--data", SAMPLE, check=False)
    assert p.returncode != 0 and "NAME" in p.stderr, p.stderr
    missing = os.path.join(P.root, "no-such-config.yaml")
    for cmd in (["submit", "proj", "x", "--data", SAMPLE], ["jobs", "submit-tuning", "j"], ["jobs", "submit-training", "j"]):
        p = P.run(*cmd, "--config", missing, check=False)
        assert p.returncode != 0 and "--config" in p.stderr and "no-such-config.yaml" in p.stderr, p.stderr
    # submit's default, config/aip_config.yaml, from a directory without one: the source tree's.
    p = subprocess.run([P.treeline, "submit", "--help"], cwd=P.root, capture_output=True, text=True)
    assert p.returncode == 0 and shipped in p.stdout, p.stdout
    # The binary knows every algorithm, though only their own files name them (the registry).
    unknown = P.write("unknown-algorithm.yaml", open(CONFIG).read().replace("goal: MAXIMIZE",
                                                                           "goal: MAXIMIZE\n    algorithm: BAYES"))
    p = P.run("jobs", "submit-tuning", "j", "--config", unknown, check=False)
    assert p.returncode != 0 and "algorithm" in p.stderr, p.stderr
    for name in ("ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH", "TPE"):
        assert name in p.stderr, p.stderr
    resuming = P.write("resuming.yaml", open(CONFIG).read().replace("goal: MAXIMIZE",
                                                                     "goal: MAXIMIZE\n    resumePreviousJobId: old"))
    p = P.run("submit", "proj", "x", "--config", resuming, "--data", SAMPLE, check=False)
    assert p.returncode != 0 and "resuming.yaml: trainingInput.hyperparameters.resumePreviousJobId: submit runs a new " \
        "study per cover type" in p.stderr, p.stderr
    training_only = P.write("training.yaml", "trainingInput:\n  scaleTier: BASIC\n")
    p = P.run("submit", "proj", "x", "--config", training_only, "--data", SAMPLE, check=False)
    assert p.returncode != 0 and "trainingInput.hyperparameters is missing" in p.stderr, p.stderr
    # Refused before anything is prepared or queued (every trial would fail on them).
    fresh = P.path("store-bad-fractions")
    for flag, value, expected in (("--validation-fraction", "0", "the training split strictly between 0 and 1, found 0"),
                                  ("--validation-fraction", "1.5", "strictly between 0 and 1, found 1.5"),
                                  ("--test-fraction", "0", "--test-fraction: expected a share of the rows")):
        p = P.run("submit", "proj", "x", "--config", shipped, "--data", SAMPLE, flag, value, "--store", fresh,
                  check=False)
        assert p.returncode != 0 and flag in p.stderr and expected in p.stderr, p.stderr
    # A search parameter treeline's trainer would refuse: named by its field, nothing queued.
    typo = P.write("typo.yaml", open(CONFIG).read().replace("parameterName: learning_rate",
                                                           "parameterName: learning_rat"))
    for cmd in (["submit", "proj", "x", "--data", SAMPLE], ["jobs", "submit-tuning", "typo_study"]):
        p = P.run(*cmd, "--config", typo, "--store", fresh, check=False)
        assert p.returncode != 0 and "params[1].parameterName: 'learning_rat'" in p.stderr, p.stderr
    clash = P.write("clash.yaml", open(CONFIG).read().replace('args: ["--n_estimators=15"]',
                                                             'args: ["--n_estimators=15", "--seed=7"]'))
    p = P.run("submit", "proj", "x", "--data", SAMPLE, "--config", clash, "--store", fresh, check=False)
    assert p.returncode != 0 and "trainingInput.args sets --seed, which submit sets itself" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(fresh, "proj")), os.listdir(fresh)
    assert P.run("jobs", "list", "--store", fresh).stdout.count("\n") <= 1, "no job queued"
    p = P.run("submit", "proj", "x", "--config", shipped, "--data", SAMPLE, "--decision-threshold", "2", check=False)
    assert p.returncode != 0 and "--decision-threshold=2: expected a number in (0, 1) or tune" in p.stderr, p.stderr


def test_a_custom_trainer_that_stores_no_model():
    # submit hands a custom trainer --model-dir too; one that keeps its model elsewhere leaves
    # the jobs SUCCEEDED and the row saying what is missing, instead of a bare file error.
    trainer = python_trainer(P, "no_model.py", "report(float(args['x']), 1)\n")
    config = tuning_config(P, "no_model.yaml", trainer, max_trials=2, parallel=1)
    p = P.run("submit", "proj", "custom", "--config", config, "--data", SAMPLE, "--cover-types", "3", check=False)
    assert p.returncode == 1, (p.returncode, p.stderr)
    row = p.stdout.strip().splitlines()[-1]
    assert row.split()[:2] == ["3", "SUCCEEDED"] and "stored no metrics.json in its --model-dir" in row, p.stdout
    assert "cover type 3: SUCCEEDED final job" in p.stderr, p.stderr


P.check("submit tunes, then trains final models", test_submit_tunes_then_trains_final_models)
P.check("a custom trainer that stores no model", test_a_custom_trainer_that_stores_no_model)
P.check("--detach", test_detach_returns_at_once_and_jobs_finish)
P.check("a single tuning job with the default trainer", test_single_tuning_job_with_the_default_trainer)
P.check("submit prints its table", test_submit_prints_its_table)
P.check("a training job in a job store of its own", test_a_training_job_in_a_job_store_of_its_own)
P.check("submit starts an agent beside a stopped one", test_submit_starts_an_agent_beside_a_stopped_one)
P.check("submit outlives its agent", test_submit_outlives_its_agent)
P.check("shipped config and errors", test_shipped_config_and_errors)
P.finish()
