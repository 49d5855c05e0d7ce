#pragma once
// AI Platform Training's `trainingInput`, as the seed's config/aip_config.yaml writes it, parsed
// from YAML with errors that name the path of the bad field, e.g.
//   config/aip_config.yaml: trainingInput.hyperparameters.params[2].minValue: ...
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/tuning/search_space.h"

namespace treeline::jobs {

struct HyperparameterSpec {
  tuning::Goal goal = tuning::Goal::kMaximize;
  std::string metric_tag{metrics::kDefaultMetricTag};  // hyperparameterMetricTag, default "f1" as the trainer's
  int max_trials = 1;                  // maxTrials (AI Platform's default is 1)
  int max_parallel_trials = 1;         // maxParallelTrials
  int max_failed_trials = 0;           // maxFailedTrials; 0: the job fails only when every trial failed
  bool enable_trial_early_stopping = false;
  std::string algorithm = "ALGORITHM_UNSPECIFIED";  // one of tuning::algorithm_names()
  std::string resume_previous_job_id;  // resumePreviousJobId
  tuning::SearchSpace space;           // params
};

// Which trial's hyperparameters a tuning job's follow-up (submit's final training) runs with.
enum class BestTrialBy {
  kObservedValue,    // OBSERVED_VALUE: the best finalMetric, as AI Platform lists trials
  kModelPrediction,  // MODEL_PREDICTION: the best by the search's model (tuning::Sampler::recommend)
};
std::string_view to_string(BestTrialBy by);

struct TrainingInput {
  // Cloud-only fields, kept as given; mapped or reported by `notes`.
  std::string scale_tier;              // scaleTier
  std::string master_type;             // masterType
  std::string image_uri;               // masterConfig.imageUri
  std::vector<std::string> container_command;  // masterConfig.containerCommand: the trainer to run
  std::vector<std::string> args;       // args, appended to the trainer's command line
  std::optional<HyperparameterSpec> hyperparameters;
  std::string region;                  // region, accepted and ignored locally
  std::optional<std::chrono::milliseconds> max_running_time;  // scheduling.maxRunningTime ("7200s")
  // treeline's own settings, under `treeline:` so nothing of AI Platform's is overloaded.
  std::optional<std::chrono::milliseconds> trial_timeout;     // treeline.trialTimeout ("600s", "1.5s")
  int threads_per_trial = 0;           // treeline.threadsPerTrial; 0: cores divided among running trials
  std::uint64_t seed = 0;              // treeline.seed, for the search algorithm; 0: derived from the job id
  bool cost_aware = false;             // treeline.costAware: Bayesian optimisation weighs EI by trial cost
  int initial_trials = 0;              // treeline.initialTrials: before the search's model takes over; 0: its default
  // treeline.stepParameter: the INTEGER parameter that counts the trainer's steps (its reports'
  // global_step), e.g. n_estimators; see jobs::observation_of.
  std::string step_parameter;
  BestTrialBy best_trial_by = BestTrialBy::kObservedValue;  // treeline.bestTrialBy

  // What was mapped to local resources or ignored, one sentence each, for the user to read.
  std::vector<std::string> notes;
  // The configuration as given (trainingInput only), for the Job resource.
  nlohmann::json as_given;
};

// Parses YAML text; `where` (the file name) prefixes error messages. The document is either
// {trainingInput: {...}} or the trainingInput mapping itself. Unknown keys, bad enums, bad
// ranges and inconsistent values are InputErrors naming their path.
TrainingInput parse_training_input(const std::string& yaml_text, const std::string& where);
TrainingInput load_training_input(const std::string& path);

// args[i] read as a flag, as CLI11 reads a trainer's command line: "--name=value", or "--name"
// with its value in args[i + 1] unless that is a flag itself (value_follows). nullopt when args[i]
// is no --flag (a value, or "--" alone).
struct FlagArgument {
  std::string name;                  // without the dashes
  std::optional<std::string> value;  // nullopt: none given
  bool value_follows = false;        // the value is args[i + 1]
};
std::optional<FlagArgument> flag_at(const std::vector<std::string>& args, std::size_t i);
// The error for "--name=" with nothing after the '=', which CLI11 would read as a flag awaiting the
// next argument: the CLI refuses it on its command line, submit in a trainer's args.
std::string empty_value_error(std::string_view arg);

// The value a trainer's `args` give `flag` ("--nthread"), as "--nthread=4" or "--nthread 4"
// (flag_at); the last one wins, as in CLI11. nullopt when they do not set it.
std::optional<std::string> args_flag_value(const std::vector<std::string>& args, std::string_view flag);
inline bool args_set_flag(const std::vector<std::string>& args, std::string_view flag) {
  return args_flag_value(args, flag).has_value();
}

// Round trip of the parsed form, for storing with a job.
TrainingInput training_input_from_json(const nlohmann::json& as_given);

}  // namespace treeline::jobs
