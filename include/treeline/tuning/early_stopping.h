#pragma once
// Early stopping of unpromising trials (AI Platform's enableTrialEarlyStopping), behind a small
// interface so other rules (successive halving, ...) can follow.
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "treeline/tuning/search_space.h"

namespace treeline::tuning {

struct IntermediateValue {
  long step = 0;
  double value = 0;
};

// The best of `reports` at or before `step` (every report by default); empty when none is.
std::optional<double> best_value(const std::vector<IntermediateValue>& reports, Goal goal,
                                 long step = std::numeric_limits<long>::max());

class EarlyStoppingRule {
 public:
  virtual ~EarlyStoppingRule() = default;
  // `trial` is the running trial's reports so far; `finished` those of earlier finished trials.
  virtual bool should_stop(const std::vector<IntermediateValue>& trial,
                           const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const = 0;
};

// What enableTrialEarlyStopping turns on: the median rule and the plateau rule.
std::unique_ptr<EarlyStoppingRule> make_default_stopping_rule();

}  // namespace treeline::tuning
