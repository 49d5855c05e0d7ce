#include <algorithm>

#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {

bool PaceStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const {
  if (trial.size() < std::max<std::size_t>(min_reports_, 3)) return false;
  std::optional<double> best_finished;
  long horizon = 0;  // the step the longest finished trial reached
  for (const auto& curve : finished) {
    if (curve.empty()) continue;
    horizon = std::max(horizon, curve.back().step);
    if (const auto v = best_value(curve, goal); v && (!best_finished || is_better(*v, *best_finished, goal)))
      best_finished = v;
  }
  const long step = trial.back().step;
  if (!best_finished || step >= horizon) return false;
  // Gains in the goal's direction, per step, over the last two report intervals.
  const double sign = goal == Goal::kMaximize ? 1.0 : -1.0;
  double pace = 0;
  for (std::size_t i = trial.size() - 2; i < trial.size(); ++i) {
    const long steps = trial[i].step - trial[i - 1].step;
    if (steps > 0) pace = std::max(pace, sign * (trial[i].value - trial[i - 1].value) / static_cast<double>(steps));
  }
  const double reachable = *best_value(trial, goal) + sign * pace * static_cast<double>(horizon - step);
  return is_better(*best_finished, reachable, goal);
}

}  // namespace treeline::tuning
