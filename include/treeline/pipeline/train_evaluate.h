#pragma once
// The seed's train_evaluate.py: one cover type end to end from its prepared dataset. It is also
// the trainer the tuning platform launches for every trial.
#include <filesystem>
#include <functional>
#include <string>

#include "treeline/features/preprocessor.h"
#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/cover_type_trainer.h"

namespace treeline::pipeline {

// --decision-threshold as train-evaluate and submit take it: "tune" or a number in (0, 1).
struct DecisionThresholdChoice {
  bool tune = false;
  double value = 0.5;
};

struct TrainEvaluateRequest {
  std::filesystem::path store_root;  // the artifact store holding PROJECT/NAME/datasets
  std::string project, name;
  int cover_type = 1;
  std::filesystem::path job_dir;     // preprocessor, model and metrics go to JOB_DIR/model/ ...
  std::filesystem::path model_dir;   // ... or here when set (a final training job's models/cover_type_K)
  SplitOptions split;
  features::Encoding encoding = features::Encoding::kNativeCategorical;
  model::TrainingOptions training;
  int report_every = 0;  // intermediate hypertune reports every N rounds (0: every tenth of the run)
  // Fixed, or tuned on the validation split for the reported metric; then
  // JOB_DIR/decision_threshold.json holds the latest one from every report on, so a trial
  // stopped early leaves one for its final training too.
  DecisionThresholdChoice decision_threshold;
  // Told of each intermediate report (rounds done, of how many; the metric and its value), e.g.
  // to log progress a platform user can follow; reports are made when the reporter is enabled.
  std::function<void(int done, int rounds, const std::string& metric, double value)> on_report;
};

// The file a trial that tunes its decision threshold keeps in its job dir.
inline constexpr const char* kDecisionThresholdFile = "decision_threshold.json";

struct TrainEvaluateResult {
  metrics::BinaryMetrics metrics;
  double decision_threshold = 0.5;
  std::string evaluated_on;
  std::string model_uri;
};

TrainEvaluateResult train_evaluate(const TrainEvaluateRequest& request, const metrics::HypertuneReporter& reporter);

// Throws InputError naming `flag`.
DecisionThresholdChoice parse_decision_threshold(const std::string& text, const std::string& flag);

// The threshold in a trial's decision_threshold.json: how a final training takes its best
// trial's. Errors name `flag` and the file.
double read_decision_threshold(const std::filesystem::path& file, const std::string& flag);

}  // namespace treeline::pipeline
