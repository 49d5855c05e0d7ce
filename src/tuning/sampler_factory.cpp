#include "treeline/common/error.h"
#include "treeline/tuning/gaussian_process_sampler.h"
#include "treeline/tuning/grid_sampler.h"
#include "treeline/tuning/random_sampler.h"
#include "treeline/tuning/sampler.h"
#include "treeline/tuning/tpe_sampler.h"

namespace treeline::tuning {

std::unique_ptr<Sampler> make_sampler(const std::string& algorithm) {
  if (algorithm == "ALGORITHM_UNSPECIFIED") return std::make_unique<GaussianProcessSampler>();
  if (algorithm == "GRID_SEARCH") return std::make_unique<GridSampler>();
  if (algorithm == "RANDOM_SEARCH") return std::make_unique<RandomSampler>();
  if (algorithm == "TPE") return std::make_unique<TpeSampler>();
  throw InputError("unknown search algorithm '" + algorithm +
                   "': expected one of ALGORITHM_UNSPECIFIED, GRID_SEARCH, RANDOM_SEARCH, TPE");
}

}  // namespace treeline::tuning
