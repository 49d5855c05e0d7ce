#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {

// Stops a trial when any of its rules would.
class AnyStoppingRule : public EarlyStoppingRule {
 public:
  explicit AnyStoppingRule(std::vector<std::unique_ptr<EarlyStoppingRule>> rules) : rules_(std::move(rules)) {}
  bool should_stop(const std::vector<IntermediateValue>& trial,
                   const std::vector<std::vector<IntermediateValue>>& finished, Goal goal) const override;

 private:
  std::vector<std::unique_ptr<EarlyStoppingRule>> rules_;
};

}  // namespace treeline::tuning
