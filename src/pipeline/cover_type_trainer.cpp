#include "treeline/pipeline/cover_type_trainer.h"

#include <fmt/format.h>

#include "treeline/common/error.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/manifest.h"

namespace treeline::pipeline {

CoverTypeTrainer::CoverTypeTrainer(const data::Table& table, const SplitOptions& options, features::Encoding encoding,
                                   int nthread)
    : table_(table), split_(options) {
  if (!table.labelled) throw InputError("training needs labelled data (a Cover_Type column)");
  // Here rather than in the CLI: a negative share would silently score on the test split.
  data::check_fraction(options.validation_fraction, "--validation-fraction", "the training split",
                       /*zero_allowed=*/true);
  const auto rows = data::all_rows(table.rows());
  data::Split split = data::stratified_split(table.labels, rows, options.test_fraction, options.seed);
  if (options.validation_fraction > 0) {
    // A different seed stream than the test split's, still stratified by cover type.
    data::Split inner = data::stratified_split(table.labels, split.train, options.validation_fraction,
                                               options.seed ^ 0x5eed5eed5eed5eedull);
    fit_rows_ = std::move(inner.train);
    eval_rows_ = std::move(inner.test);
    evaluated_on_ = "validation";
  } else {
    fit_rows_ = std::move(split.train);
    eval_rows_ = std::move(split.test);
    evaluated_on_ = "test";
  }
  if (fit_rows_.empty() || eval_rows_.empty())
    throw InputError(fmt::format("the data has {} rows: too few to split into training and {} rows", table.rows(),
                                 evaluated_on_));
  preprocessor_ = features::Preprocessor::fit(table, fit_rows_, encoding);
  build_matrices(nthread);
}

CoverTypeTrainer::CoverTypeTrainer(const CoverTypeTrainer& other, int nthread)
    : table_(other.table_),
      split_(other.split_),
      fit_rows_(other.fit_rows_),
      eval_rows_(other.eval_rows_),
      evaluated_on_(other.evaluated_on_),
      preprocessor_(other.preprocessor_) {
  build_matrices(nthread);
}

void CoverTypeTrainer::build_matrices(int nthread) {
  train_matrix_ = std::make_unique<model::DMatrix>(preprocessor_.transform(table_, fit_rows_), nthread);
  eval_matrix_ = std::make_unique<model::DMatrix>(preprocessor_.transform(table_, eval_rows_), nthread);
}

std::vector<float> CoverTypeTrainer::labels_for(int cover_type, const std::vector<std::size_t>& rows) const {
  std::vector<float> labels(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) labels[i] = table_.labels[rows[i]] == cover_type ? 1.0f : 0.0f;
  return labels;
}

Evaluation evaluate_predictions(std::span<const float> labels, std::span<const float> probabilities,
                                const DecisionThreshold& threshold, const metrics::ThresholdGuard& guard) {
  if (threshold.tuned_for == nullptr)
    return {threshold.value, metrics::evaluate_binary(labels, probabilities, threshold.value), false};
  const metrics::TunedThreshold tuned = metrics::tune_threshold(labels, probabilities, *threshold.tuned_for, guard);
  if (auto held_out = metrics::cross_fitted_metrics(labels, probabilities, *threshold.tuned_for, guard.seed))
    return {tuned.threshold, *held_out, true};
  return {tuned.threshold, tuned.metrics, false};
}

TrainedModel CoverTypeTrainer::train(int cover_type, const model::TrainingOptions& options, const RoundReport& report,
                                     const DecisionThreshold& threshold) {
  if (threshold.tuned_for != nullptr && evaluated_on_ != "validation")
    throw InputError("the decision threshold can only be tuned on a validation split (--validation-fraction > 0): "
                     "tuned on the test split, it would flatter the model");
  const std::vector<float> train_labels = labels_for(cover_type, fit_rows_);
  std::size_t positives = 0;
  for (float l : train_labels) positives += l > 0.5f;
  if (positives == 0)
    throw InputError(fmt::format("cover type {} has no positive rows in the training split ({} rows): there is "
                                 "nothing to learn; add rows of that cover type to the data",
                                 cover_type, train_labels.size()));
  if (positives == train_labels.size())
    throw InputError(fmt::format("every row of the training split ({}) is cover type {}: a one-vs-rest model needs "
                                 "rows of other cover types to tell it from; add them to the data",
                                 train_labels.size(), cover_type));
  const std::vector<float> eval_labels = labels_for(cover_type, eval_rows_);
  // The quantised training matrix is kept inside XGBoost's DMatrix; only the labels change.
  train_matrix_->set_labels(train_labels);

  model::RoundCallback on_round;
  if (report.every > 0 && report.on_report) {
    on_round = [&](int rounds, const model::Booster& booster) {
      if (rounds % report.every == 0 && rounds < options.hyperparameters.n_estimators())
        report.on_report(rounds, evaluate_predictions(eval_labels, booster.predict(*eval_matrix_), threshold,
                                                      {.resamples = 0}));
      return true;
    };
  }
  TrainedModel trained;
  trained.cover_type = cover_type;
  trained.booster = model::train_booster(*train_matrix_, options, on_round);
  const Evaluation evaluated = evaluate_predictions(eval_labels, trained.booster.predict(*eval_matrix_), threshold, {});
  trained.metrics = evaluated.metrics;
  trained.decision_threshold = evaluated.threshold;
  trained.metrics_cross_fitted = evaluated.cross_fitted;
  trained.evaluated_on = evaluated_on_;
  return trained;
}

void CoverTypeTrainer::store(store::ArtifactStore& store, const std::string& prefix, const TrainedModel& trained,
                             const model::Hyperparameters& hyperparameters, const DatasetReference& dataset) const {
  const nlohmann::json test_split = {{"seed", split_.seed}, {"test_fraction", split_.test_fraction}};
  nlohmann::json metrics_json = {
      {"hyperparameters", hyperparameters.values()},
      {"encoding", features::to_string(preprocessor_.encoding())},
      {"rows", {{"train", fit_rows_.size()}, {evaluated_on_, eval_rows_.size()}}},
      {"dataset", dataset.uri},
      {kDatasetSha256Key, dataset.table_sha256},
      {kTestSplitKey, test_split},
  };
  metrics_json["cover_type"] = trained.cover_type;
  metrics_json["evaluated_on"] = trained.evaluated_on;
  metrics_json["decision_threshold"] = trained.decision_threshold;
  metrics_json["metrics_cross_fitted"] = trained.metrics_cross_fitted;
  metrics_json["metrics"] = metrics::to_json(trained.metrics);
  std::vector<store::StoredFile> files = {
      {"preprocessor.json", preprocessor_.to_json().dump(2) + "\n"},
      {"model.json", trained.booster.save_json()},
      {"metrics.json", metrics_json.dump(2) + "\n"},
  };
  store::write_with_manifest(store, prefix, std::move(files),
                             {{"cover_type", trained.cover_type},
                              {kDatasetSha256Key, dataset.table_sha256},
                              {kTestSplitKey, test_split}});
}

}  // namespace treeline::pipeline
