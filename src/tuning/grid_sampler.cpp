#include "treeline/tuning/grid_sampler.h"

#include "treeline/common/error.h"
#include "treeline/tuning/sampler_registry.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::tuning {

std::vector<Assignment> GridSampler::suggest(const SuggestRequest& request) {
  const UnitCube cube(request.space);
  std::vector<std::uint64_t> value_counts;
  for (std::size_t i = 0; i < cube.dimension(); ++i) {
    const auto count = cube.value_count(i);
    if (!count) {
      throw InputError("GRID_SEARCH cannot enumerate DOUBLE parameter '" + request.space.params[i].name +
                       "': give it DISCRETE values or use another algorithm");
    }
    value_counts.push_back(*count);
  }
  std::unordered_set<std::string> used = used_keys(encode_history(cube, request.history, request.goal));

  // An odometer over value indices, last parameter fastest. Each step either yields a point or
  // skips a used one, so the walk is at most |history| + count steps long.
  std::vector<std::uint64_t> digits(cube.dimension(), 0);
  std::vector<double> point(cube.dimension());
  std::vector<Assignment> suggestions;
  bool exhausted = false;
  while (!exhausted && suggestions.size() < request.count) {
    for (std::size_t i = 0; i < digits.size(); ++i) point[i] = cube.value_coordinate(i, digits[i]);
    if (used.insert(cube.key(point)).second) suggestions.push_back(cube.decode(point));
    exhausted = true;
    for (std::size_t i = digits.size(); i-- > 0;) {
      if (++digits[i] < value_counts[i]) {
        exhausted = false;
        break;
      }
      digits[i] = 0;
    }
  }
  return suggestions;
}

namespace {

std::unique_ptr<Sampler> make_grid_sampler(const SamplerSettings&) { return std::make_unique<GridSampler>(); }

}  // namespace

TREELINE_REGISTER_SAMPLER(Grid, "GRID_SEARCH", 1, {}, make_grid_sampler);

}  // namespace treeline::tuning
