#include "treeline/pipeline/train_evaluate.h"

#include <fmt/format.h>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {

namespace {

// --model-dir as given (relative, with a trailing slash) made absolute, so that its parent is the
// store it is written in and its last part the model set's name.
std::filesystem::path model_directory(const std::filesystem::path& given) {
  std::filesystem::path dir = std::filesystem::absolute(given).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // a trailing slash
  if (dir.filename().empty() || dir.filename() == "." || dir.filename() == ".." || dir == dir.root_path())
    throw InputError(fmt::format("--model-dir={}: expected a directory to write the model set in, e.g. "
                                 "STORE/PROJECT/NAME/models/cover_type_1", given.string()));
  return dir;
}

}  // namespace

TrainEvaluateResult train_evaluate(const TrainEvaluateRequest& request, const metrics::HypertuneReporter& reporter) {
  store::validate_name(request.project, "PROJECT");
  store::validate_name(request.name, "NAME");
  const std::string prefix = request.project + "/" + request.name;
  // Checked before the data is read: a wrong flag costs nothing.
  const metrics::MetricDefinition& tag_metric = [&]() -> const metrics::MetricDefinition& {
    try {
      return metrics::find_metric(reporter.tag());
    } catch (const InputError& e) {
      throw InputError(fmt::format("CLOUD_ML_HP_METRIC_TAG (the config's hyperparameterMetricTag): {}", e.what()));
    }
  }();
  if (request.decision_threshold.tune && !tag_metric.depends_on_threshold)
    throw InputError(fmt::format("--decision-threshold=tune: the reported metric (CLOUD_ML_HP_METRIC_TAG, the "
                                 "config's hyperparameterMetricTag) is {}, which does not depend on the threshold; "
                                 "give a number instead",
                                 tag_metric.name));
  const bool own_dir = !request.model_dir.empty();
  const std::filesystem::path model_dir = own_dir ? model_directory(request.model_dir) : std::filesystem::path();
  store::DirectoryStore store(request.store_root);
  const PreparedTable prepared = open_prepared_dataset(store, prefix, request.cover_type);
  CoverTypeTrainer trainer(prepared.table, request.split, request.encoding, request.training.nthread);
  RoundReport report;
  if (request.decision_threshold.tune) std::filesystem::create_directories(request.job_dir);
  // Rewritten at every report, so a trial stopped early leaves the threshold it had reached.
  auto keep_threshold = [&](int done, const Evaluation& at) {
    if (!request.decision_threshold.tune) return;
    const nlohmann::json kept = {{"decision_threshold", at.threshold},
                                 {"tuned_for", tag_metric.name},
                                 {tag_metric.name, tag_metric.value(at.metrics)},
                                 {"cross_fitted", at.cross_fitted},
                                 {"global_step", done}};
    write_file_atomically(request.job_dir / kDecisionThresholdFile, kept.dump(2) + "\n");
  };
  if (reporter.enabled()) {
    const int rounds = request.training.hyperparameters.n_estimators();
    report.every = request.report_every > 0 ? request.report_every : std::max(1, rounds / 10);
    report.on_report = [&](int done, const Evaluation& at) {
      reporter.report(tag_metric.value(at.metrics), done);
      keep_threshold(done, at);
      if (request.on_report) request.on_report(done, rounds, tag_metric.name, tag_metric.value(at.metrics));
    };
  }
  DecisionThreshold threshold{request.decision_threshold.value, request.decision_threshold.tune ? &tag_metric : nullptr};
  TrainedModel trained = trainer.train(request.cover_type, request.training, report, threshold);
  reporter.report(tag_metric.value(trained.metrics), trained.booster.boosted_rounds());
  keep_threshold(trained.booster.boosted_rounds(),
                 {trained.decision_threshold, trained.metrics, trained.metrics_cross_fitted});

  store::DirectoryStore job_store(own_dir ? model_dir.parent_path() : request.job_dir);
  const std::string model_set = own_dir ? model_dir.filename().string() : "model";
  trainer.store(job_store, model_set, trained, request.training.hyperparameters,
                {store.uri(dataset_prefix(prefix)), prepared.sha256});
  return {trained.metrics, trained.decision_threshold, trained.evaluated_on, job_store.uri(model_set + "/model.json")};
}

DecisionThresholdChoice parse_decision_threshold(const std::string& text, const std::string& flag) {
  if (text == "tune") return {true, 0.5};
  const auto value = parse_double(text);
  if (!value || !(*value > 0 && *value < 1))
    throw InputError(fmt::format("{}={}: expected a number in (0, 1) or tune", flag, text));
  return {false, *value};
}

// What tune_threshold can return: a cut between two predicted probabilities, below 1, and 0 when
// calling every row positive is best and some row's probability is 0.
double read_decision_threshold(const std::filesystem::path& file, const std::string& flag) {
  if (!std::filesystem::is_regular_file(file))
    throw InputError(fmt::format("{}={}: no such file; expected the decision_threshold.json a tuning trial leaves in "
                                 "its JOB_DIR",
                                 flag, file.string()));
  nlohmann::json stored;
  try {
    stored = nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}={}: not JSON: {}", flag, file.string(), e.what()));
  }
  const auto it = stored.find("decision_threshold");
  if (!stored.is_object() || it == stored.end() || !it->is_number() || !(it->get<double>() >= 0 && it->get<double>() < 1))
    throw InputError(fmt::format("{}={}: expected {{\"decision_threshold\": a number in [0, 1)}}, as a tuning trial "
                                 "writes it",
                                 flag, file.string()));
  return it->get<double>();
}

}  // namespace treeline::pipeline
