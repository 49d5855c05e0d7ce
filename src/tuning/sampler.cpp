#include "treeline/tuning/sampler.h"

#include "treeline/common/random.h"

namespace treeline::tuning {

std::uint64_t trial_seed(std::uint64_t study_seed, std::uint64_t trial) {
  return Random(study_seed + 0x9E3779B97F4A7C15ull * trial).next();
}

}  // namespace treeline::tuning
