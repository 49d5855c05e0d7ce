#pragma once
// The seed's run_local.py: prepare the datasets, then train and evaluate every cover type with
// the same hyperparameters, storing each preprocessor, model and metrics for reuse.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/features/preprocessor.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/cover_type_trainer.h"

namespace treeline::pipeline {

struct RunLocalRequest {
  std::string project, name;
  std::string data;   // CSV path or sqlite:PATH
  std::string query;  // for sqlite
  std::filesystem::path store_root;
  SplitOptions split;
  features::Encoding encoding = features::Encoding::kNativeCategorical;
  model::TrainingOptions training;
  std::vector<int> cover_types = {1, 2, 3, 4, 5, 6, 7};
};

struct CoverTypeResult {
  int cover_type = 0;
  std::optional<metrics::BinaryMetrics> metrics;  // empty when skipped
  std::string model_uri;
  std::string skipped_reason;
  double seconds = 0;
};

struct RunLocalProgress {
  std::function<void(const std::string& stage)> on_stage;  // "reading data", ...
  std::function<void(const CoverTypeResult&, std::size_t done, std::size_t total)> on_result;
};

std::vector<CoverTypeResult> run_local(const RunLocalRequest& request, const RunLocalProgress& progress = {});

// {"results":[{"cover_type":K,"accuracy":..,"f1":..,"precision":..,"recall":..,"roc_auc":..,"model_uri":".."},...]}
nlohmann::json results_to_json(const std::vector<CoverTypeResult>& results);
// A fixed-width table for terminals.
std::string results_to_table(const std::vector<CoverTypeResult>& results);

}  // namespace treeline::pipeline
