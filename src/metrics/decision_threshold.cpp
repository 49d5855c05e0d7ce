#include "treeline/metrics/decision_threshold.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <vector>

#include "treeline/common/error.h"
#include "treeline/common/random.h"

namespace treeline::metrics {
namespace {

// A threshold in (below, top]: every row at `top` or above is positive, every row at `below` or
// under negative. 0.5 when the gap holds it (the rows cannot tell it from the others, and it is
// the usual cut), else the midpoint, which lies strictly between two distinct floats.
double threshold_in_gap(double below, double top) {
  if (below < 0.5 && 0.5 <= top) return 0.5;
  return (below + top) / 2.0;
}

// Whether `metric` at `tuned` beats it at `guard.keep` on enough bootstrap resamples of the rows.
bool beats_kept_threshold(std::span<const float> labels, std::span<const float> probabilities,
                          const MetricDefinition& metric, double tuned, const ThresholdGuard& guard) {
  const std::size_t n = labels.size();
  const double sign = metric.higher_is_better ? 1.0 : -1.0;
  Random random(guard.seed);
  int wins = 0;
  for (int r = 0; r < guard.resamples; ++r) {
    ConfusionMatrix at_tuned, at_kept;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = random.below(n);
      const bool actual = labels[row] > 0.5f;
      at_tuned.count(actual, probabilities[row] >= tuned);
      at_kept.count(actual, probabilities[row] >= guard.keep);
    }
    wins += sign * (metric.value(classification_metrics(at_tuned)) - metric.value(classification_metrics(at_kept))) > 0;
  }
  return wins >= guard.confidence * guard.resamples;
}

// What tune_threshold and cross_fitted_metrics refuse.
void check_tunable(std::span<const float> labels, std::span<const float> probabilities, const MetricDefinition& metric) {
  if (!metric.depends_on_threshold)
    throw InputError(fmt::format("{} does not depend on the decision threshold: there is no threshold to tune for it",
                                 metric.name));
  if (labels.empty()) throw InputError("no rows to tune the decision threshold on");
  if (labels.size() != probabilities.size())
    throw InputError(fmt::format("{} labels but {} probabilities", labels.size(), probabilities.size()));
}

}  // namespace

TunedThreshold tune_threshold(std::span<const float> labels, std::span<const float> probabilities,
                              const MetricDefinition& metric, const ThresholdGuard& guard) {
  check_tunable(labels, probabilities, metric);
  const std::size_t n = labels.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return probabilities[a] > probabilities[b]; });

  const double sign = metric.higher_is_better ? 1.0 : -1.0;
  double best_threshold = 0, best_score = -std::numeric_limits<double>::infinity();
  bool have_best = false;
  auto consider = [&](double threshold, const ConfusionMatrix& c) {
    const double score = sign * metric.value(classification_metrics(c));
    if (!have_best || score > best_score ||
        (score == best_score && std::abs(threshold - 0.5) < std::abs(best_threshold - 0.5))) {
      best_score = score;
      best_threshold = threshold;
      have_best = true;
    }
  };
  // Start with every row predicted negative (a cut above the highest probability, when one
  // exists below 1), then lower the cut one distinct probability at a time.
  ConfusionMatrix c;
  for (float l : labels) (l > 0.5f ? c.false_negatives : c.true_negatives) += 1;
  const double highest = probabilities[order[0]];
  if (highest < 1.0) consider(threshold_in_gap(highest, 1.0), c);
  for (std::size_t i = 0; i < n;) {
    const float p = probabilities[order[i]];
    for (; i < n && probabilities[order[i]] == p; ++i) {
      if (labels[order[i]] > 0.5f) --c.false_negatives, ++c.true_positives;
      else --c.true_negatives, ++c.false_positives;
    }
    const double below = i < n ? static_cast<double>(probabilities[order[i]]) : 0.0;
    consider(threshold_in_gap(below, p), c);
  }
  if (guard.resamples > 0 && best_threshold != guard.keep &&
      !beats_kept_threshold(labels, probabilities, metric, best_threshold, guard))
    best_threshold = guard.keep;
  return {best_threshold, evaluate_binary(labels, probabilities, best_threshold)};
}

std::optional<BinaryMetrics> cross_fitted_metrics(std::span<const float> labels, std::span<const float> probabilities,
                                                  const MetricDefinition& metric, std::uint64_t seed) {
  check_tunable(labels, probabilities, metric);
  const ThresholdGuard sweep_only{.resamples = 0};
  std::vector<std::size_t> positives, negatives;
  for (std::size_t i = 0; i < labels.size(); ++i) (labels[i] > 0.5f ? positives : negatives).push_back(i);
  if (positives.size() < 2 || negatives.size() < 2) return std::nullopt;
  Random random(seed);
  std::array<std::vector<float>, 2> half_labels, half_probabilities;
  for (std::vector<std::size_t>* rows : {&positives, &negatives}) {
    for (std::size_t i = rows->size(); i > 1; --i) std::swap((*rows)[i - 1], (*rows)[random.below(i)]);
    for (std::size_t i = 0; i < rows->size(); ++i) {
      half_labels[i % 2].push_back(labels[(*rows)[i]]);
      half_probabilities[i % 2].push_back(probabilities[(*rows)[i]]);
    }
  }
  ConfusionMatrix held_out;
  for (std::size_t half = 0; half < 2; ++half) {
    const std::size_t other = 1 - half;
    const double cut = tune_threshold(half_labels[other], half_probabilities[other], metric, sweep_only).threshold;
    for (std::size_t i = 0; i < half_labels[half].size(); ++i)
      held_out.count(half_labels[half][i] > 0.5f, half_probabilities[half][i] >= cut);
  }
  // ROC AUC and log loss need no cut: those of all rows, at any threshold.
  const BinaryMetrics all_rows = evaluate_binary(labels, probabilities);
  BinaryMetrics m = classification_metrics(held_out);
  m.roc_auc = all_rows.roc_auc;
  m.log_loss = all_rows.log_loss;
  return m;
}

}  // namespace treeline::metrics
