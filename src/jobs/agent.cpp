#include "treeline/jobs/agent.h"
#include "treeline/jobs/job_layout.h"

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "treeline/common/error.h"
#include "treeline/common/host.h"
#include "treeline/common/utf8.h"
#include "treeline/executors/thread_share.h"
#include "treeline/jobs/metric_file.h"
#include "treeline/jobs/resumed_study.h"
#include "treeline/jobs/training_input.h"
#include "treeline/jobs/trial_observation.h"
#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/model/trainer.h"
#include "treeline/tuning/early_stopping.h"
#include "treeline/tuning/sampler_registry.h"

namespace treeline::jobs {
namespace fs = std::filesystem;

struct Agent::RunningTrial {
  int trial_id = 0;
  tuning::Assignment params;
  std::unique_ptr<executors::RunningProcess> process;
  std::unique_ptr<executors::MachineSlot> slot;
  MetricFileFollower metrics;  // the trial's metric file, every report kept as it slides (cloudml-hypertune)
  fs::path log_file;
  std::optional<executors::ThreadShareFile> thread_share;  // none: the trial keeps the threads it started with
  bool stopping_early = false;
};

struct Agent::ActiveJob {
  Job job;
  TrainingInput input;
  bool tuning = false;
  std::string metric_tag{metrics::kDefaultMetricTag};
  std::unique_ptr<tuning::Sampler> sampler;
  std::unique_ptr<tuning::EarlyStoppingRule> early_stopping;
  std::vector<Trial> trials;                     // this job's, as recorded
  std::vector<tuning::Observation> prior;        // from resumePreviousJobId
  std::map<int, RunningTrial> running;
  std::uint64_t seed = 0;
  bool cancelling = false;
  bool exhausted = false;                        // the search space has no new points
  std::string failing;                           // set once the job must fail
  double last_metrics_check = 0;
  // Trials that could not start in a row, and when to try the next (Agent::finish).
  int failed_starts = 0;
  double launch_after = 0;

  double expected_seconds_left() const;
  // What the search is told: the resumed job's trials, then this job's, in creation order.
  std::vector<tuning::Observation> history() const;
  // The trial whose hyperparameters the follow-up runs with (treeline.bestTrialBy), and how it was
  // picked: by the best observed value when the model has none to offer; null when no trial
  // succeeded.
  struct Pick {
    const Trial* trial;
    BestTrialBy by;
    std::string why_not_the_model{};  // when the model was asked and the best value decided
  };
  Pick recommended_trial() const;
};

namespace {

int machine_cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

std::uint64_t seed_from(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across runs and machines
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<tuning::IntermediateValue> intermediate(const std::vector<ReportedMetric>& metrics) {
  std::vector<tuning::IntermediateValue> out;
  for (const auto& m : metrics) out.push_back({m.training_step, m.objective_value});
  return out;
}

// The last lines of a trial's log, for error messages that say what went wrong.
std::string log_tail(const fs::path& log, std::size_t lines) {
  std::ifstream in(log);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line)) {
    all.push_back(printable_utf8(line, 300));
    if (all.size() > lines) all.erase(all.begin());
  }
  std::string out;
  for (const auto& l : all) out += (out.empty() ? "" : " | ") + l;
  return out;
}

// The platform's last word in a trial's log, so `jobs logs` says how it ended (stopped, cancelled,
// timed out) where the trainer's own output just stops. On a line of its own.
void append_to_log(const fs::path& log, const std::string& line) {
  std::error_code ec;
  const bool ends_mid_line = [&] {
    std::ifstream in(log, std::ios::binary);
    if (!in || fs::file_size(log, ec) == 0 || ec) return false;
    in.seekg(-1, std::ios::end);
    return in.get() != '\n';
  }();
  std::ofstream out(log, std::ios::app | std::ios::binary);
  if (out) out << (ends_mid_line ? "\n" : "") << line << "\n";  // a log it cannot write is no error of the trial's
}

Trial* find_trial(std::vector<Trial>& trials, int id) {
  for (auto& t : trials)
    if (t.trial_id == id) return &t;
  return nullptr;
}

}  // namespace

// Trials not yet started (or waiting to run again) times the mean duration of those that ran to
// their end, plus, for a submit's tuning job, its final training (the best trial run again on the
// whole training split: about as long, and the study's very last work; the best by value stands
// in for treeline.bestTrialBy's pick, which would cost a model fit every round); infinite while
// no trial has run to its end (nothing is known yet, so the job should start soon). Asked every
// round of the agent's loop, so it only reads what the job holds.
double Agent::ActiveJob::expected_seconds_left() const {
  const int max_trials = tuning ? input.hyperparameters->max_trials : 1;
  int left = exhausted ? 0 : std::max(0, max_trials - static_cast<int>(trials.size()));
  double seconds = 0;
  int timed = 0;
  for (const auto& t : trials) {
    left += t.state == JobState::kQueued && !running.count(t.trial_id);
    if (const auto run = seconds_run(t); run && !t.stopped_early) {
      seconds += *run;
      ++timed;
    }
  }
  if (timed == 0) return std::numeric_limits<double>::infinity();
  const double mean = seconds / timed;
  double work = left * mean;
  if (tuning && job.labels.contains("final_training"))
    if (const Trial* best = best_trial(trials, input.hyperparameters->goal))
      work += best->stopped_early ? mean : seconds_run(*best).value_or(mean);
  return work;
}

std::vector<tuning::Observation> Agent::ActiveJob::history() const {
  std::vector<tuning::Observation> out = prior;
  for (const auto& t : trials) out.push_back(observation_of(t, input.step_parameter));
  return out;
}

Agent::ActiveJob::Pick Agent::ActiveJob::recommended_trial() const {
  const HyperparameterSpec& spec = *input.hyperparameters;
  if (input.best_trial_by == BestTrialBy::kModelPrediction) {
    const std::vector<tuning::Observation> history = this->history();
    const tuning::RecommendRequest request{spec.space, spec.goal, history, prior.size()};
    // A pick the agent cannot use (an algorithm that failed to fit, or named a trial of the
    // earlier job or one without a value) must not keep the study from its end: the best value
    // decides instead.
    std::string why;
    try {
      const auto index = sampler->recommend(request);
      if (!index) {
        why = "too few trials ran to their end for the model to judge";
      } else if (*index < prior.size() || *index >= history.size()) {
        why = fmt::format("the model named trial {} of {}, not one of this job's", *index + 1, history.size());
      } else if (const Trial& picked = trials[*index - prior.size()];
                 picked.state == JobState::kSucceeded && picked.final_metric) {
        return {&picked, BestTrialBy::kModelPrediction};
      } else {
        why = fmt::format("the model named trial {}, which has no final metric", picked.trial_id);
      }
    } catch (const std::exception& e) {
      why = fmt::format("the model failed: {}", e.what());
    }
    return {best_trial(trials, spec.goal), BestTrialBy::kObservedValue, why};
  }
  return {best_trial(trials, spec.goal), BestTrialBy::kObservedValue};
}

Agent::Agent(JobStore& store, executors::Executor& executor, AgentOptions options)
    : store_(store),
      executor_(executor),
      options_(std::move(options)),
      slots_(options_.slots_directory.empty() ? executors::MachineSlots::default_directory() : options_.slots_directory,
             options_.max_processes) {
  info_.pid = ::getpid();
  info_.host = host_name();
  info_.started = now_seconds();
  info_.heartbeat = info_.started;
  info_.process_key = process_identity(info_.pid).value_or("");
  info_.agent_id = fmt::format("{}-{}-{:08x}", info_.host, info_.pid, std::random_device{}());
}

Agent::~Agent() = default;

void Agent::serve(const std::atomic<bool>& stop) {
  idle_since_ = now_seconds();
  while (!stop.load()) {
    const double now = now_seconds();
    if (now - last_claim_ >= std::min(1.0, options_.lease_seconds / 4)) claim();
    const bool refresh = now - last_refresh_ >= 0.2;
    if (refresh) last_refresh_ = now;

    // Reap and observe every job first, so the slots that freed up are shared out fairly:
    // the jobs with the fewest running trials launch first, then those with the most work left
    // (a job with no finished trial yet counts as the most), then those that started fewest,
    // remaining ties taken in turn. Most work first keeps the priciest studies, and their final
    // training jobs, from ending last with the cores half idle.
    for_each_job([&](ActiveJob& job) {
      poll_trials(job);
      if (refresh) refresh_state(job);
      follow_metrics(job);
    });
    // A job queued since the last claim gets its share of the slot that just freed up, rather
    // than waiting for the next periodic claim while the running jobs take it.
    if (slot_freed_ && now_seconds() - last_claim_ >= 0.1) claim();
    using LaunchKey = std::tuple<std::size_t, double, std::size_t, std::string>;
    std::vector<LaunchKey> keys;
    for (const auto& [id, job] : active_)
      keys.emplace_back(job->running.size(), -job->expected_seconds_left(), job->trials.size(), id);
    if (!keys.empty()) std::rotate(keys.begin(), keys.begin() + static_cast<long>(turn_++ % keys.size()), keys.end());
    std::stable_sort(keys.begin(), keys.end(), [](const LaunchKey& a, const LaunchKey& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), std::get<2>(a)) < std::tie(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    });
    std::vector<std::string> order;
    for (const auto& key : keys) order.push_back(std::get<3>(key));
    // One trial per job per round, so two free slots go to two jobs rather than both to the first.
    for (bool launched = true; launched;) {
      launched = false;
      for_each_job([&](ActiveJob& job) { launched = launch_next_trial(job) || launched; }, order);
    }
    share_cores();
    for_each_job([&](ActiveJob& job) { maybe_complete(job); });
    if (active_.empty()) {
      // Leave only if no job is waiting, checked in the same step that unregisters this agent:
      // a job submitted a moment later then finds no agent and its submitter starts one. The
      // last job to finish may also just have queued its follow-up (a submit's final training).
      if (options_.exit_when_idle && now - idle_since_ >= options_.idle_grace_seconds) {
        if (store_.retire_agent_if_idle(info_.agent_id, options_.lease_seconds)) return;
        claim();
      }
    } else {
      idle_since_ = now;
    }
    wait_for_events(active_.empty() ? 0.2 : 0.02);
  }
  shut_down();
}

void Agent::run(const std::atomic<bool>& stop) {
  try {
    serve(stop);
  } catch (...) {
    // A failing store (disk full, locked past its timeout): stop the trials this agent started
    // and let others take its jobs, as far as the store still allows.
    try {
      shut_down();
    } catch (const Error&) {
    }
    throw;
  }
}

void Agent::shut_down() {
  std::vector<std::string> ids;
  for (const auto& [id, _] : active_) ids.push_back(id);
  // Trials stop before their jobs are released, so no other agent restarts one still running.
  for (const auto& id : ids) drop(id);
  for (const auto& id : ids) store_.release_job(id, info_.agent_id);
  store_.remove_agent(info_.agent_id);
}

void Agent::for_each_job(const std::function<void(ActiveJob&)>& step, std::vector<std::string> ids) {
  if (ids.empty())
    for (const auto& [id, _] : active_) ids.push_back(id);
  for (const auto& id : ids) {
    auto it = active_.find(id);
    if (it == active_.end()) continue;
    try {
      step(*it->second);
    } catch (const LeaseLost&) {
      drop(id);  // another agent owns it now: stop touching it
    }
  }
}

void Agent::claim() {
  last_claim_ = now_seconds();
  slot_freed_ = false;
  info_.heartbeat = last_claim_;
  store_.heartbeat(info_);
  const auto claimed = store_.claim_jobs(info_, options_.lease_seconds);
  std::vector<std::string> lost;
  for (const auto& [id, _] : active_)
    if (std::find(claimed.held.begin(), claimed.held.end(), id) == claimed.held.end()) lost.push_back(id);
  // A job this agent still had in hand but took over again just now was someone else's
  // meanwhile: what it knows of the job's trials is stale, so it starts from the store.
  for (const auto& id : claimed.taken)
    if (active_.count(id)) lost.push_back(id);
  for (const auto& id : lost) drop(id);
  // Any error but LeaseLost ends the agent: shut_down unregisters it, and a job it had claimed
  // but not taken up is claimable at once (its owner is no longer alive), so none is released here.
  for (const auto& id : claimed.held) {
    if (active_.count(id)) continue;
    try {
      activate(id);
    } catch (const LeaseLost&) {
      // Cancelled or taken between the claim and now: nothing to run.
    }
  }
}

void Agent::activate(const std::string& job_id) {
  auto job = std::make_unique<ActiveJob>();
  auto found = store_.find_job(job_id);
  if (!found || is_terminal(found->state)) return;  // cancelled between the claim and now
  job->job = *found;
  try {
    job->input = training_input_from_json(job->job.training_input);
    job->tuning = job->input.hyperparameters.has_value();
    if (job->tuning) {
      const auto& hp = *job->input.hyperparameters;
      const tuning::SamplerSettings settings{.cost_aware = job->input.cost_aware,
                                             .initial_trials = static_cast<std::size_t>(job->input.initial_trials)};
      job->sampler = options_.make_sampler ? options_.make_sampler(hp.algorithm, settings)
                                           : tuning::make_sampler(hp.algorithm, settings);
      if (!job->sampler) throw std::logic_error("AgentOptions::make_sampler returned no sampler for " + hp.algorithm);
      job->metric_tag = hp.metric_tag;
      if (hp.enable_trial_early_stopping) job->early_stopping = tuning::make_default_stopping_rule();
      job->prior = resumed_history(store_, job->input);
    }
  } catch (const InputError& e) {
    // The job's own config is at fault: it fails for good. A store that failed us (SystemError,
    // e.g. SQLite busy past its timeout) ends this agent instead, and the job is taken over.
    store_.set_job_state(job_id, info_.agent_id, JobState::kFailed, e.what());
    store_.release_job(job_id, info_.agent_id);
    tell(fmt::format("job {}: FAILED: {}", job_id, e.what()));
    return;
  }
  job->seed = job->input.seed != 0 ? job->input.seed : seed_from(job_id);
  job->trials = store_.trials(job_id);
  check_failed_trials(*job);  // an interrupted job may have failed enough already
  // A queued trial was interrupted: what its trainer started may outlive it, and must not run
  // beside the rerun.
  for (const auto& t : job->trials)
    if (t.state == JobState::kQueued) executor_.stop_leftovers(job_directory(*job, t.trial_id));
  job->cancelling = job->job.state == JobState::kCancelling;
  // PREPARING until its first trial process starts: with seven studies on two cores, most wait
  // for a slot first, and `jobs list` should say which ones do.
  if (job->job.state == JobState::kQueued) {
    store_.set_job_state(job_id, info_.agent_id, JobState::kPreparing);
    job->job.state = JobState::kPreparing;
  }
  const auto finished = std::count_if(job->trials.begin(), job->trials.end(), [](const Trial& t) { return is_terminal(t.state); });
  tell(fmt::format("job {}: taken up ({}{})", job_id, to_string(job->job.state),
                   job->trials.empty() ? "" : fmt::format(", {} of its trials finished before", finished)));
  if (!job->job.start_time) job->job.start_time = now_seconds();
  active_.emplace(job_id, std::move(job));
}

void Agent::drop(const std::string& job_id) {
  auto it = active_.find(job_id);
  if (it == active_.end()) return;
  for (auto& [_, running] : it->second->running) running.process.reset();  // kills the process group
  active_.erase(it);
}

void Agent::refresh_state(ActiveJob& job) {
  if (store_.job_state(job.job.job_id) == JobState::kCancelling && !job.cancelling) {
    job.cancelling = true;
    for (auto& [_, running] : job.running) running.process->terminate();
  }
}

void Agent::poll_trials(ActiveJob& job) {
  std::vector<int> done;
  for (auto& [id, running] : job.running) {
    if (auto outcome = running.process->poll()) {
      finish(job, running, *outcome);
      done.push_back(id);
    }
  }
  for (int id : done) job.running.erase(id);
  if (!done.empty()) slot_freed_ = true;
}

void Agent::finish(ActiveJob& job, RunningTrial& running, const executors::Outcome& outcome) {
  Trial* trial = find_trial(job.trials, running.trial_id);
  Trial result = trial != nullptr ? *trial : Trial{};
  result.trial_id = running.trial_id;
  result.hyperparameters = running.params;
  result.end_time = now_seconds();
  running.metrics.update(/*complete=*/true);
  const auto contents = running.metrics.contents();
  result.all_metrics = contents.metrics;
  if (!contents.metrics.empty()) result.final_metric = contents.metrics.back();

  if (job.cancelling && !outcome.success()) {
    result.state = JobState::kCancelled;
    result.error_message = "its job was cancelled";
  } else if (!job.failing.empty() && outcome.kind == executors::Outcome::Kind::kTerminated) {
    // Stopped because its job failed (maxFailedTrials, maxRunningTime): not a failure of its own.
    result.state = JobState::kCancelled;
    result.error_message = "its job failed: " + job.failing;
  } else if (running.stopping_early && outcome.kind == executors::Outcome::Kind::kTerminated && result.final_metric) {
    // The executor reports any process it was asked to stop as terminated, even one that went on
    // to exit 0; its metrics say how far it got. One that had already ended on its own when the
    // rule judged it ran to its end and counts as such.
    result.state = JobState::kSucceeded;
    result.stopped_early = true;
  } else if (!outcome.success()) {
    result.state = JobState::kFailed;
    std::error_code ec;
    if (outcome.kind != executors::Outcome::Kind::kFailedToStart && fs::exists(running.log_file, ec)) {
      const std::string tail = log_tail(running.log_file, 3);
      result.error_message = fmt::format("trainer {}; log {}{}{}", outcome.message, running.log_file.string(),
                                         tail.empty() ? "" : ": ", tail);
    } else {
      // It never started: the message says why, and a log there is an earlier attempt's.
      result.error_message = "trainer " + outcome.message;
    }
  } else if (job.tuning && !result.final_metric) {
    result.state = JobState::kFailed;
    result.error_message =
        contents.problems.empty()
            ? fmt::format("the trainer exited without reporting metric '{}' to CLOUD_ML_HP_METRIC_FILE ({})",
                          job.metric_tag, running.metrics.path().string())
            : fmt::format("the metric file {} holds no valid '{}' value: {}", running.metrics.path().string(),
                          job.metric_tag, contents.problems.front());
  } else {
    result.state = JobState::kSucceeded;
  }
  // Starts that fail in a row (a full disk; a trainer command that cannot be run, which the
  // executor learns only from the child) wait longer each time before the next, so a study
  // without maxFailedTrials is not used up in a second.
  if (outcome.kind == executors::Outcome::Kind::kFailedToStart) {
    ++job.failed_starts;
    job.launch_after = now_seconds() + std::min(30.0, std::ldexp(0.5, job.failed_starts));
  } else {
    job.failed_starts = 0;
  }
  store_.finish_trial(job.job.job_id, info_.agent_id, result);
  const std::string took =
      result.start_time ? fmt::format(" after {:.1f} s", *result.end_time - *result.start_time) : std::string();
  const std::string value =
      result.final_metric ? fmt::format(": {} {:.4g} at step {}", job.metric_tag, result.final_metric->objective_value,
                                        result.final_metric->training_step)
                          : std::string();
  const std::string what = result.stopped_early ? "stopped early (its curve trailed the other trials')"
                                                : to_string(result.state);
  const std::string ending = fmt::format(
      "{} {}{}{}{}", job.tuning ? fmt::format("trial {}", result.trial_id) : "trainer", what, took,
      job.tuning ? value : "", result.error_message.empty() ? "" : " (" + result.error_message + ")");
  tell(fmt::format("job {}: {}", job.job.job_id, ending));
  append_to_log(running.log_file, "treeline: " + ending);
  if (trial != nullptr) *trial = result;
  else job.trials.push_back(result);
  if (result.state == JobState::kFailed) check_failed_trials(job);
}

// Every half second, what the running trials reported since the last look, so that a trainer
// that keeps only its last reports in the file (cloudml-hypertune: 100) loses none that were
// there to read; with early stopping, the rules judge each curve as it grows.
void Agent::follow_metrics(ActiveJob& job) {
  if (!job.tuning || job.running.empty()) return;
  const double now = now_seconds();
  if (now - job.last_metrics_check < 0.5) return;
  job.last_metrics_check = now;
  std::vector<std::vector<tuning::IntermediateValue>> finished;
  if (job.early_stopping)
    for (const auto& t : job.trials)
      if (t.state == JobState::kSucceeded && !t.all_metrics.empty()) finished.push_back(intermediate(t.all_metrics));
  const tuning::Goal goal = job.input.hyperparameters->goal;
  for (auto& [id, running] : job.running) {
    if (running.stopping_early) continue;
    if (!running.metrics.update() || !job.early_stopping) continue;
    // With early stopping the store shows each curve as it grows (jobs describe); without, the
    // follower alone keeps it until the trial ends.
    const auto contents = running.metrics.contents();
    store_.record_metrics(job.job.job_id, info_.agent_id, id, contents.metrics);
    if (job.early_stopping->should_stop(intermediate(contents.metrics), finished, goal)) {
      running.stopping_early = true;
      running.process->terminate();
    }
  }
}

int Agent::threads_per_trial(const ActiveJob& job) const {
  if (job.input.threads_per_trial > 0) return job.input.threads_per_trial;
  int demand = 0;
  for (const auto& [_, j] : active_)
    demand += j->tuning ? j->input.hyperparameters->max_parallel_trials : 1;
  const int cores = machine_cores();
  int sharing = std::max(1, std::min(demand, slots_.capacity()));
  // Trials of other agents (other stores) hold slots too and share the same cores. Probing every
  // slot file is only worth it when this agent's own demand leaves some slots to them.
  if (sharing < slots_.capacity()) sharing = std::max(sharing, slots_.held());
  return std::clamp(cores / sharing, 1, model::kMostThreads);  // what the trainer accepts
}

void Agent::share_cores() {
  int running = 0;
  for (const auto& [_, job] : active_) running += static_cast<int>(job->running.size());
  if (running == 0) return;
  // Other agents' trials (other stores) share the cores too; they can only hold the slots this
  // agent leaves free, and probing the slot files is a few system calls, so once a second.
  const double now = now_seconds();
  if (running >= slots_.capacity()) {
    held_elsewhere_ = 0;
  } else if (now - last_held_probe_ >= 1.0) {
    last_held_probe_ = now;
    held_elsewhere_ = std::max(0, slots_.held() - running);
  }
  const int sharing = std::min(std::max(1, slots_.capacity()), running + held_elsewhere_);
  const int threads = std::max(1, machine_cores() / std::max(1, sharing));
  for (auto& [_, job] : active_) {
    for (auto& [__, trial] : job->running) {
      if (!trial.thread_share) continue;
      try {
        trial.thread_share->set(threads);
      } catch (const SystemError&) {
        // The trial keeps its current threads; the next round tries again.
      }
    }
  }
}

bool Agent::launch_next_trial(ActiveJob& job) {
  if (job.cancelling || !job.failing.empty()) return false;
  if (now_seconds() < job.launch_after) return false;
  if (job.job.state != JobState::kPreparing && job.job.state != JobState::kRunning) return false;
  const int max_parallel = job.tuning ? job.input.hyperparameters->max_parallel_trials : 1;
  const int max_trials = job.tuning ? job.input.hyperparameters->max_trials : 1;
  if (static_cast<int>(job.running.size()) >= max_parallel) return false;
  // Interrupted trials run again first, with the same hyperparameters and id.
  for (auto& t : job.trials) {
    if (t.state != JobState::kQueued || job.running.count(t.trial_id)) continue;
    auto slot = slots_.try_acquire();
    if (!slot) return false;
    if (!store_.restart_trial(job.job.job_id, info_.agent_id, t.trial_id)) {
      refresh_state(job);  // cancelled since the last look: stop asking
      return false;
    }
    t.state = JobState::kRunning;
    t.start_time = now_seconds();  // as restart_trial records it: the run that counts is this one
    ++t.attempts;
    return launch(job, t.trial_id, t.hyperparameters, std::move(slot));
  }
  if (static_cast<int>(job.trials.size()) >= max_trials || job.exhausted) return false;
  auto slot = slots_.try_acquire();
  if (!slot) return false;
  tuning::Assignment params;
  if (job.tuning) {
    const std::vector<tuning::Observation> history = job.history();
    const tuning::SuggestRequest request{job.input.hyperparameters->space, job.input.hyperparameters->goal, history,
                                         1, tuning::trial_seed(job.seed, job.trials.size() + 1)};
    std::vector<tuning::Assignment> suggestions;
    try {
      suggestions = job.sampler->suggest(request);
    } catch (const InputError& e) {
      // The study's own history or space is at fault (checked when the job was taken up, so
      // this is a backstop): the job fails and the agent goes on with the others.
      job.failing = fmt::format("the search algorithm cannot go on: {}", e.what());
      return false;
    }
    if (suggestions.empty()) {
      job.exhausted = true;
      return false;
    }
    params = suggestions.front();
  }
  const auto id = store_.start_new_trial(job.job.job_id, info_.agent_id, params, max_trials);
  if (!id) {
    refresh_state(job);  // full, or cancelled since the last look
    return false;
  }
  Trial t;
  t.trial_id = *id;
  t.hyperparameters = params;
  t.state = JobState::kRunning;
  t.start_time = now_seconds();
  t.attempts = 1;
  job.trials.push_back(t);
  return launch(job, *id, params, std::move(slot));
}

bool Agent::launch(ActiveJob& job, int trial_id, const tuning::Assignment& params,
                   std::unique_ptr<executors::MachineSlot> slot) {
  const fs::path dir = job_directory(job, trial_id);
  std::error_code ec;
  fs::create_directories(dir, ec);  // the executor reports a directory it cannot use
  executors::Launch launch;
  const bool default_trainer = job.input.container_command.empty();
  if (default_trainer) {
    launch.argv = {options_.self_executable, "train-evaluate"};
  } else {
    launch.argv = job.input.container_command;
  }
  launch.argv.insert(launch.argv.end(), job.input.args.begin(), job.input.args.end());
  for (const auto& [name, value] : params) launch.argv.push_back(fmt::format("--{}={}", name, tuning::format_value(value)));
  launch.argv.push_back("--job-dir=" + dir.string());
  const int threads = threads_per_trial(job);
  const bool has_nthread = args_set_flag(launch.argv, "--nthread");
  if (default_trainer && !has_nthread) launch.argv.push_back(fmt::format("--nthread={}", threads));

  RunningTrial running;
  running.trial_id = trial_id;
  running.params = params;
  // A new file per attempt: a process left over from an interrupted attempt (a custom
  // trainer's child outlives its parent) cannot write into the attempt that replaces it.
  const Trial* trial = find_trial(job.trials, trial_id);
  const int attempt = trial != nullptr ? trial->attempts : 1;
  running.metrics = MetricFileFollower(
      dir / (attempt <= 1 ? "metrics.jsonl" : fmt::format("metrics.attempt-{}.jsonl", attempt)), job.metric_tag);
  running.log_file = dir / kTrainerLog;
  fs::remove(running.metrics.path(), ec);  // a trial that runs again starts afresh
  launch.env = {{"CLOUD_ML_JOB_ID", job.job.job_id},
                {"CLOUD_ML_TRIAL_ID", std::to_string(trial_id)},
                {"CLOUD_ML_HP_METRIC_TAG", job.metric_tag},
                {"CLOUD_ML_HP_METRIC_FILE", running.metrics.path().string()},
                {"OMP_NUM_THREADS", std::to_string(threads)}};
  // With a fixed thread count (threadsPerTrial, or --nthread in the args) the share stays put;
  // the variable is blanked then, in case the agent itself inherited one.
  launch.env[executors::kThreadShareVariable] = "";
  if (job.input.threads_per_trial == 0 && !has_nthread) {
    try {
      running.thread_share.emplace(dir / "threads", threads);
      launch.env[executors::kThreadShareVariable] = running.thread_share->path().string();
    } catch (const SystemError&) {
      // The trial runs with the threads it was given.
    }
  }
  launch.working_directory = dir;
  launch.log_file = running.log_file;
  if (job.input.trial_timeout) launch.timeout = *job.input.trial_timeout;
  running.slot = std::move(slot);
  try {
    running.process = executor_.start(launch);
  } catch (const std::exception& e) {
    // The trial could not start (fork failed, disk full, ...): it fails (finish() sets the job's
    // back-off) and this round launches nothing more for the job.
    executors::Outcome outcome{executors::Outcome::Kind::kFailedToStart, 0, std::string("cannot start: ") + e.what()};
    finish(job, running, outcome);
    slot_freed_ = true;
    return false;
  }
  std::string shown;
  for (const auto& [name, value] : params) shown += fmt::format(" {}={}", name, tuning::format_value(value));
  tell(job.tuning ? fmt::format("job {}: trial {} started{}{}", job.job.job_id, trial_id,
                                attempt > 1 ? fmt::format(" (attempt {})", attempt) : "", shown)
                  : fmt::format("job {}: trainer started", job.job.job_id));
  job.running.emplace(trial_id, std::move(running));
  if (job.job.state == JobState::kPreparing) {
    // A cancel that came meanwhile stays (the store keeps CANCELLING); the next look stops the trial.
    store_.set_job_state(job.job.job_id, info_.agent_id, JobState::kRunning);
    job.job.state = JobState::kRunning;
  }
  return true;
}

namespace {

// How many of a job's trials failed, and the first one's error as a job's error names it.
struct FailedTrials {
  int count = 0;
  std::string first;
};

FailedTrials failed_trials(const std::vector<Trial>& trials, bool tuning) {
  FailedTrials failed;
  for (const auto& t : trials) {
    if (t.state != JobState::kFailed) continue;
    if (failed.count++ == 0)
      failed.first = tuning ? fmt::format("trial {}: {}", t.trial_id, t.error_message) : t.error_message;
  }
  return failed;
}

}  // namespace

void Agent::check_failed_trials(ActiveJob& job) {
  const int max_failed = job.tuning ? job.input.hyperparameters->max_failed_trials : 0;
  if (!job.failing.empty() || max_failed <= 0) return;
  if (const FailedTrials failed = failed_trials(job.trials, job.tuning); failed.count >= max_failed)
    job.failing = fmt::format("{} trials failed (maxFailedTrials {}); first: {}", failed.count, max_failed, failed.first);
}

void Agent::maybe_complete(ActiveJob& job) {
  const std::string id = job.job.job_id;
  int succeeded = 0, queued = 0;
  for (const auto& t : job.trials) {
    succeeded += t.state == JobState::kSucceeded;
    queued += t.state == JobState::kQueued;
  }
  const int max_trials = job.tuning ? job.input.hyperparameters->max_trials : 1;
  if (const auto limit = job.input.max_running_time; job.failing.empty() && limit) {
    const double seconds = std::chrono::duration<double>(*limit).count();
    if (now_seconds() - *job.job.start_time > seconds)
      job.failing = fmt::format("the job ran longer than scheduling.maxRunningTime ({} s)", seconds);
  }
  if (!job.failing.empty())
    for (auto& [_, running] : job.running) running.process->terminate();
  if (!job.running.empty()) return;
  const bool all_created = static_cast<int>(job.trials.size()) >= max_trials || job.exhausted;
  // Ends the job as `state` (CANCELLED or FAILED, with `error`) and lets it go.
  auto end = [&](JobState state, const std::string& error, const std::string& told) {
    store_.set_job_state(id, info_.agent_id, state, error);
    tell(fmt::format("job {}: {}", id, told));
    active_.erase(id);
  };
  if (job.cancelling) return end(JobState::kCancelled, kCancelledByTheUser, "CANCELLED");
  if (!job.failing.empty()) return end(JobState::kFailed, job.failing, "FAILED: " + job.failing);
  if (!all_created || queued > 0) return;
  if (succeeded == 0) {
    const FailedTrials failed = failed_trials(job.trials, job.tuning);
    const std::string error =
        job.tuning ? fmt::format("all {} trials failed; first: {}", failed.count, failed.first) : failed.first;
    return end(JobState::kFailed, error, "FAILED: " + error);
  }
  // The follow-up (run_aip's final training) is queued in the same step that marks the job
  // done, unless a cancel came after the agent's last look: then neither happens.
  const std::optional<Job> follow_up = follow_up_job(job);
  tell(store_.complete_study(id, info_.agent_id, follow_up)
           ? fmt::format("job {}: SUCCEEDED{}", id, follow_up ? fmt::format("; queued {}", follow_up->job_id) : "")
           : fmt::format("job {}: CANCELLED (as its last trial ended)", id));
  active_.erase(id);
}

std::optional<Job> Agent::follow_up_job(ActiveJob& job) {
  const auto final_id = follow_up_job_id(job.job);
  if (!job.tuning || !final_id) return std::nullopt;
  const nlohmann::json& spec = job.job.labels["final_training"];
  const auto [best, picked_by, why_not_the_model] = job.recommended_trial();
  if (!best) return std::nullopt;
  Job final_job;
  final_job.job_id = *final_id;
  final_job.create_time = now_seconds();
  final_job.training_input = spec.at("training_input");
  for (const auto& [name, value] : best->hyperparameters)
    final_job.training_input["args"].push_back(fmt::format("--{}={}", name, tuning::format_value(value)));
  final_job.labels = spec.value("labels", nlohmann::json::object());
  final_job.labels["tuning_job_id"] = job.job.job_id;
  final_job.labels["best_trial_id"] = best->trial_id;
  final_job.labels["best_trial_by"] = to_string(picked_by);
  if (!why_not_the_model.empty()) final_job.labels["best_trial_by_note"] = why_not_the_model;
  final_job.labels["best_hyperparameters"] = assignment_to_json(best->hyperparameters);
  final_job.labels["validation_metric"] = best->final_metric->objective_value;
  // What the best trial learned beyond its hyperparameters (treeline's trainer: its decision
  // threshold) is in a file it left in its job dir; the final training is pointed at it. A
  // trial that left none (a custom trainer) gets a note instead.
  if (spec.contains("best_trial_file")) {
    const auto& wanted = spec["best_trial_file"];
    const fs::path file = job_directory(job, best->trial_id) / wanted.at("path").get<std::string>();
    std::error_code ec;
    if (fs::exists(file, ec))
      final_job.training_input["args"].push_back(fmt::format("{}={}", wanted.at("flag").get<std::string>(), file.string()));
    else
      final_job.labels["best_trial_file_missing"] = file.string();
  }
  return final_job;
}

fs::path Agent::job_directory(const ActiveJob& job, int trial_id) const {
  return trainer_directory(options_.jobs_root, job.job.job_id, job.tuning ? std::optional<int>(trial_id) : std::nullopt);
}

void Agent::wait_for_events(double seconds) {
  std::vector<pollfd> fds;
  for (const auto& [_, job] : active_)
    for (const auto& [__, running] : job->running)
      if (running.process->wait_fd() >= 0) fds.push_back({running.process->wait_fd(), POLLIN, 0});
  ::poll(fds.data(), fds.size(), static_cast<int>(seconds * 1000));
}

}  // namespace treeline::jobs
