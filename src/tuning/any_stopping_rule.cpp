#include "treeline/tuning/any_stopping_rule.h"

namespace treeline::tuning {

bool AnyStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                  const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const {
  for (const auto& rule : rules_)
    if (rule->should_stop(trial, finished, goal)) return true;
  return false;
}

}  // namespace treeline::tuning
