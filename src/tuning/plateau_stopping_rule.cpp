#include <optional>

#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {
namespace {

bool better(double a, double b, Goal goal) { return goal == Goal::kMaximize ? a > b : a < b; }

}  // namespace

bool PlateauStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                      const std::vector<std::vector<IntermediateValue>>& finished,
                                      Goal goal) const {
  if (trial.size() < min_reports_) return false;
  std::optional<double> best_finished;
  for (const auto& curve : finished)
    for (const auto& r : curve)
      if (!best_finished || better(r.value, *best_finished, goal)) best_finished = r.value;
  if (!best_finished) return false;
  // The trial's best so far and the first step that reached it: later ties are no progress.
  const IntermediateValue* best = &trial.front();
  for (const auto& r : trial)
    if (better(r.value, best->value, goal)) best = &r;
  const bool flat = static_cast<double>(trial.back().step) >= flat_ratio_ * static_cast<double>(best->step);
  return flat && better(*best_finished, best->value, goal);
}

}  // namespace treeline::tuning
