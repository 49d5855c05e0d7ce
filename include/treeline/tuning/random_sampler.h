#pragma once
// RANDOM_SEARCH: independent uniform draws. DOUBLE and INTEGER parameters are uniform on their
// scale (a log-scaled learning rate is as likely in [1e-4, 1e-3] as in [1e-2, 1e-1]); DISCRETE
// and CATEGORICAL parameters pick each listed value with equal probability. Assignments already
// in the history, or picked earlier in the same call, are not proposed again; a finite space
// that is used up yields fewer than `count`.
#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

class RandomSampler final : public Sampler {
 public:
  std::vector<Assignment> suggest(const SuggestRequest& request) override;
  std::string name() const override { return "RANDOM_SEARCH"; }
};

}  // namespace treeline::tuning
