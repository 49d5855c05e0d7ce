#pragma once
// The seed's run_aip.py on treeline's own platform: one hyperparameter-tuning job per cover
// type, all at once, each followed by a final training job with the best hyperparameters, which
// trains on the whole training split and reports on the test split that tuning never saw.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/jobs/agent_launcher.h"
#include "treeline/jobs/job_store.h"
#include "treeline/jobs/training_input.h"
#include "treeline/pipeline/cover_type_trainer.h"
#include "treeline/pipeline/default_trainer.h"

namespace treeline::pipeline {

struct SubmitRequest {
  std::string project, name;
  std::string data, query;
  std::string config_path;  // for messages; the parsed form is passed to submit_tuning_jobs
  std::vector<int> cover_types = {1, 2, 3, 4, 5, 6, 7};
  SplitOptions split;                 // seed and test fraction, shared with run-local
  double validation_fraction = kDefaultValidationFraction;  // carved from the training split for the trials
  // "tune": each trial tunes the threshold for the metric on its validation split and the final
  // training takes the best trial's (only for metrics that depend on it); or a fixed number.
  std::string decision_threshold = "tune";
};

struct SubmittedJobs {
  int cover_type = 0;
  std::string tuning_job_id;
  std::string final_job_id;
};

// Prepares the datasets and queues the tuning jobs (their final training jobs follow
// automatically). Does not start an agent.
std::vector<SubmittedJobs> submit_tuning_jobs(const SubmitRequest& request, const jobs::TrainingInput& input,
                                              jobs::JobStore& store, const jobs::PlatformPaths& paths);

// `jobs submit-training` and `submit-tuning`: the job `job_id` running `input` (read from
// `config_path`, which errors name) with `extra_args` (the trainer arguments after --) after the
// config's args, ready to be queued. For treeline's own trainer both are checked first
// (check_config_for_default_trainer, check_args_for_default_trainer) and the job gets what
// default_trainer_args adds. With `tuning_required`, a config without hyperparameters is refused.
// Touches no store: a refused job leaves no trace.
jobs::Job make_job(const std::string& job_id, const jobs::TrainingInput& input, const std::string& config_path,
                   const std::vector<std::string>& extra_args, bool tuning_required, const jobs::PlatformPaths& paths);

struct TunedResult {
  int cover_type = 0;
  std::string tuning_job_id, final_job_id;
  std::string state;                  // of the last job that ran
  std::string error;
  nlohmann::json best_hyperparameters;
  double validation_metric = 0;
  std::string metric_tag;
  nlohmann::json test_metrics;        // the final model's metrics.json "metrics"
  double decision_threshold = 0.5;   // the final model's (metrics.json), test metrics are at it
  std::string model_uri;
};

struct WaitOptions {
  std::function<void(const std::string&)> on_change;  // each job's state changes, for progress lines
  // What holds jobs nobody moves (jobs/stalled_job.h): the jobs one cause holds, and the note;
  // again when the cause holds a job it did not at the last check.
  std::function<void(const std::vector<jobs::Job>&, const std::string&)> on_stalled;
  // Called every few seconds, before looking for stalled jobs: starts an agent when none would
  // run the jobs (the one submit started was killed, say), so the wait does not hang.
  std::function<void()> keep_agent;
  double lease_seconds = 10;
  std::chrono::milliseconds poll_interval{300};  // stalled jobs and keep_agent every 15 polls
};

// Polls the store until every final job has ended (or its tuning job failed).
std::vector<TunedResult> wait_for_tuned_models(jobs::JobStore& store, const std::vector<SubmittedJobs>& submitted,
                                               const WaitOptions& options = {});

// The run-local document with best_hyperparameters and job_id added to each result.
nlohmann::json tuned_results_to_json(const std::vector<TunedResult>& results);
std::string tuned_results_to_table(const std::vector<TunedResult>& results);

}  // namespace treeline::pipeline
