#pragma once
// The probability cut that turns a binary classifier's scores into the best predictions for a
// metric, e.g. F1 on a rare cover type, whose best cut is often well below 0.5. Chosen on
// validation rows only: chosen on the test rows it would flatter the model.
#include <cstdint>
#include <optional>
#include <span>

#include "treeline/metrics/binary_metrics.h"

namespace treeline::metrics {

struct TunedThreshold {
  double threshold = 0.5;  // a row is positive at probability >= threshold
  BinaryMetrics metrics;   // on the given rows, at that threshold
};

// The tuned cut replaces `keep` only when it beats it on at least `confidence` of `resamples`
// bootstrap resamples of the rows (paired): with few positives the best cut is noise (cover
// type 4's 74 validation positives: its tuned cut cost test F1 as often as it gained).
struct ThresholdGuard {
  double keep = 0.5;
  int resamples = 200;  // 0: no guard, the best cut on these rows
  double confidence = 0.975;
  std::uint64_t seed = 42;
};

// Tries every cut between distinct probabilities (one sorted sweep) and keeps the one where
// `metric` is best; among equal ones, the cut nearest 0.5. The threshold is 0.5 when the gap the
// cut falls in holds it, else the gap's midpoint; then `guard` decides between it and its
// `keep`. Throws InputError when `metric` does not depend on the threshold (roc_auc, log_loss),
// or for no rows or unequal lengths.
TunedThreshold tune_threshold(std::span<const float> labels, std::span<const float> probabilities,
                              const MetricDefinition& metric, const ThresholdGuard& guard = {});

// What tuning the cut is worth on rows it was not tuned on. The rows are dealt into two halves
// (each class's rows alternately, in an order shuffled by `seed`, so both halves hold half the
// positives); each half is scored at the cut the sweep (tune_threshold without a guard) picks on
// the other half, and the two halves' confusion counts are added. ROC AUC and log loss, which no
// cut changes, are those of all rows. A metric read at the cut tuned on the same rows credits
// every model with the noise that cut fits, and poorly calibrated models, whose best cut strays
// furthest from 0.5, with the most: a search that ranks trials by it drifts to them. Empty when
// a class has fewer than two rows: there is nothing to hold out. Throws as tune_threshold does.
std::optional<BinaryMetrics> cross_fitted_metrics(std::span<const float> labels, std::span<const float> probabilities,
                                                  const MetricDefinition& metric, std::uint64_t seed = 42);

}  // namespace treeline::metrics
