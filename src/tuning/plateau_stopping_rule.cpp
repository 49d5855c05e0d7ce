#include "treeline/tuning/plateau_stopping_rule.h"

namespace treeline::tuning {

bool PlateauStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                      const std::vector<std::vector<IntermediateValue>>& finished,
                                      Goal goal) const {
  if (trial.size() < min_reports_) return false;
  // The bar is the best final value, the one trials are chosen by: a peak some finished curve
  // passed through on the way (noise, mostly) would stop trials that could still be chosen.
  std::optional<double> best_finished;
  for (const auto& curve : finished)
    if (!curve.empty() && (!best_finished || is_better(curve.back().value, *best_finished, goal)))
      best_finished = curve.back().value;
  if (!best_finished) return false;
  // The trial's best so far and the first step that reached it: later ties are no progress.
  const IntermediateValue* best = &trial.front();
  for (const auto& r : trial)
    if (is_better(r.value, best->value, goal)) best = &r;
  const bool flat = static_cast<double>(trial.back().step) >= flat_ratio_ * static_cast<double>(best->step);
  return flat && is_better(*best_finished, best->value, goal);
}

}  // namespace treeline::tuning
