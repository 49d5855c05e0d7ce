#include <algorithm>

#include "treeline/tuning/median_stopping_rule.h"

namespace treeline::tuning {

bool MedianStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                     const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const {
  if (trial.empty()) return false;
  const long step = trial.back().step;
  const auto mine = best_value(trial, goal, step);
  std::vector<double> others;
  for (const auto& f : finished)
    if (auto v = best_value(f, goal, step)) others.push_back(*v);
  if (others.size() < min_finished_) return false;
  std::sort(others.begin(), others.end());
  const std::size_t n = others.size();
  const double median = n % 2 == 1 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2;
  return is_better(median, *mine, goal);
}

}  // namespace treeline::tuning
