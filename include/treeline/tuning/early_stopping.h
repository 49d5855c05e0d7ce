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

// Stops a trial whose best value so far is worse than the median of the finished trials' best
// values up to the same step (Vizier's and Optuna's median rule). Needs `min_finished` finished
// trials that reported by that step before it stops anything.
class MedianStoppingRule : public EarlyStoppingRule {
 public:
  explicit MedianStoppingRule(std::size_t min_finished = 3) : min_finished_(min_finished) {}
  bool should_stop(const std::vector<IntermediateValue>& trial,
                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const override;

 private:
  std::size_t min_finished_;
};

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

// Stops a trial when any of its rules would.
class AnyStoppingRule : public EarlyStoppingRule {
 public:
  explicit AnyStoppingRule(std::vector<std::unique_ptr<EarlyStoppingRule>> rules) : rules_(std::move(rules)) {}
  bool should_stop(const std::vector<IntermediateValue>& trial,
                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const override;

 private:
  std::vector<std::unique_ptr<EarlyStoppingRule>> rules_;
};

// What enableTrialEarlyStopping turns on: the median rule and the plateau rule.
std::unique_ptr<EarlyStoppingRule> make_default_stopping_rule();

}  // namespace treeline::tuning
