#pragma once
#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {

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
