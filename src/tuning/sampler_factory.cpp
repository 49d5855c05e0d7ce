#include "treeline/tuning/sampler_factory.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "treeline/common/error.h"
#include "treeline/tuning/gaussian_process_sampler.h"
#include "treeline/tuning/grid_sampler.h"
#include "treeline/tuning/random_sampler.h"
#include "treeline/tuning/tpe_sampler.h"

namespace treeline::tuning {

std::unique_ptr<Sampler> make_sampler(const std::string& algorithm, const SamplerSettings& settings) {
  if (algorithm == "ALGORITHM_UNSPECIFIED") {
    GaussianProcessOptions options;
    options.cost_exponent = settings.cost_aware ? 1.0 : 0.0;
    options.initial_trials = settings.initial_trials;
    return std::make_unique<GaussianProcessSampler>(options);
  }
  if (algorithm == "GRID_SEARCH") return std::make_unique<GridSampler>();
  if (algorithm == "RANDOM_SEARCH") return std::make_unique<RandomSampler>();
  if (algorithm == "TPE") {
    TpeOptions options;
    if (settings.initial_trials > 0) options.startup_trials = settings.initial_trials;
    return std::make_unique<TpeSampler>(options);
  }
  throw InputError(fmt::format("unknown search algorithm '{}': expected one of {}", algorithm,
                               fmt::join(kAlgorithmNames, ", ")));
}

}  // namespace treeline::tuning
