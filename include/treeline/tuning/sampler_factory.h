#pragma once
// The search algorithms by name, as a job's config gives them: the one place that knows them all.
#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

// The names make_sampler accepts, in the order messages list them.
inline constexpr std::array<std::string_view, 4> kAlgorithmNames = {"ALGORITHM_UNSPECIFIED", "GRID_SEARCH",
                                                                    "RANDOM_SEARCH", "TPE"};

// Choices a study makes about its algorithm beyond the name.
struct SamplerSettings {
  // Prefer, among points of like promise, the ones whose trials are expected to finish sooner
  // (the Gaussian-process sampler's expected improvement per second).
  bool cost_aware = false;
  // Trials placed before the model takes over (the Gaussian process's space-filling start, TPE's
  // random startup); 0: the algorithm's own default.
  std::size_t initial_trials = 0;
};

// AI Platform's algorithm names: "ALGORITHM_UNSPECIFIED" (Bayesian optimisation with a Gaussian
// process), "GRID_SEARCH", "RANDOM_SEARCH"; also "TPE". Throws InputError for other names.
std::unique_ptr<Sampler> make_sampler(const std::string& algorithm, const SamplerSettings& settings = {});

}  // namespace treeline::tuning
