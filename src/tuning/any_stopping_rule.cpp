#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {

bool AnyStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                  const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const {
  for (const auto& rule : rules_)
    if (rule->should_stop(trial, finished, goal)) return true;
  return false;
}

std::unique_ptr<EarlyStoppingRule> make_default_stopping_rule() {
  std::vector<std::unique_ptr<EarlyStoppingRule>> rules;
  rules.push_back(std::make_unique<MedianStoppingRule>());
  rules.push_back(std::make_unique<PlateauStoppingRule>());
  return std::make_unique<AnyStoppingRule>(std::move(rules));
}

}  // namespace treeline::tuning
