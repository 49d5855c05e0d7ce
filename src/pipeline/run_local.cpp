#include "treeline/pipeline/run_local.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "treeline/common/error.h"
#include "treeline/data/data_source.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {

std::vector<CoverTypeResult> run_local(const RunLocalRequest& request, const RunLocalProgress& progress) {
  store::validate_name(request.project, "PROJECT");
  store::validate_name(request.name, "NAME");
  for (int k : request.cover_types)
    if (k < 1 || k > kCoverTypes) throw InputError(fmt::format("--cover-types: {} is not a cover type (1..7)", k));
  const std::string prefix = request.project + "/" + request.name;
  auto stage = [&](const std::string& s) {
    if (progress.on_stage) progress.on_stage(s);
  };

  stage("reading and preparing the data");
  auto source = data::open_data_source(request.data, request.query);
  store::DirectoryStore store(request.store_root);
  const PreparedData prepared = prepare_datasets(*source, store, prefix);

  stage(fmt::format("splitting and preprocessing {} rows", prepared.table.rows()));
  CoverTypeTrainer trainer(prepared.table, request.split, request.encoding, request.training.nthread);

  std::vector<CoverTypeResult> results;
  for (int k : request.cover_types) {
    const auto start = std::chrono::steady_clock::now();
    CoverTypeResult result;
    result.cover_type = k;
    if (prepared.positives[k - 1] == 0) {
      result.skipped_reason = fmt::format("no rows of cover type {} in {}", k, prepared.source);
    } else {
      try {
        TrainedModel trained = trainer.train(k, request.training);
        nlohmann::json details = {
            {"hyperparameters", request.training.hyperparameters.values()},
            {"encoding", features::to_string(request.encoding)},
            {"rows", {{"train", trainer.train_rows()}, {trainer.evaluated_on(), trainer.evaluation_rows()}}},
            {"dataset", store.uri(dataset_prefix(prefix))},
        };
        store_model(store, model_prefix(prefix, k), trainer.preprocessor(), trained, details);
        result.metrics = trained.metrics;
        result.model_uri = store.uri(model_prefix(prefix, k) + "/model.json");
      } catch (const InputError& e) {
        result.skipped_reason = e.what();  // e.g. positives only in the test split
      }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(result);
    if (progress.on_result) progress.on_result(result, results.size(), request.cover_types.size());
  }
  return results;
}

nlohmann::json results_to_json(const std::vector<CoverTypeResult>& results) {
  nlohmann::json out = {{"results", nlohmann::json::array()}};
  for (const auto& r : results) {
    nlohmann::json j = {{"cover_type", r.cover_type}};
    if (r.metrics) {
      const auto& m = *r.metrics;
      j["accuracy"] = m.accuracy;
      j["f1"] = m.f1;
      j["precision"] = m.precision;
      j["recall"] = m.recall;
      j["roc_auc"] = std::isfinite(m.roc_auc) ? nlohmann::json(m.roc_auc) : nlohmann::json();
      j["log_loss"] = m.log_loss;
      j["model_uri"] = r.model_uri;
    } else {
      j["skipped"] = r.skipped_reason;
    }
    out["results"].push_back(j);
  }
  return out;
}

std::string results_to_table(const std::vector<CoverTypeResult>& results) {
  std::string out = fmt::format("{:<11} {:>9} {:>7} {:>9} {:>7} {:>8} {:>7}  {}\n", "cover_type", "accuracy", "f1",
                                "precision", "recall", "roc_auc", "time_s", "model_uri");
  double f1_sum = 0;
  int trained = 0;
  for (const auto& r : results) {
    if (!r.metrics) {
      out += fmt::format("{:<11} skipped: {}\n", r.cover_type, r.skipped_reason);
      continue;
    }
    const auto& m = *r.metrics;
    out += fmt::format("{:<11} {:>9.4f} {:>7.4f} {:>9.4f} {:>7.4f} {:>8.4f} {:>7.2f}  {}\n", r.cover_type, m.accuracy,
                       m.f1, m.precision, m.recall, m.roc_auc, r.seconds, r.model_uri);
    f1_sum += m.f1;
    ++trained;
  }
  if (trained > 0) out += fmt::format("mean f1 over {} cover types: {:.4f}\n", trained, f1_sum / trained);
  return out;
}

}  // namespace treeline::pipeline
