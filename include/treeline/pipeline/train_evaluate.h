#pragma once
// The seed's train_evaluate.py: one cover type end to end from its prepared dataset. It is also
// the trainer the tuning platform launches for every trial.
#include <filesystem>
#include <string>

#include "treeline/features/preprocessor.h"
#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/cover_type_trainer.h"

namespace treeline::pipeline {

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
};

struct TrainEvaluateResult {
  metrics::BinaryMetrics metrics;
  std::string evaluated_on;
  std::string model_uri;
};

TrainEvaluateResult train_evaluate(const TrainEvaluateRequest& request, const metrics::HypertuneReporter& reporter);

}  // namespace treeline::pipeline
