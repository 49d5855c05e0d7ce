#pragma once
// The probability cut that turns a binary classifier's scores into the best predictions for a
// metric, e.g. F1 on a rare cover type, whose best cut is often well below 0.5. Chosen on
// validation rows only: chosen on the test rows it would flatter the model.
#include <span>

#include "treeline/metrics/binary_metrics.h"

namespace treeline::metrics {

struct TunedThreshold {
  double threshold = 0.5;  // a row is positive at probability >= threshold
  BinaryMetrics metrics;   // on the given rows, at that threshold
};

// Tries every cut between distinct probabilities (one sorted sweep) and keeps the one where
// `metric` is best; among equal ones, the cut nearest 0.5. The threshold is the midpoint between
// the two probabilities the cut falls between. Throws InputError when `metric` does not depend
// on the threshold (roc_auc, log_loss) or there are no rows.
TunedThreshold tune_threshold(std::span<const float> labels, std::span<const float> probabilities,
                              const MetricDefinition& metric);

}  // namespace treeline::metrics
