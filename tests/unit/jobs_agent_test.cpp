// The agent with real trial processes (small shell trainers) on a store and machine slots of its
// own: how it shares cores among running trials and in which order jobs get free slots.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <atomic>
#include <thread>

#include "test_util.h"
#include "treeline/executors/local_executor.h"
#include "treeline/executors/thread_share.h"
#include "treeline/jobs/agent.h"
#include "treeline/jobs/resumed_study.h"
#include "treeline/jobs/sqlite_job_store.h"
#include "treeline/jobs/training_input.h"
#include "treeline/jobs/trial_observation.h"
#include "treeline/tuning/gaussian_process_sampler.h"

namespace treeline::jobs {
namespace {

using treeline::testing::TempDir;

// A tuning job whose trials run `script` with /bin/sh (the trial's --name=value arguments follow).
// Trainers (for shell_tuning_job) that report a score of 1, without a step and at step 1.
constexpr const char* kReportsOne = R"(echo "{\"score\": 1}" >> "$CLOUD_ML_HP_METRIC_FILE")";
constexpr const char* kReportsOneAtStep1 = R"(echo "{\"score\": 1, \"global_step\": 1}" >> "$CLOUD_ML_HP_METRIC_FILE")";

Job shell_tuning_job(const std::string& id, const std::string& script, int max_trials, int parallel) {
  Job job;
  job.job_id = id;
  job.create_time = now_seconds();
  job.training_input = {
      {"masterConfig", {{"containerCommand", {"/bin/sh", "-c", script, "trainer"}}}},
      {"hyperparameters",
       {{"goal", "MAXIMIZE"},
        {"hyperparameterMetricTag", "score"},
        {"maxTrials", max_trials},
        {"maxParallelTrials", parallel},
        {"algorithm", "RANDOM_SEARCH"},
        {"params", {{{"parameterName", "x"}, {"type", "DOUBLE"}, {"minValue", 0}, {"maxValue", 1}}}}}}};
  return job;
}

// An agent that serves until no job is left, with `slots` machine-wide slots of its own.
AgentOptions until_idle_options(const TempDir& dir, int slots) {
  AgentOptions options;
  options.jobs_root = dir / "jobs";
  options.self_executable = "/bin/false";  // every job here names its own trainer
  options.exit_when_idle = true;
  options.idle_grace_seconds = 0;
  options.max_processes = slots;
  options.slots_directory = dir / "slots";
  return options;
}

// Runs an agent on `store` until no job is left, with `slots` machine-wide slots of its own.
void run_agent_until_idle(SqliteJobStore& store, const TempDir& dir, int slots) {
  executors::LocalExecutor executor;
  Agent agent(store, executor, until_idle_options(dir, slots));
  const std::atomic<bool> stop{false};
  agent.run(stop);
}

const Trial& trial_of(const std::vector<Trial>& trials, int id) {
  auto it = std::find_if(trials.begin(), trials.end(), [&](const Trial& t) { return t.trial_id == id; });
  if (it == trials.end()) throw std::runtime_error("no trial " + std::to_string(id));
  return *it;
}

TEST(Agent, ATrialLeftAloneTakesUpTheFreedCores) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  if (cores < 2) GTEST_SKIP() << "needs two cores to share";
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  // Trial 1 ends once trial 2 has read the share it started with (trial directories are
  // siblings); trial 2 then reports that share and the one it sees change.
  const std::string script = R"(
f="$TREELINE_THREADS_FILE"; first=$(cat "$f")
if [ "$CLOUD_ML_TRIAL_ID" = 1 ]; then
  i=0; while [ ! -e ../2/read ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
  echo "{\"score\": $first, \"global_step\": 1}" >> "$CLOUD_ML_HP_METRIC_FILE"; exit 0
fi
touch read; now=$first; i=0
while [ "$now" = "$first" ] && [ $i -lt 200 ]; do sleep 0.05; now=$(cat "$f"); i=$((i+1)); done
printf '{"score": %s, "global_step": 1}\n{"score": %s, "global_step": 2}\n' "$first" "$now" >> "$CLOUD_ML_HP_METRIC_FILE"
)";
  store.create_job(shell_tuning_job("shared", script, 2, 2));
  run_agent_until_idle(store, dir, 2);

  ASSERT_EQ(store.job_state("shared"), JobState::kSucceeded) << store.find_job("shared")->error_message;
  const auto trials = store.trials("shared");
  EXPECT_EQ(trial_of(trials, 1).final_metric->objective_value, cores / 2) << "two trials share the cores";
  const Trial& alone = trial_of(trials, 2);
  ASSERT_EQ(alone.all_metrics.size(), 2u);
  EXPECT_EQ(alone.all_metrics[0].objective_value, cores / 2);
  EXPECT_EQ(alone.all_metrics[1].objective_value, cores) << "left alone, the trial gets every core";
}

TEST(Agent, KeepsWhenEachReportWasWritten) {
  // What reaching a step cost (treeline.stepParameter learns a curve's prices from it) must
  // survive in the store, for a study resumed by another agent to learn the same.
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string script = R"(
for step in 1 2 3; do
  echo "{\"score\": $step, \"global_step\": $step, \"timestamp\": $(date +%s.%N)}" >> "$CLOUD_ML_HP_METRIC_FILE"
  sleep 0.05
done)";
  store.create_job(shell_tuning_job("timed", script, 1, 1));
  run_agent_until_idle(store, dir, 1);

  ASSERT_EQ(store.job_state("timed"), JobState::kSucceeded) << store.find_job("timed")->error_message;
  const Trial& t = store.trials("timed").at(0);
  ASSERT_EQ(t.all_metrics.size(), 3u);
  for (const ReportedMetric& m : t.all_metrics) {
    ASSERT_TRUE(m.timestamp.has_value()) << "step " << m.training_step;
    EXPECT_GE(*m.timestamp, *t.start_time);
    EXPECT_LE(*m.timestamp, *t.end_time);
  }
  EXPECT_LT(*t.all_metrics[0].timestamp, *t.all_metrics[2].timestamp);
}

TEST(Agent, TheJobWithTheMostWorkLeftGetsTheFreeSlot) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string report = kReportsOneAtStep1;
  store.create_job(shell_tuning_job("pricey", "sleep 0.4; " + report, 4, 1));
  store.create_job(shell_tuning_job("cheap", "sleep 0.02; " + report, 2, 1));
  run_agent_until_idle(store, dir, 1);

  struct Start {
    double time;
    std::string job;
  };
  std::vector<Start> starts;
  for (const char* job : {"pricey", "cheap"}) {
    ASSERT_EQ(store.job_state(job), JobState::kSucceeded) << job;
    for (const auto& t : store.trials(job)) starts.push_back({*t.start_time, job});
  }
  ASSERT_EQ(starts.size(), 6u);
  std::sort(starts.begin(), starts.end(), [](const Start& a, const Start& b) { return a.time < b.time; });
  std::string order;
  for (const auto& s : starts) order += s.job[0];
  // Each job runs once first (nothing is known of either); then the pricey job's three
  // remaining trials (1.2 s of work left, then 0.8 and 0.4) go before the cheap job's last one
  // (0.02 s and whatever it takes to start a process, as for every trial). Taking turns would
  // give the cheap job the third or fourth start.
  EXPECT_EQ(order.substr(2), "pppc") << order;
  EXPECT_TRUE(order.substr(0, 2) == "pc" || order.substr(0, 2) == "cp") << order;
}

TEST(Agent, AJobWaitingForASlotIsPreparingAndCanBeCancelledThere) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string go = (dir / "go").string();
  const std::string held = "while [ ! -e '" + go + "' ]; do sleep 0.02; done; " + kReportsOneAtStep1;
  for (const char* id : {"one", "other"}) store.create_job(shell_tuning_job(id, held, 1, 1));
  std::thread agent([&] {
    SqliteJobStore own(dir / "jobs.sqlite");
    run_agent_until_idle(own, dir, 1);
  });
  // One machine slot: whichever job gets it runs, and the other waits for it, taken up but with
  // no process yet.
  std::string running, preparing;
  for (int i = 0; i < 1000 && preparing.empty(); ++i) {
    const auto one = store.job_state("one"), other = store.job_state("other");
    if (one == JobState::kRunning && other == JobState::kPreparing) running = "one", preparing = "other";
    if (other == JobState::kRunning && one == JobState::kPreparing) running = "other", preparing = "one";
    if (preparing.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool seen = !preparing.empty();
  JobState cancelled = JobState::kQueued;
  if (seen) cancelled = store.request_cancel(preparing);
  std::ofstream(go).put('\n');
  agent.join();

  ASSERT_TRUE(seen) << "one: " << to_string(*store.job_state("one")) << ", other: " << to_string(*store.job_state("other"));
  EXPECT_EQ(cancelled, JobState::kCancelling) << "an agent holds it";
  EXPECT_EQ(store.job_state(running), JobState::kSucceeded) << store.find_job(running)->error_message;
  EXPECT_EQ(store.trials(running).size(), 1u);
  EXPECT_EQ(store.job_state(preparing), JobState::kCancelled);
  EXPECT_TRUE(store.trials(preparing).empty()) << "a cancelled job starts no trial";
  EXPECT_TRUE(store.find_job(preparing)->start_time.has_value()) << "processing started when it was PREPARING";
}

TEST(Agent, AFailedTrainingJobSaysWhyWithoutTrialNumbers) {
  // A training job runs its trainer once: it has no trials to number in its error.
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  Job job;
  job.job_id = "training";
  job.create_time = now_seconds();
  job.training_input = {{"masterConfig", {{"containerCommand", {"/bin/sh", "-c", "echo out of data; exit 3", "trainer"}}}}};
  store.create_job(job);
  run_agent_until_idle(store, dir, 1);
  ASSERT_EQ(store.job_state("training"), JobState::kFailed);
  const std::string error = store.find_job("training")->error_message;
  EXPECT_TRUE(error.starts_with("trainer exited with status 3; log ")) << error;
  EXPECT_NE(error.find("out of data"), std::string::npos) << error;
}

TEST(Agent, TrialsThatCannotStartCountAgainstMaxFailedTrials) {
  // Each trial's directory lies under a file, so no trial can start (as on a full disk): the job
  // fails at its second failure instead of using up its 25 trials in one go.
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  Job job = shell_tuning_job("burn", kReportsOne, 25, 1);
  job.training_input["hyperparameters"]["maxFailedTrials"] = 2;
  store.create_job(job);
  std::filesystem::create_directories(dir / "jobs" / "burn");
  std::ofstream(dir / "jobs" / "burn" / "trials") << "not a folder\n";
  run_agent_until_idle(store, dir, 1);

  ASSERT_EQ(store.job_state("burn"), JobState::kFailed);
  EXPECT_EQ(store.trials("burn").size(), 2u);
  const std::string error = store.find_job("burn")->error_message;
  EXPECT_TRUE(error.starts_with("2 trials failed (maxFailedTrials 2); first: trial 1: trainer cannot start: ")) << error;
  EXPECT_NE(error.find("Not a directory"), std::string::npos) << error;
  EXPECT_EQ(error.find("trainer.log"), std::string::npos) << "no log was made: " << error;
}

TEST(Agent, ATrainerThatCannotBeRunIsTriedLessOftenEachTime) {
  // Without maxFailedTrials a command that cannot be run would fail every trial within a second;
  // the exec failure reaches the agent from the child, after the start itself went well.
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  Job job = shell_tuning_job("missing", kReportsOne, 3, 1);
  job.training_input["masterConfig"]["containerCommand"] = {(dir / "no-such-trainer").string()};
  store.create_job(job);
  run_agent_until_idle(store, dir, 1);
  ASSERT_EQ(store.job_state("missing"), JobState::kFailed);
  const auto trials = store.trials("missing");
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_GE(*trial_of(trials, 2).start_time - *trial_of(trials, 1).end_time, 0.9) << "a second's back-off";
  EXPECT_GE(*trial_of(trials, 3).start_time - *trial_of(trials, 2).end_time, 1.9) << "then two";
}

TEST(Agent, NoTrialStartsOnceMaxFailedTrialsHaveFailed) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  Job job = shell_tuning_job("failing", "exit 3", 10, 1);
  job.training_input["hyperparameters"]["maxFailedTrials"] = 2;
  store.create_job(job);
  run_agent_until_idle(store, dir, 2);
  ASSERT_EQ(store.job_state("failing"), JobState::kFailed);
  const auto trials = store.trials("failing");
  EXPECT_EQ(trials.size(), 2u) << "a third trial used to start (and be stopped) after the second failure";
  for (const auto& t : trials) EXPECT_EQ(t.state, JobState::kFailed);
}

TEST(Agent, ATrialStoppedBecauseItsJobFailedIsCancelledNotFailed) {
  // Trial 1 fails at once while trial 2 runs; with maxFailedTrials 1 the job fails and stops
  // trial 2, which did nothing wrong.
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  Job job = shell_tuning_job("stopped", std::string("[ \"$CLOUD_ML_TRIAL_ID\" = 1 ] && exit 3; sleep 30; ") + kReportsOne,
                             4, 2);
  job.training_input["hyperparameters"]["maxFailedTrials"] = 1;
  store.create_job(job);
  run_agent_until_idle(store, dir, 2);
  ASSERT_EQ(store.job_state("stopped"), JobState::kFailed);
  const auto trials = store.trials("stopped");
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trial_of(trials, 1).state, JobState::kFailed);
  EXPECT_EQ(trial_of(trials, 2).state, JobState::kCancelled);
  EXPECT_TRUE(trial_of(trials, 2).error_message.starts_with("its job failed: 1 trials failed (maxFailedTrials 1)"))
      << trial_of(trials, 2).error_message;
}

TEST(Agent, SaysWhatItDoesOneLineEach) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(shell_tuning_job("told", kReportsOneAtStep1, 2, 1));
  std::vector<std::string> events;
  AgentOptions options = until_idle_options(dir, 1);
  options.on_event = [&](const std::string& event) { events.push_back(event); };
  executors::LocalExecutor executor;
  Agent agent(store, executor, options);
  const std::atomic<bool> stop{false};
  agent.run(stop);

  ASSERT_EQ(events.size(), 6u) << ::testing::PrintToString(events);
  EXPECT_EQ(events[0], "job told: taken up (PREPARING)");
  for (int trial : {1, 2}) {
    const std::string started = events[static_cast<std::size_t>(2 * trial - 1)];
    const std::string ended = events[static_cast<std::size_t>(2 * trial)];
    EXPECT_TRUE(started.starts_with(fmt::format("job told: trial {} started x=", trial))) << started;
    EXPECT_TRUE(ended.starts_with(fmt::format("job told: trial {} SUCCEEDED after ", trial))) << ended;
    EXPECT_TRUE(ended.ends_with(": score 1 at step 1")) << ended;
  }
  EXPECT_EQ(events[5], "job told: SUCCEEDED");
}

TEST(Agent, ASubmitsFinalTrainingCountsAsWorkLeft) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string report = kReportsOneAtStep1;
  // As submit queues them: the tuning job names the final training job to run with its best
  // hyperparameters. One 0.4 s trial left plus its final (0.8 s) outweighs two 0.3 s trials
  // (0.6 s); without the final it would not (0.4 s). Starting a process adds the same to every
  // trial, which keeps both comparisons as they are.
  Job with_final = shell_tuning_job("final", "sleep 0.4; " + report, 2, 1);
  with_final.labels["final_training"] = {
      {"job_id", "final_training"},
      {"training_input", {{"masterConfig", {{"containerCommand", {"/bin/sh", "-c", "sleep 0.4", "trainer"}}}}}}};
  store.create_job(with_final);
  store.create_job(shell_tuning_job("many", "sleep 0.3; " + report, 3, 1));
  run_agent_until_idle(store, dir, 1);

  ASSERT_EQ(store.job_state("final_training"), JobState::kSucceeded);
  std::vector<std::pair<double, char>> starts;
  for (const char* job : {"final", "many"}) {
    ASSERT_EQ(store.job_state(job), JobState::kSucceeded) << job;
    for (const auto& t : store.trials(job)) starts.emplace_back(*t.start_time, job[0]);
  }
  std::sort(starts.begin(), starts.end());
  std::string order;
  for (const auto& [_, job] : starts) order += job;
  EXPECT_EQ(order.substr(2), "fmm") << order;
}

TEST(Agent, AFinalTrainingIsPointedAtTheFileItsBestTrialLeft) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  // Reports its x as the score; with WRITE_FILE set it also leaves a file in its job dir, as
  // treeline's trainer leaves its decision threshold.
  const std::string trainer = R"(for a in "$@"; do case "$a" in --x=*) x=${a#--x=};; --job-dir=*) d=${a#--job-dir=};; esac; done
    if [ -n "$WRITE_FILE" ]; then echo '{}' > "$d/learned.json"; fi
    echo "{\"score\": $x, \"global_step\": 1}" >> "$CLOUD_ML_HP_METRIC_FILE")";
  for (const std::string id : {"with_file", "without_file"}) {
    const std::string env = id == "with_file" ? "WRITE_FILE=1; " : "";
    Job job = shell_tuning_job(id, env + trainer, 3, 1);
    job.labels["final_training"] = {
        {"job_id", id + "_final"},
        {"training_input", {{"masterConfig", {{"containerCommand", {"/bin/sh", "-c", "true", "trainer"}}}}}},
        {"best_trial_file", {{"flag", "--learned-from"}, {"path", "learned.json"}}}};
    store.create_job(job);
  }
  run_agent_until_idle(store, dir, 2);

  for (const std::string id : {"with_file", "without_file"}) {
    ASSERT_EQ(store.job_state(id), JobState::kSucceeded) << id << ": " << store.find_job(id)->error_message;
    ASSERT_TRUE(store.find_job(id + "_final").has_value()) << id;
    ASSERT_EQ(store.job_state(id + "_final"), JobState::kSucceeded) << id << store.find_job(id + "_final")->error_message;
    const auto trials = store.trials(id);
    const auto best = std::max_element(trials.begin(), trials.end(), [](const Trial& a, const Trial& b) {
      return a.final_metric->objective_value < b.final_metric->objective_value;
    });
    const std::string file = (dir / "jobs" / id / "trials" / std::to_string(best->trial_id) / "learned.json").string();
    const Job final_job = *store.find_job(id + "_final");
    const auto args = final_job.training_input.value("args", nlohmann::json::array());
    const bool pointed = std::find(args.begin(), args.end(), "--learned-from=" + file) != args.end();
    // A trainer that leaves no such file (a custom one) gets its final job without the flag, and a note.
    EXPECT_EQ(pointed, id == "with_file") << id << ": " << args.dump();
    EXPECT_EQ(final_job.labels.contains("best_trial_file_missing"), id == "without_file") << final_job.labels.dump();
  }
}

// Hands every request on to a real search algorithm, keeping a copy of the history it was told.
class WatchedSampler final : public tuning::Sampler {
 public:
  WatchedSampler(std::unique_ptr<tuning::Sampler> inner, std::vector<std::vector<tuning::Observation>>& told)
      : inner_(std::move(inner)), told_(told) {}
  std::vector<tuning::Assignment> suggest(const tuning::SuggestRequest& request) override {
    told_.push_back(request.history);
    return inner_->suggest(request);
  }
  std::optional<std::size_t> recommend(const tuning::RecommendRequest& request) override {
    return inner_->recommend(request);
  }
  std::string name() const override { return inner_->name(); }

 private:
  std::unique_ptr<tuning::Sampler> inner_;
  std::vector<std::vector<tuning::Observation>>& told_;
};

TEST(Agent, TheSearchLearnsEachReportOfACurveAtItsStepWithItsPrice) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  // Reports after 10 and 20 rounds, then at the rounds it was given (30-40), with timestamps.
  const std::string script = R"(for a in "$@"; do case "$a" in --rounds=*) r=${a#--rounds=};; esac; done
for step in 10 20 $r; do
  echo "{\"score\": $step, \"global_step\": $step, \"timestamp\": $(date +%s.%N)}" >> "$CLOUD_ML_HP_METRIC_FILE"
  sleep 0.05
done)";
  Job job = shell_tuning_job("curves", script, 2, 1);
  job.training_input["hyperparameters"]["params"].push_back(
      {{"parameterName", "rounds"}, {"type", "INTEGER"}, {"minValue", 30}, {"maxValue", 40}});
  job.training_input["treeline"] = {{"stepParameter", "rounds"}};
  store.create_job(job);
  std::vector<std::vector<tuning::Observation>> told;
  AgentOptions options = until_idle_options(dir, 1);
  options.make_sampler = [&](const std::string& algorithm, const tuning::SamplerSettings& settings) {
    return std::make_unique<WatchedSampler>(tuning::make_sampler(algorithm, settings), told);
  };
  executors::LocalExecutor executor;
  Agent agent(store, executor, options);
  agent.run(std::atomic<bool>{false});

  ASSERT_EQ(store.job_state("curves"), JobState::kSucceeded) << store.find_job("curves")->error_message;
  ASSERT_EQ(told.size(), 2u);
  ASSERT_EQ(told[1].size(), 1u);
  const tuning::Observation& first = told[1][0];
  const Trial& trial = trial_of(store.trials("curves"), 1);
  EXPECT_EQ(first.value, trial.final_metric->objective_value);
  ASSERT_EQ(first.partial.size(), 2u) << "the reports before the last";
  for (std::size_t i = 0; i < 2; ++i) {
    const tuning::PartialMeasurement& p = first.partial[i];
    const std::int64_t step = 10 * static_cast<std::int64_t>(i + 1);
    EXPECT_EQ(p.at.at("rounds"), tuning::ParameterValue{step});
    EXPECT_EQ(p.at.at("x"), trial.hyperparameters.at("x"));
    EXPECT_EQ(p.value, static_cast<double>(step));
    ASSERT_TRUE(p.cost_seconds.has_value()) << "step " << step;
    EXPECT_GT(*p.cost_seconds, 0);
    EXPECT_LE(*p.cost_seconds, *trial.end_time - *trial.start_time + 1e-6);
  }
  EXPECT_LT(*first.partial[0].cost_seconds, *first.partial[1].cost_seconds);
}

// A score whose noise (by trial id) is as large as its signal, as validation scores of models
// alike are: the first trial, the space's centre, draws a lucky score its neighbours do not share.
const std::string kNoisyTrainer = R"(for a in "$@"; do case "$a" in --x=*) x=${a#--x=};; esac; done
    s=$(awk -v x="$x" -v id="$CLOUD_ML_TRIAL_ID" 'BEGIN { print 1 - (x - 0.3) ^ 2 + 0.2 * ((id * 7919 % 11) / 11 - 0.5) }')
    echo "{\"score\": $s}" >> "$CLOUD_ML_HP_METRIC_FILE")";

// A study of the default algorithm (seeded, so two such jobs propose alike) whose final training
// job, `id`_final, is queued with the trial bestTrialBy `by` picks.
Job noisy_study(const std::string& id, int max_trials, const std::string& by) {
  Job job = shell_tuning_job(id, kNoisyTrainer, max_trials, 1);
  job.training_input["hyperparameters"]["algorithm"] = "ALGORITHM_UNSPECIFIED";
  job.training_input["treeline"] = {{"seed", 7}, {"bestTrialBy", by}};
  job.labels["final_training"] = {
      {"job_id", id + "_final"},
      {"training_input", {{"masterConfig", {{"containerCommand", {"/bin/sh", "-c", "true", "trainer"}}}}}}};
  return job;
}

// The trial id the final training of `id` ran with, checked against its args.
int final_trial_id(SqliteJobStore& store, const std::string& id) {
  const Job final_job = *store.find_job(id + "_final");
  const int trial_id = final_job.labels.at("best_trial_id").get<int>();
  const auto args = final_job.training_input.value("args", nlohmann::json::array());
  const std::string x = tuning::format_value(trial_of(store.trials(id), trial_id).hyperparameters.at("x"));
  EXPECT_NE(std::find(args.begin(), args.end(), "--x=" + x), args.end()) << args.dump();
  return trial_id;
}

// Queues a noisy_study and runs an agent with one slot until its final training is done.
void run_noisy_study(SqliteJobStore& store, const TempDir& dir, const Job& study) {
  store.create_job(study);
  run_agent_until_idle(store, dir, 1);
  ASSERT_EQ(store.job_state(study.job_id + "_final"), JobState::kSucceeded) << study.job_id;
}

std::vector<tuning::Observation> observations(const std::vector<Trial>& trials) {
  std::vector<tuning::Observation> history;
  for (const auto& t : trials) history.push_back(observation_of(t, ""));
  return history;
}

TEST(Agent, AFinalTrainingRunsTheTrialTheModelRecommends) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  for (const std::string by : {"MODEL_PREDICTION", "OBSERVED_VALUE"}) store.create_job(noisy_study(by, 10, by));
  run_agent_until_idle(store, dir, 2);

  const auto trials = store.trials("MODEL_PREDICTION");
  ASSERT_EQ(trials.size(), 10u);
  const auto twin = store.trials("OBSERVED_VALUE");
  ASSERT_EQ(twin.size(), trials.size());
  for (std::size_t i = 0; i < trials.size(); ++i)
    ASSERT_EQ(twin[i].hyperparameters, trials[i].hyperparameters) << "the two studies should be the same";
  const auto space = training_input_from_json(store.find_job("MODEL_PREDICTION")->training_input).hyperparameters->space;
  const auto recommended = tuning::GaussianProcessSampler().recommend({space, tuning::Goal::kMaximize, observations(trials)});
  ASSERT_TRUE(recommended.has_value());
  const Trial* observed = best_trial(trials, tuning::Goal::kMaximize);
  ASSERT_NE(trials[*recommended].trial_id, observed->trial_id) << "the scores should make the two picks differ";

  for (const std::string by : {"MODEL_PREDICTION", "OBSERVED_VALUE"}) {
    ASSERT_EQ(store.job_state(by + "_final"), JobState::kSucceeded) << by;
    EXPECT_EQ(store.find_job(by + "_final")->labels.at("best_trial_by"), by);
    EXPECT_EQ(final_trial_id(store, by), by == "MODEL_PREDICTION" ? trials[*recommended].trial_id : observed->trial_id);
  }
}

TEST(Agent, AResumedStudyLearnsTheEarlierJobButPicksFromItsOwn) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  run_noisy_study(store, dir, noisy_study("earlier", 8, "OBSERVED_VALUE"));
  Job resumed = noisy_study("resumed", 4, "MODEL_PREDICTION");
  resumed.training_input["hyperparameters"]["resumePreviousJobId"] = "earlier";
  run_noisy_study(store, dir, resumed);

  std::vector<tuning::Observation> history = observations(store.trials("earlier"));
  const std::size_t prior = history.size();
  const auto own = store.trials("resumed");
  ASSERT_EQ(own.size(), 4u);
  for (const auto& o : observations(own)) history.push_back(o);
  const auto space = training_input_from_json(resumed.training_input).hyperparameters->space;
  const auto recommended = tuning::GaussianProcessSampler().recommend({space, tuning::Goal::kMaximize, history, prior});
  ASSERT_TRUE(recommended.has_value());
  ASSERT_GE(*recommended, prior);
  EXPECT_EQ(store.find_job("resumed_final")->labels.at("best_trial_by"), "MODEL_PREDICTION");
  EXPECT_EQ(final_trial_id(store, "resumed"), own[*recommended - prior].trial_id);
}

TEST(Agent, AResumeThatDoesNotFitTheSpaceFailsItsJobAndTheOthersRunOn) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string script = kReportsOne;
  store.create_job(shell_tuning_job("earlier", script, 2, 1));
  run_agent_until_idle(store, dir, 1);
  ASSERT_EQ(store.find_job("earlier")->state, JobState::kSucceeded);

  // A parameter the earlier study never searched: no trial of it can be placed in this space.
  Job widened = shell_tuning_job("widened", script, 2, 1);
  widened.training_input["hyperparameters"]["resumePreviousJobId"] = "earlier";
  widened.training_input["hyperparameters"]["params"].push_back(
      {{"parameterName", "y"}, {"type", "INTEGER"}, {"minValue", 1}, {"maxValue", 3}});
  store.create_job(widened);
  Job unknown = shell_tuning_job("unknown", script, 2, 1);
  unknown.training_input["hyperparameters"]["resumePreviousJobId"] = "never_ran";
  store.create_job(unknown);
  Job same = shell_tuning_job("same", script, 2, 1);
  same.training_input["hyperparameters"]["resumePreviousJobId"] = "earlier";
  store.create_job(same);
  store.create_job(shell_tuning_job("other", script, 2, 1));
  EXPECT_NO_THROW(run_agent_until_idle(store, dir, 1));

  const Job failed = *store.find_job("widened");
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_NE(failed.error_message.find("trainingInput.hyperparameters.resumePreviousJobId: trial 1 of job earlier does "
                                      "not fit this job's params: a trial has no value for parameter 'y'"),
            std::string::npos)
      << failed.error_message;
  EXPECT_TRUE(store.trials("widened").empty()) << "refused before any trial ran";
  EXPECT_NE(store.find_job("unknown")->error_message.find("no job never_ran"), std::string::npos);
  EXPECT_EQ(store.find_job("same")->state, JobState::kSucceeded);
  EXPECT_EQ(store.find_job("other")->state, JobState::kSucceeded);

  // The history as the check reads it: the earlier job's two trials; and a study not yet ended
  // is refused rather than learnt in part.
  EXPECT_EQ(resumed_history(store, training_input_from_json(same.training_input)).size(), 2u);
  // Resuming the job that resumed "earlier" learns both studies' trials, the oldest first.
  Job again = shell_tuning_job("again", script, 2, 1);
  again.training_input["hyperparameters"]["resumePreviousJobId"] = "same";
  const auto chained = resumed_history(store, training_input_from_json(again.training_input));
  const auto first_study = observations(store.trials("earlier"));
  ASSERT_EQ(chained.size(), 4u);
  EXPECT_EQ(chained[0].params, first_study[0].params);
  EXPECT_EQ(chained[1].params, first_study[1].params);
  Job open = shell_tuning_job("open", script, 2, 1);
  store.create_job(open);
  Job too_soon = shell_tuning_job("too_soon", script, 2, 1);
  too_soon.training_input["hyperparameters"]["resumePreviousJobId"] = "open";
  try {
    (void)resumed_history(store, training_input_from_json(too_soon.training_input));
    ADD_FAILURE() << "a queued study was resumed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("job open is QUEUED: a study is resumed once it has ended"), std::string::npos)
        << e.what();
  }
}

// A search that finds its study unusable (say, a resumed history in another space).
class RefusingSampler : public tuning::Sampler {
 public:
  std::vector<tuning::Assignment> suggest(const tuning::SuggestRequest&) override {
    throw InputError("a trial has no value for parameter 'y'");
  }
  std::string name() const override { return "REFUSING"; }
};

TEST(Agent, ASearchThatCannotGoOnFailsItsJobNotTheAgent) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const std::string script = kReportsOne;
  Job refused = shell_tuning_job("refused", script, 2, 1);
  refused.training_input["hyperparameters"]["algorithm"] = "TPE";
  store.create_job(refused);
  store.create_job(shell_tuning_job("other", script, 2, 1));
  AgentOptions options = until_idle_options(dir, 1);
  options.make_sampler = [](const std::string& algorithm,
                             const tuning::SamplerSettings& settings) -> std::unique_ptr<tuning::Sampler> {
    if (algorithm == "TPE") return std::make_unique<RefusingSampler>();
    return tuning::make_sampler(algorithm, settings);
  };
  executors::LocalExecutor executor;
  Agent agent(store, executor, options);
  EXPECT_NO_THROW(agent.run(std::atomic<bool>{false}));
  const Job failed = *store.find_job("refused");
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_EQ(failed.error_message, "the search algorithm cannot go on: a trial has no value for parameter 'y'");
  EXPECT_EQ(store.find_job("other")->state, JobState::kSucceeded);
}

TEST(Agent, WhenTheModelHasTooLittleToGoOnTheBestValueDecidesAndTheLabelsSaySo) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  run_noisy_study(store, dir, noisy_study("short", 2, "MODEL_PREDICTION"));
  const Job final_job = *store.find_job("short_final");
  EXPECT_EQ(final_job.labels.at("best_trial_by"), "OBSERVED_VALUE");
  EXPECT_EQ(final_job.labels.at("best_trial_by_note"), "too few trials ran to their end for the model to judge");
  const auto trials = store.trials("short");
  EXPECT_EQ(final_trial_id(store, "short"), best_trial(trials, tuning::Goal::kMaximize)->trial_id);
}

TEST(Agent, AFixedThreadCountGetsNoThreadShare) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  // Reports 1 when the trial was given a share file to follow, 0 when not.
  const std::string script =
      R"([ -n "$TREELINE_THREADS_FILE" ] && v=1 || v=0; echo "{\"score\": $v}" >> "$CLOUD_ML_HP_METRIC_FILE")";
  store.create_job(shell_tuning_job("shared", script, 1, 1));
  Job fixed = shell_tuning_job("fixed", script, 1, 1);
  fixed.training_input["treeline"] = {{"threadsPerTrial", 1}};
  store.create_job(fixed);
  // An agent started from a trial's environment must not hand its own share on.
  ::setenv(executors::kThreadShareVariable, (dir / "inherited").c_str(), 1);
  run_agent_until_idle(store, dir, 2);
  ::unsetenv(executors::kThreadShareVariable);

  EXPECT_EQ(store.trials("shared").at(0).final_metric->objective_value, 1);
  EXPECT_EQ(store.trials("fixed").at(0).final_metric->objective_value, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "jobs" / "shared" / "trials" / "1" / "threads"))
      << "the share file goes with its trial";
}


// A store that fails (disk full, say) once a trial has reported: everything else goes through.
class StoreFailingAtMetrics : public JobStore {
 public:
  explicit StoreFailingAtMetrics(JobStore& inner) : inner_(inner) {}
  void create_job(const Job& job) override { inner_.create_job(job); }
  std::optional<Job> find_job(const std::string& id) override { return inner_.find_job(id); }
  std::optional<JobState> job_state(const std::string& id) override { return inner_.job_state(id); }
  std::vector<Job> list_jobs(std::optional<JobState> state) override { return inner_.list_jobs(state); }
  std::vector<Trial> trials(const std::string& id) override { return inner_.trials(id); }
  JobState request_cancel(const std::string& id) override { return inner_.request_cancel(id); }
  void heartbeat(const AgentInfo& agent) override { inner_.heartbeat(agent); }
  void remove_agent(const std::string& id) override { inner_.remove_agent(id); }
  bool retire_agent_if_idle(const std::string& id, double lease) override {
    return inner_.retire_agent_if_idle(id, lease);
  }
  std::vector<AgentInfo> live_agents(double lease) override { return inner_.live_agents(lease); }
  std::optional<AgentInfo> job_owner(const std::string& id) override { return inner_.job_owner(id); }
  Claimed claim_jobs(const AgentInfo& agent, double lease) override { return inner_.claim_jobs(agent, lease); }
  void release_job(const std::string& id, const std::string& agent) override { inner_.release_job(id, agent); }
  void set_job_state(const std::string& id, const std::string& agent, JobState state,
                     const std::string& error) override {
    inner_.set_job_state(id, agent, state, error);
  }
  bool complete_study(const std::string& id, const std::string& agent, const std::optional<Job>& follow_up) override {
    return inner_.complete_study(id, agent, follow_up);
  }
  std::optional<int> start_new_trial(const std::string& id, const std::string& agent,
                                     const tuning::Assignment& params, int max_trials) override {
    return inner_.start_new_trial(id, agent, params, max_trials);
  }
  bool restart_trial(const std::string& id, const std::string& agent, int trial) override {
    return inner_.restart_trial(id, agent, trial);
  }
  void record_metrics(const std::string&, const std::string&, int, const std::vector<ReportedMetric>&) override {
    throw Error("jobs.sqlite: database or disk is full");
  }
  void finish_trial(const std::string& id, const std::string& agent, const Trial& trial) override {
    inner_.finish_trial(id, agent, trial);
  }

 private:
  JobStore& inner_;
};

bool process_gone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

TEST(Agent, AFailingStoreStopsItsTrialsAndReleasesItsJobs) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  // The first attempt reports, then waits (as its own pid) until stopped; a rerun reports and ends.
  const std::string marker = (dir / "attempted").string(), pid_file = (dir / "trial.pid").string();
  const std::string report = kReportsOneAtStep1;
  Job job = shell_tuning_job("job",
                             "if [ -e " + marker + " ]; then " + report + "; exit 0; fi; touch " + marker +
                                 "; echo $$ > " + pid_file + "; " + report + "; exec sleep 30",
                             1, 1);
  // With early stopping on, the agent records a running trial's reports as they come.
  job.training_input["hyperparameters"]["enableTrialEarlyStopping"] = true;
  store.create_job(job);

  StoreFailingAtMetrics failing(store);
  executors::LocalExecutor executor;
  {
    Agent agent(failing, executor, until_idle_options(dir, 1));
    const std::atomic<bool> stop{false};
    EXPECT_THROW_WITH(agent.run(stop), Error, "disk is full");
    // Checked before the agent is destroyed, which would stop its trials anyway.
    std::ifstream pid_in(pid_file);
    pid_t pid = 0;
    ASSERT_TRUE(pid_in >> pid) << "the trial never started";
    EXPECT_TRUE(process_gone(pid)) << "the trial outlived its agent's failure";
    EXPECT_FALSE(store.job_owner("job").has_value()) << "the job was not released";
    EXPECT_TRUE(store.live_agents(3600).empty()) << "the failed agent is still registered";
  }

  // Released at once: the next agent of this same (live) process may take the job, not only
  // after the lease; it reruns the interrupted trial.
  run_agent_until_idle(store, dir, 1);
  ASSERT_EQ(store.job_state("job"), JobState::kSucceeded) << store.find_job("job")->error_message;
  const auto trials = store.trials("job");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].final_metric->objective_value, 1);
}

// The store failing while a job is taken up (SQLite busy past its timeout, say) is not the job's
// fault: the agent ends, and the job waits for the next one instead of failing for good.
class StoreBusyReadingJob : public SqliteJobStore {
 public:
  StoreBusyReadingJob(const std::filesystem::path& path, std::string busy_job)
      : SqliteJobStore(path), busy_job_(std::move(busy_job)) {}
  std::optional<Job> find_job(const std::string& id) override {
    if (id == busy_job_) throw SystemError("jobs.sqlite: database is locked");
    return SqliteJobStore::find_job(id);
  }

 private:
  std::string busy_job_;
};

TEST(Agent, AStoreFailingAsAJobIsTakenUpLeavesTheJobToTheNextAgent) {
  TempDir dir;
  const std::string report = kReportsOne;
  {
    SqliteJobStore store(dir / "jobs.sqlite");
    store.create_job(shell_tuning_job("old", report, 1, 1));
    run_agent_until_idle(store, dir, 1);
    ASSERT_EQ(store.job_state("old"), JobState::kSucceeded);
    Job resumed = shell_tuning_job("resumed", report, 2, 1);
    resumed.training_input["hyperparameters"]["resumePreviousJobId"] = "old";
    store.create_job(resumed);
  }
  {
    StoreBusyReadingJob busy(dir / "jobs.sqlite", "old");  // read when "resumed" is taken up
    executors::LocalExecutor executor;
    Agent agent(busy, executor, until_idle_options(dir, 1));
    const std::atomic<bool> stop{false};
    EXPECT_THROW_WITH(agent.run(stop), SystemError, "database is locked");
  }
  SqliteJobStore store(dir / "jobs.sqlite");
  EXPECT_NE(store.job_state("resumed"), JobState::kFailed) << store.find_job("resumed")->error_message;
  // Its owner is gone, so the next agent takes it up at once.
  run_agent_until_idle(store, dir, 1);
  EXPECT_EQ(store.job_state("resumed"), JobState::kSucceeded) << store.find_job("resumed")->error_message;
}

}  // namespace
}  // namespace treeline::jobs
