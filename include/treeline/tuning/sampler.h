#pragma once
// A search algorithm proposes hyperparameters from the history of a study. Samplers keep no
// state between calls: everything they need is in the request, so a study resumed after a crash
// (or by another agent) proposes exactly what an uninterrupted one would.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "treeline/tuning/search_space.h"

namespace treeline::tuning {

struct SuggestRequest {
  const SearchSpace& space;
  Goal goal = Goal::kMaximize;
  // Every earlier trial in creation order: finished ones with their value, failed ones without,
  // running ones marked `running` (to be kept apart from, not learnt from).
  const std::vector<Observation>& history;
  std::size_t count = 1;    // how many new, distinct assignments to propose
  std::uint64_t seed = 0;   // derived from the study's seed and the trial number by the caller
};

struct RecommendRequest {
  const SearchSpace& space;
  Goal goal = Goal::kMaximize;
  const std::vector<Observation>& history;  // as SuggestRequest::history
  // The trials before it (a resumed study's earlier job) are learnt from but not recommended.
  std::size_t first_candidate = 0;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Returns `count` assignments (fewer only when a finite space, e.g. a grid, is exhausted).
  virtual std::vector<Assignment> suggest(const SuggestRequest& request) = 0;
  // The index in `history` of the trial whose hyperparameters the study recommends, for an
  // algorithm whose model judges the trials better than their single noisy values do; empty
  // for one without such a model, or when the model has too little to go on: the caller then
  // takes the best observed value.
  virtual std::optional<std::size_t> recommend(const RecommendRequest& /*request*/) { return std::nullopt; }
  virtual std::string name() const = 0;
};

// The seed of a study's trial number `trial`: a hash of both, so the random streams of
// successive trials are unrelated (not one stream shifted by a draw).
std::uint64_t trial_seed(std::uint64_t study_seed, std::uint64_t trial);

}  // namespace treeline::tuning
