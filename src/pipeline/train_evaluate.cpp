#include "treeline/pipeline/train_evaluate.h"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include "treeline/common/error.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"
#include "treeline/store/manifest.h"

namespace treeline::pipeline {

TrainEvaluateResult train_evaluate(const TrainEvaluateRequest& request, const metrics::HypertuneReporter& reporter) {
  store::validate_name(request.project, "PROJECT");
  store::validate_name(request.name, "NAME");
  const std::string prefix = request.project + "/" + request.name;
  store::DirectoryStore store(request.store_root);
  const data::Table table = open_prepared_dataset(store, prefix, request.cover_type);

  const metrics::MetricDefinition& tag_metric = metrics::find_metric(reporter.tag());
  CoverTypeTrainer trainer(table, request.split, request.encoding, request.training.nthread);
  RoundReport report;
  if (reporter.enabled()) {
    const int rounds = request.training.hyperparameters.n_estimators();
    report.every = request.report_every > 0 ? request.report_every : std::max(1, rounds / 10);
    report.on_report = [&](int done, const metrics::BinaryMetrics& m) { reporter.report(tag_metric.value(m), done); };
  }
  if (request.tune_threshold && !tag_metric.depends_on_threshold)
    throw InputError(fmt::format("decision threshold 'tune': the reported metric {} does not depend on the threshold; "
                                 "give a number instead",
                                 tag_metric.name));
  DecisionThreshold threshold{request.decision_threshold, request.tune_threshold ? &tag_metric : nullptr};
  TrainedModel trained = trainer.train(request.cover_type, request.training, report, threshold);
  reporter.report(tag_metric.value(trained.metrics), trained.booster.boosted_rounds());

  const bool own_dir = !request.model_dir.empty();
  store::DirectoryStore job_store(own_dir ? request.model_dir.parent_path() : request.job_dir);
  const std::string model_set = own_dir ? request.model_dir.filename().string() : "model";
  trainer.store(job_store, model_set, trained, request.training.hyperparameters, store.uri(dataset_prefix(prefix)));
  return {trained.metrics, trained.decision_threshold, trained.evaluated_on, job_store.uri(model_set + "/model.json")};
}

DecisionThresholdChoice parse_decision_threshold(const std::string& text, const std::string& flag) {
  if (text == "tune") return {true, 0.5};
  double value = 0;
  const auto [end, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value > 0 && value < 1))
    throw InputError(fmt::format("{}={}: expected a number in (0, 1) or tune", flag, text));
  return {false, value};
}

double stored_decision_threshold(const std::filesystem::path& model_dir) {
  store::DirectoryStore store(model_dir.parent_path());
  const std::string prefix = model_dir.filename().string();
  const std::string where = store.uri(prefix + "/metrics.json");
  if (!store.exists(prefix + "/manifest.json"))
    throw InputError(fmt::format("{}: no model set there (no manifest.json)", model_dir.string()));
  const auto manifest = store::read_manifest(store, prefix);
  nlohmann::json metrics_json;
  try {
    metrics_json = nlohmann::json::parse(store::read_verified(store, prefix, manifest, "metrics.json"));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not JSON: {}", where, e.what()));
  }
  const auto it = metrics_json.find("decision_threshold");
  if (it == metrics_json.end() || !it->is_number() || !(it->get<double>() >= 0 && it->get<double>() <= 1))
    throw InputError(fmt::format("{}: expected a decision_threshold number in [0, 1]", where));
  return it->get<double>();
}

}  // namespace treeline::pipeline
