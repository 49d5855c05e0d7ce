#include "treeline/tuning/sampler_registry.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

#include "treeline/common/error.h"

namespace treeline::tuning {
namespace {

struct Entry {
  std::string_view name;
  int rank;
  SamplerTraits traits;
  SamplerMaker make;
};

struct Registry {
  std::vector<Entry> entries;           // by rank
  std::vector<std::string_view> names;  // the same order
};

// Function-local, so registrations from other files' static initialisers find it constructed.
Registry& registry() {
  static Registry instance;
  return instance;
}

const Entry* find_entry(std::string_view name) {
  for (const Entry& e : registry().entries)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

bool register_sampler(std::string_view name, int rank, SamplerTraits traits, SamplerMaker make) {
  Registry& r = registry();
  // A shared rank would leave the order of names to the linker.
  for (const Entry& e : r.entries)
    if (e.name == name || e.rank == rank)
      throw std::logic_error(fmt::format("search algorithm {} (rank {}) clashes with {} (rank {})", name, rank,
                                         e.name, e.rank));
  const auto at = std::ranges::upper_bound(r.entries, rank, {}, &Entry::rank);
  r.names.insert(r.names.begin() + (at - r.entries.begin()), name);
  r.entries.insert(at, Entry{name, rank, traits, make});
  return true;
}

const std::vector<std::string_view>& algorithm_names() { return registry().names; }

const SamplerTraits* sampler_traits(std::string_view name) {
  const Entry* e = find_entry(name);
  return e != nullptr ? &e->traits : nullptr;
}

std::vector<std::string_view> algorithms_with(bool SamplerTraits::*trait) {
  std::vector<std::string_view> names;
  for (const Entry& e : registry().entries)
    if (e.traits.*trait) names.push_back(e.name);
  return names;
}

std::unique_ptr<Sampler> make_sampler(const std::string& algorithm, const SamplerSettings& settings) {
  if (const Entry* e = find_entry(algorithm)) return e->make(settings);
  throw InputError(fmt::format("unknown search algorithm '{}': expected one of {}", algorithm,
                               fmt::join(algorithm_names(), ", ")));
}

}  // namespace treeline::tuning
