#include "treeline/tuning/random_sampler.h"

#include "treeline/tuning/sampler_registry.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::tuning {

std::vector<Assignment> RandomSampler::suggest(const SuggestRequest& request) {
  const UnitCube cube(request.space);
  std::unordered_set<std::string> used = used_keys(encode_history(cube, request.history, request.goal));

  Random random(request.seed);
  return sample_unused_assignments(cube, used, random, request.count);
}

TREELINE_REGISTER_SAMPLER(Random, "RANDOM_SEARCH", 2, [](const SamplerSettings&) -> std::unique_ptr<Sampler> {
  return std::make_unique<RandomSampler>();
});

}  // namespace treeline::tuning
