#pragma once
// Search algorithms by the names a job's config gives them. Each algorithm registers itself in
// its own source file (TREELINE_REGISTER_SAMPLER), as XGBoost's objectives do, so a new one is a
// new file and nothing here changes. The registry is filled before main() and only read after.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

// Choices a study makes about its algorithm beyond the name.
struct SamplerSettings {
  // Prefer, among points of like promise, the ones whose trials are expected to finish sooner
  // (the Gaussian-process sampler's expected improvement per second).
  bool cost_aware = false;
  // Trials placed before the model takes over (the Gaussian process's space-filling start, TPE's
  // random startup); 0: the algorithm's own default.
  std::size_t initial_trials = 0;
};

using SamplerMaker = std::unique_ptr<Sampler> (*)(const SamplerSettings&);

// Which of SamplerSettings an algorithm heeds, so that a config setting one it ignores is refused.
struct SamplerTraits {
  bool cost_aware = false;      // weighs trials by their expected cost
  bool initial_trials = false;  // has a model that takes over after the first trials
  bool recommends = false;      // has a model that judges the trials (Sampler::recommend)
};

// Registers `make` under `name`, listed in messages by `rank` (AI Platform's names first).
// Returns true, to initialise a namespace-scope constant. A name or rank registered twice is a
// programming error: std::logic_error.
bool register_sampler(std::string_view name, int rank, SamplerTraits traits, SamplerMaker make);

// Every registered name, by rank (AI Platform's first).
const std::vector<std::string_view>& algorithm_names();

// The traits of a registered algorithm; null for an unknown name.
const SamplerTraits* sampler_traits(std::string_view name);

// The registered names, by rank, whose traits have `trait` set.
std::vector<std::string_view> algorithms_with(bool SamplerTraits::*trait);

// The algorithm registered as `algorithm`; throws InputError listing the names for another.
std::unique_ptr<Sampler> make_sampler(const std::string& algorithm, const SamplerSettings& settings = {});

}  // namespace treeline::tuning

// In a sampler's source file, at namespace scope, with register_sampler's arguments:
//   TREELINE_REGISTER_SAMPLER(Id, "NAME", rank, {.initial_trials = true}, make_function);
// Variadic, so that the commas of a braced initialiser do not split the arguments.
#define TREELINE_REGISTER_SAMPLER(id, ...)                                \
  [[maybe_unused]] static const bool treeline_sampler_registered_##id = \
      ::treeline::tuning::register_sampler(__VA_ARGS__)
