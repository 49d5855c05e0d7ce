#include "treeline/tuning/early_stopping.h"

#include "treeline/tuning/any_stopping_rule.h"
#include "treeline/tuning/median_stopping_rule.h"
#include "treeline/tuning/plateau_stopping_rule.h"

namespace treeline::tuning {

std::optional<double> best_value(const std::vector<IntermediateValue>& reports, Goal goal, long step) {
  std::optional<double> best;
  for (const auto& r : reports)
    if (r.step <= step && (!best || is_better(r.value, *best, goal))) best = r.value;
  return best;
}

std::unique_ptr<EarlyStoppingRule> make_default_stopping_rule() {
  std::vector<std::unique_ptr<EarlyStoppingRule>> rules;
  rules.push_back(std::make_unique<MedianStoppingRule>());
  rules.push_back(std::make_unique<PlateauStoppingRule>());
  return std::make_unique<AnyStoppingRule>(std::move(rules));
}

}  // namespace treeline::tuning
