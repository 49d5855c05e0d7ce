#include "treeline/metrics/binary_metrics.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "treeline/common/error.h"

namespace treeline::metrics {
namespace {

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

// Mann-Whitney U with average ranks for ties: the probability that a random positive scores
// above a random negative.
double roc_auc(std::span<const float> labels, std::span<const float> p) {
  const std::size_t n = labels.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  double positive_rank_sum = 0;
  std::size_t positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && p[order[j]] == p[order[i]]) ++j;
    const double average_rank = (static_cast<double>(i) + static_cast<double>(j) + 1.0) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] > 0.5f) positive_rank_sum += average_rank, ++positives;
    i = j;
  }
  const std::size_t negatives = n - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  const double np = static_cast<double>(positives);
  return (positive_rank_sum - np * (np + 1) / 2) / (np * static_cast<double>(negatives));
}

double json_number(double v) { return v; }

}  // namespace

BinaryMetrics classification_metrics(const ConfusionMatrix& c) {
  BinaryMetrics m;
  m.confusion = c;
  m.rows = c.true_positives + c.false_positives + c.true_negatives + c.false_negatives;
  m.positives = c.true_positives + c.false_negatives;
  const double tp = static_cast<double>(c.true_positives);
  m.accuracy = ratio(tp + static_cast<double>(c.true_negatives), static_cast<double>(m.rows));
  m.precision = ratio(tp, tp + static_cast<double>(c.false_positives));
  m.recall = ratio(tp, tp + static_cast<double>(c.false_negatives));
  m.f1 = ratio(2 * tp, 2 * tp + static_cast<double>(c.false_positives + c.false_negatives));
  return m;
}

BinaryMetrics evaluate_binary(std::span<const float> labels, std::span<const float> probabilities, double threshold) {
  ConfusionMatrix c;
  double loss = 0;
  constexpr double kEps = 1e-15;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const bool actual = labels[i] > 0.5f;
    c.count(actual, probabilities[i] >= threshold);
    const double p = std::clamp(static_cast<double>(probabilities[i]), kEps, 1 - kEps);
    loss -= actual ? std::log(p) : std::log(1 - p);
  }
  BinaryMetrics m = classification_metrics(c);
  m.log_loss = ratio(loss, static_cast<double>(m.rows));
  m.roc_auc = roc_auc(labels, probabilities);
  return m;
}

nlohmann::json to_json(const BinaryMetrics& m) {
  auto number_or_null = [](double v) { return std::isfinite(v) ? nlohmann::json(json_number(v)) : nlohmann::json(); };
  return {
      {"rows", m.rows},
      {"positives", m.positives},
      {"accuracy", m.accuracy},
      {"f1", m.f1},
      {"precision", m.precision},
      {"recall", m.recall},
      {"roc_auc", number_or_null(m.roc_auc)},
      {"log_loss", m.log_loss},
      {"confusion_matrix",
       {{"true_negatives", m.confusion.true_negatives},
        {"false_positives", m.confusion.false_positives},
        {"false_negatives", m.confusion.false_negatives},
        {"true_positives", m.confusion.true_positives}}},
  };
}

const std::vector<MetricDefinition>& metric_definitions() {
  static const std::vector<MetricDefinition> definitions = {
      {"accuracy", {}, [](const BinaryMetrics& m) { return m.accuracy; }, true, true},
      {"f1", {"f1_score"}, [](const BinaryMetrics& m) { return m.f1; }, true, true},
      {"precision", {}, [](const BinaryMetrics& m) { return m.precision; }, true, true},
      {"recall", {}, [](const BinaryMetrics& m) { return m.recall; }, true, true},
      {"roc_auc", {"auc"}, [](const BinaryMetrics& m) { return m.roc_auc; }, true, false},
      {"log_loss", {"logloss"}, [](const BinaryMetrics& m) { return m.log_loss; }, false, false},
  };
  return definitions;
}

const MetricDefinition* lookup_metric(const std::string& name) {
  for (const auto& d : metric_definitions())
    if (d.name == name || std::find(d.aliases.begin(), d.aliases.end(), name) != d.aliases.end()) return &d;
  return nullptr;
}

const MetricDefinition& find_metric(const std::string& name) {
  if (const MetricDefinition* found = lookup_metric(name)) return *found;
  std::vector<std::string> names;
  for (const auto& d : metric_definitions()) names.push_back(d.name);
  throw InputError(fmt::format("unknown metric '{}'; known metrics: {}", name, fmt::join(names, ", ")));
}

}  // namespace treeline::metrics
