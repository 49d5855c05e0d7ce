#pragma once
// TPE: the Tree-structured Parzen Estimator (Bergstra et al., 2011) as Optuna's TPESampler runs
// it by default: independent per parameter, in the unit cube's coordinates (see unit_cube.h).
//
// After `startup_trials` random trials, the finished trials are split into the best
// gamma(n) = min(ceil(n / 10), 25) and the rest. Each group gives a mixture of Gaussians
// truncated to [0, 1] (one per trial, bandwidth from the gaps to its neighbours, clipped, plus a
// broad prior), or, for a categorical, of smoothed one-hot distributions. For every parameter,
// `candidates` draws from the good mixture are scored by log l(x) - log g(x) and the best is
// kept; integer and discrete values are scored by the mass of their cell. Trials older than the
// 25 most recent of a group weigh less (a linear ramp).
//
// Running trials, and the points already picked in the same call, join the bad group (Optuna's
// "constant liar"), so parallel workers spread out. Duplicates of earlier assignments are
// avoided by redrawing.
#include <cstddef>

#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

struct TpeOptions {
  std::size_t startup_trials = 10;
  std::size_t candidates = 24;
  double prior_weight = 1.0;
};

class TpeSampler final : public Sampler {
 public:
  explicit TpeSampler(TpeOptions options = {}) : options_(options) {}
  std::vector<Assignment> suggest(const SuggestRequest& request) override;
  std::string name() const override { return "TPE"; }

 private:
  TpeOptions options_;
};

}  // namespace treeline::tuning
