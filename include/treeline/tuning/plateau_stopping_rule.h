#pragma once
#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {

// Stops a trial whose curve has flattened below the best finished trial: after `min_reports`
// reports, its own best came at or before step / `flat_ratio` (nothing new over the last third of
// its rounds, at 1.5) and is worse than the best final value of any finished trial. Such a trial
// is unlikely to be chosen, and the rounds it has left only cost time (Vizier stops on curves
// likewise).
class PlateauStoppingRule : public EarlyStoppingRule {
 public:
  explicit PlateauStoppingRule(double flat_ratio = 1.5, std::size_t min_reports = 4)
      : flat_ratio_(flat_ratio), min_reports_(min_reports) {}
  bool should_stop(const std::vector<IntermediateValue>& trial,
                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const override;

 private:
  double flat_ratio_;
  std::size_t min_reports_;
};

}  // namespace treeline::tuning
