#pragma once
// ALGORITHM_UNSPECIFIED: Bayesian optimisation with a Gaussian process, as AI Platform (Vizier)
// does by default.
//
// Every parameter lives in the unit cube (see unit_cube.h); the model sees numeric coordinates
// as they are and categoricals one-hot. Finished trials with a finite value (at most 200: the
// best 100 and the most recent others) train a GP with a Matern-5/2 kernel with one
// lengthscale per feature, on values whose worse half is rank-warped (so a diverged trial
// cannot flatten the rest) and then standardised. The lengthscales, signal variance and noise
// are the maximum a posteriori under log-normal priors (lengthscales around 0.25 sqrt(D), four
// times longer for one-hot features so categories start out alike), found by L-BFGS in log
// space. The next point maximises the log of Expected Improvement over random candidates and
// candidates near the best trials, refined by a shrinking local search; integer, discrete and
// categorical coordinates are snapped throughout, so the model only ever scores points that
// can really be tried.
//
// Until max(3, parameters + 1) trials have finished (or GaussianProcessOptions::initial_trials)
// the points are space-filling instead: the first is the centre of the cube, later ones the
// farthest of many random draws from every trial so far, running and failed ones included.
//
// Running trials, and the points already picked in the same call, enter the model with a
// "constant liar" value, by default the best value seen, so a batch spreads out instead of
// piling up on one optimum. Failed trials only keep their point from being proposed again.
// Nothing is ever proposed twice: neither a point of the history nor one of the same batch;
// a finite space that is used up yields fewer than `count`.
//
// With cost_exponent > 0 (treeline.costAware) and trials that carry their durations, a second
// GP learns the log of what a point costs and the acquisition is EI per second (Snoek et al.,
// 2012): among points of like promise the cheaper goes first, so a study does not spend its
// budget on the slowest corner of the space when a cheaper one is as good.
//
// recommend() fits the same value model and returns the trial, among those that ran to their end
// where they were proposed, with the best posterior mean: on noisy scores it weighs a trial with its
// neighbours and the curves, where the best observed value rewards the luckiest draw
// (treeline.bestTrialBy: MODEL_PREDICTION).
//
// bench/search_quality.py measures it against Optuna's TPE (figures in README's Benchmarks).
#include <cstddef>

#include "treeline/tuning/sampler.h"

namespace treeline::tuning {

struct GaussianProcessOptions {
  // Space-filling trials before the model takes over; 0 means max(3, parameters + 1).
  std::size_t initial_trials = 0;
  // Uniformly random points among the acquisition's starting candidates.
  std::size_t random_candidates = 1000;
  // The value pending points are believed to have, as a quantile of the values seen: 0 the
  // best (the default), 0.5 the median, 1 the worst.
  double liar_quantile = 0.0;
  // Cost awareness: once `min_costed_trials` trials that ran to their end (or were measured at
  // the step they reached) carry their duration (Observation::cost_seconds; the partial
  // measurements of a curve add points, not trials), a second GP learns log cost and the acquisition becomes
  // EI / cost^cost_exponent; durations that are lower bounds (trials stopped early) join where
  // they exceed its prediction. 0 (the default) turns it off, as does a history without durations.
  double cost_exponent = 0.0;
  std::size_t min_costed_trials = 3;
};

class GaussianProcessSampler final : public Sampler {
 public:
  explicit GaussianProcessSampler(GaussianProcessOptions options = {}) : options_(options) {}
  std::vector<Assignment> suggest(const SuggestRequest& request) override;
  // The trial with the best posterior mean among those that ran to their end where they were
  // proposed; empty with fewer than 3 finished trials or no such trial.
  std::optional<std::size_t> recommend(const RecommendRequest& request) override;
  std::string name() const override { return "ALGORITHM_UNSPECIFIED"; }

 private:
  GaussianProcessOptions options_;
};

}  // namespace treeline::tuning
