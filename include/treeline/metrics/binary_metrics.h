#pragma once
// Metrics of a binary classifier on labelled rows: the seed's accuracy and F1, and precision,
// recall, ROC AUC, log loss and the confusion matrix.
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace treeline::metrics {

struct ConfusionMatrix {
  std::size_t true_positives = 0, false_positives = 0, true_negatives = 0, false_negatives = 0;

  void count(bool actual, bool predicted) {
    ++(actual ? (predicted ? true_positives : false_negatives) : (predicted ? false_positives : true_negatives));
  }
};

struct BinaryMetrics {
  std::size_t rows = 0;
  std::size_t positives = 0;
  double accuracy = 0, f1 = 0, precision = 0, recall = 0;
  double roc_auc = 0;   // NaN when the rows hold a single class
  double log_loss = 0;
  ConfusionMatrix confusion;
};

// `labels` are 0/1, `probabilities` those of class 1; a row is predicted positive at >= threshold.
BinaryMetrics evaluate_binary(std::span<const float> labels, std::span<const float> probabilities,
                              double threshold = 0.5);

// The metrics a confusion matrix alone gives (rows, positives, accuracy, precision, recall, F1);
// roc_auc and log_loss, which need the probabilities, stay 0.
BinaryMetrics classification_metrics(const ConfusionMatrix& confusion);

nlohmann::json to_json(const BinaryMetrics& m);

// A named metric, as a hypertune tag or a tuning objective names it.
struct MetricDefinition {
  std::string name;
  std::vector<std::string> aliases;
  double (*value)(const BinaryMetrics&);
  bool higher_is_better;
  bool depends_on_threshold;  // computed from the predicted classes, not the probabilities
};
const std::vector<MetricDefinition>& metric_definitions();
// Throws InputError listing the known names when `name` is unknown.
const MetricDefinition& find_metric(const std::string& name);
// By name or alias; null when unknown (a custom trainer's metric).
const MetricDefinition* lookup_metric(const std::string& name);

}  // namespace treeline::metrics
