#pragma once
// Early stopping of unpromising trials (AI Platform's enableTrialEarlyStopping), behind a small
// interface so other rules (successive halving, ...) can follow.
#include <memory>
#include <vector>

#include "treeline/tuning/search_space.h"

namespace treeline::tuning {

struct IntermediateValue {
  long step = 0;
  double value = 0;
};

class EarlyStoppingRule {
 public:
  virtual ~EarlyStoppingRule() = default;
  // `trial` is the running trial's reports so far; `finished` those of earlier finished trials.
  virtual bool should_stop(const std::vector<IntermediateValue>& trial,
                           const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const = 0;
};

// Stops a trial whose best value so far is worse than the median of the finished trials' best
// values up to the same step (Vizier's and Optuna's median rule). Needs `min_finished` finished
// trials that reported by that step before it stops anything.
class MedianStoppingRule : public EarlyStoppingRule {
 public:
  explicit MedianStoppingRule(std::size_t min_finished = 3) : min_finished_(min_finished) {}
  bool should_stop(const std::vector<IntermediateValue>& trial,
                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const override;

 private:
  std::size_t min_finished_;
};

}  // namespace treeline::tuning
