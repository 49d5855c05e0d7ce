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

namespace {

std::unique_ptr<Sampler> make_random_sampler(const SamplerSettings&) { return std::make_unique<RandomSampler>(); }

}  // namespace

TREELINE_REGISTER_SAMPLER(Random, "RANDOM_SEARCH", 2, {}, make_random_sampler);

}  // namespace treeline::tuning
