#pragma once
// GRID_SEARCH: every combination of the parameters' values, in a fixed order: the first
// parameter varies slowest, the last fastest (nested loops in the order the parameters are
// declared); each parameter's values ascend (INTEGER: every integer from minValue to maxValue;
// DISCRETE: the listed values; CATEGORICAL: the listed order).
//
// A DOUBLE parameter has no grid: suggest() throws InputError naming it (use DISCRETE values
// instead). Grid points already in the history, finished, failed or running, are skipped, so
// parallel and resumed studies never repeat a point; when the grid is used up suggest()
// returns fewer than `count` (possibly none). The seed is not used.
#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

class GridSampler final : public Sampler {
 public:
  std::vector<Assignment> suggest(const SuggestRequest& request) override;
  std::string name() const override { return "GRID_SEARCH"; }
};

}  // namespace treeline::tuning
