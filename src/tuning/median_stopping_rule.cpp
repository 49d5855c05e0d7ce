#include <algorithm>
#include <optional>

#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {
namespace {

// The best value among reports at or before `step`.
std::optional<double> best_until(const std::vector<IntermediateValue>& reports, long step, Goal goal) {
  std::optional<double> best;
  for (const auto& r : reports) {
    if (r.step > step) continue;
    if (!best || (goal == Goal::kMaximize ? r.value > *best : r.value < *best)) best = r.value;
  }
  return best;
}

}  // namespace

bool MedianStoppingRule::should_stop(const std::vector<IntermediateValue>& trial,
                                     const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const {
  if (trial.empty()) return false;
  const long step = trial.back().step;
  const auto mine = best_until(trial, step, goal);
  std::vector<double> others;
  for (const auto& f : finished)
    if (auto v = best_until(f, step, goal)) others.push_back(*v);
  if (others.size() < min_finished_) return false;
  std::sort(others.begin(), others.end());
  const std::size_t n = others.size();
  const double median = n % 2 == 1 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2;
  return goal == Goal::kMaximize ? *mine < median : *mine > median;
}

}  // namespace treeline::tuning
