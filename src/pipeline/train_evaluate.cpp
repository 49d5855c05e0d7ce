#include "treeline/pipeline/train_evaluate.h"

#include <fmt/format.h>

#include "treeline/metrics/binary_metrics.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"

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
  TrainedModel trained = trainer.train(request.cover_type, request.training, report);
  reporter.report(tag_metric.value(trained.metrics), trained.booster.boosted_rounds());

  const bool own_dir = !request.model_dir.empty();
  store::DirectoryStore job_store(own_dir ? request.model_dir.parent_path() : request.job_dir);
  const std::string model_set = own_dir ? request.model_dir.filename().string() : "model";
  trainer.store(job_store, model_set, trained, request.training.hyperparameters, store.uri(dataset_prefix(prefix)));
  return {trained.metrics, trained.evaluated_on, job_store.uri(model_set + "/model.json")};
}

}  // namespace treeline::pipeline
