#include "treeline/metrics/decision_threshold.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "treeline/common/error.h"

namespace treeline::metrics {

TunedThreshold tune_threshold(std::span<const float> labels, std::span<const float> probabilities,
                              const MetricDefinition& metric) {
  if (!metric.depends_on_threshold)
    throw InputError(fmt::format("{} does not depend on the decision threshold: there is no threshold to tune for it",
                                 metric.name));
  if (labels.empty()) throw InputError("no rows to tune the decision threshold on");
  const std::size_t n = labels.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return probabilities[a] > probabilities[b]; });

  // Start with every row predicted negative, then lower the cut one distinct probability at a time.
  ConfusionMatrix c;
  for (float l : labels) (l > 0.5f ? c.false_negatives : c.true_negatives) += 1;
  const double sign = metric.higher_is_better ? 1.0 : -1.0;
  double best_threshold = (static_cast<double>(probabilities[order[0]]) + 1.0) / 2.0;
  double best_score = sign * metric.value(classification_metrics(c));
  for (std::size_t i = 0; i < n;) {
    const float p = probabilities[order[i]];
    for (; i < n && probabilities[order[i]] == p; ++i) {
      if (labels[order[i]] > 0.5f) --c.false_negatives, ++c.true_positives;
      else --c.true_negatives, ++c.false_positives;
    }
    const double below = i < n ? static_cast<double>(probabilities[order[i]]) : 0.0;
    const double threshold = (static_cast<double>(p) + below) / 2.0;
    const double score = sign * metric.value(classification_metrics(c));
    if (score > best_score || (score == best_score && std::abs(threshold - 0.5) < std::abs(best_threshold - 0.5))) {
      best_score = score;
      best_threshold = threshold;
    }
  }
  return {best_threshold, evaluate_binary(labels, probabilities, best_threshold)};
}

}  // namespace treeline::metrics
