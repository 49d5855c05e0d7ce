#pragma once
// ALGORITHM_UNSPECIFIED: Bayesian optimisation with a Gaussian process, as AI Platform (Vizier)
// does by default.
//
// Every parameter lives in the unit cube (see unit_cube.h); the model sees numeric coordinates
// as they are and categoricals one-hot. Finished trials with a finite value train a GP with a
// Matern-5/2 kernel with one lengthscale per feature, on standardised values; its
// lengthscales, signal variance and noise are the maximum a posteriori under weak log-normal
// priors, found by L-BFGS in log space from a few starts. The next point maximises the log of
// Expected Improvement over random candidates and candidates near the best trials, refined by
// a shrinking local search; integer, discrete and categorical coordinates are snapped
// throughout, so the model only ever scores points that can really be tried.
//
// Until a few trials have finished (GaussianProcessOptions::initial_trials) the points are
// space-filling instead: the first is the centre of the cube, later ones the farthest of many
// random draws from every trial so far.
//
// Running trials, and the points already picked in the same call, enter the model with a
// "constant liar" value, so a batch spreads out instead of piling up on one optimum. Failed
// trials only keep their point from being proposed again. Nothing is ever proposed twice:
// neither a point of the history nor one of the same batch.
#include <cstddef>

#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

struct GaussianProcessOptions {
  // Space-filling trials before the model takes over; 0 means max(3, dimension + 1).
  std::size_t initial_trials = 0;
  // Uniformly random points among the acquisition's starting candidates.
  std::size_t random_candidates = 1000;
  // Where pending points are believed to be, between the best (0) and worst (1) standardised
  // value seen; the mean is in between.
  double liar_quantile = 0.0;
};

class GaussianProcessSampler final : public Sampler {
 public:
  explicit GaussianProcessSampler(GaussianProcessOptions options = {}) : options_(options) {}
  std::vector<Assignment> suggest(const SuggestRequest& request) override;
  std::string name() const override { return "ALGORITHM_UNSPECIFIED"; }

 private:
  GaussianProcessOptions options_;
};

}  // namespace treeline::tuning
