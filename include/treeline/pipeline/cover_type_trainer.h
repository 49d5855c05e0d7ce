#pragma once
// The seed's split, preprocess, train and evaluate steps for the one-vs-rest cover type models.
// The split, the fitted preprocessor and XGBoost's quantised matrices depend only on the table,
// so they are built once and serve every cover type: run-local trains seven models on them.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "treeline/data/split.h"
#include "treeline/data/table.h"
#include "treeline/features/preprocessor.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/metrics/decision_threshold.h"
#include "treeline/model/trainer.h"
#include "treeline/model/xgboost_handles.h"
#include "treeline/store/artifact_store.h"

namespace treeline::pipeline {

struct SplitOptions {
  double test_fraction = 0.2;
  std::uint64_t seed = 42;
  // When > 0, a validation split of this fraction is carved (stratified, seeded) from the training
  // split; models then train on the rest and are evaluated on it. The test split stays unseen:
  // this is how tuning trials run.
  double validation_fraction = 0;
};

// How a probability becomes a positive prediction in the reported metrics: a fixed cut, or, when
// `tuned_for` is set, the cut that makes that metric best on the validation rows (trials only:
// chosen on the test rows it would flatter the model), kept at the end only where it beats 0.5 on
// almost every bootstrap resample of them (metrics::ThresholdGuard). A final training takes its
// best trial's cut.
struct DecisionThreshold {
  double value = 0.5;
  const metrics::MetricDefinition* tuned_for = nullptr;
};

// A model's metrics on the evaluation rows, and the cut it keeps.
struct Evaluation {
  double threshold = 0.5;
  metrics::BinaryMetrics metrics;  // at `threshold`, or cross-fitted
  bool cross_fitted = false;       // metrics::cross_fitted_metrics: what tuning the cut is worth on new rows
};

// The evaluation of `probabilities` against `labels` at `threshold`. A tuned cut is tuned on all
// the rows (with `guard`), and its metrics are cross-fitted, the same at every report and at the
// end, so that trials are not ranked by how well their cut fits the validation rows' noise (at
// the cut itself only when a class has too few rows to hold any out).
Evaluation evaluate_predictions(std::span<const float> labels, std::span<const float> probabilities,
                                const DecisionThreshold& threshold, const metrics::ThresholdGuard& guard);

struct TrainedModel {
  int cover_type = 0;
  model::Booster booster;
  metrics::BinaryMetrics metrics;  // Evaluation::metrics
  double decision_threshold = 0.5;
  bool metrics_cross_fitted = false;  // Evaluation::cross_fitted
  std::string evaluated_on;  // "test" or "validation"
};

// Reports an intermediate metric every few rounds (for hypertune files, early stopping, and the
// search when a stopped trial's last report is its value), evaluated as the final metrics are
// (evaluate_predictions; without the guard's bootstrap, ~30 ms on 16k rows, for the cut).
struct RoundReport {
  int every = 0;  // 0: no intermediate reports
  std::function<void(int rounds_done, const Evaluation& at)> on_report;
};

// Which prepared dataset a model learnt from: where it is and its table's sha256.
struct DatasetReference {
  std::string uri;
  std::string table_sha256;
};

class CoverTypeTrainer {
 public:
  CoverTypeTrainer(const data::Table& table, const SplitOptions& split, features::Encoding encoding, int nthread);
  // Another trainer on `other`'s split and fitted preprocessor, with XGBoost matrices of its own
  // (they hold the labels), so two fits can run side by side without splitting or fitting twice.
  CoverTypeTrainer(const CoverTypeTrainer& other, int nthread);

  // Throws InputError when cover type K has no positive rows in the training split, or when the
  // threshold is to be tuned on the test split.
  TrainedModel train(int cover_type, const model::TrainingOptions& options, const RoundReport& report = {},
                     const DecisionThreshold& threshold = {});

  // Stores `trained` with this trainer's preprocessor and its metrics (with the hyperparameters,
  // split sizes and the dataset it learnt from) atomically as one set at `prefix`. The set's
  // manifest records the prepared table's sha256 and the test split (seed, fraction), so predict
  // can tell models of other data, and which rows they never saw.
  void store(store::ArtifactStore& store, const std::string& prefix, const TrainedModel& trained,
             const model::Hyperparameters& hyperparameters, const DatasetReference& dataset) const;

  const features::Preprocessor& preprocessor() const { return preprocessor_; }
  std::size_t train_rows() const { return fit_rows_.size(); }
  std::size_t evaluation_rows() const { return eval_rows_.size(); }
  const std::string& evaluated_on() const { return evaluated_on_; }

 private:
  std::vector<float> labels_for(int cover_type, const std::vector<std::size_t>& rows) const;
  void build_matrices(int nthread);

  const data::Table& table_;
  SplitOptions split_;
  std::vector<std::size_t> fit_rows_;
  std::vector<std::size_t> eval_rows_;
  std::string evaluated_on_;
  features::Preprocessor preprocessor_;
  std::unique_ptr<model::DMatrix> train_matrix_;
  std::unique_ptr<model::DMatrix> eval_matrix_;
};


}  // namespace treeline::pipeline
