#include "treeline/tuning/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>

#include "treeline/common/random.h"
#include "treeline/tuning/sampler_registry.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::tuning {
namespace {

constexpr double kLogSqrtTwoPi = 0.9189385332046727;
constexpr double kTiny = 1e-300;

// P(Z < z) - P(Z < y) for y <= z, without losing the difference of two numbers near 1.
double normal_interval(double y, double z) {
  if (y > 0) return 0.5 * (std::erfc(y / std::sqrt(2.0)) - std::erfc(z / std::sqrt(2.0)));
  return 0.5 * (std::erfc(-z / std::sqrt(2.0)) - std::erfc(-y / std::sqrt(2.0)));
}

double log_sum_exp(const std::vector<double>& terms) {
  const double top = *std::max_element(terms.begin(), terms.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

// Optuna's default weights: the 25 most recent observations weigh 1, older ones ramp up
// linearly from 1/n.
std::vector<double> recency_weights(std::size_t count) {
  std::vector<double> weights(count, 1.0);
  constexpr std::size_t kFlat = 25;
  if (count <= kFlat) return weights;
  const std::size_t ramp = count - kFlat;
  const double start = 1.0 / static_cast<double>(count);
  for (std::size_t i = 0; i < ramp; ++i) {
    weights[i] =
        ramp == 1 ? start : start + (1.0 - start) * static_cast<double>(i) / static_cast<double>(ramp - 1);
  }
  return weights;
}

// A mixture of Gaussians truncated to [0, 1]: one per observation and a broad prior.
class NumericParzen {
 public:
  NumericParzen(const std::vector<double>& observations, const std::vector<double>& weights,
                double prior_weight) {
    const std::size_t n = observations.size();
    // Bandwidth: the larger gap to a neighbour (the cube's walls count as neighbours, except that
    // the outermost observations look inwards), clipped by Optuna's "magic clip".
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return observations[a] < observations[b]; });
    std::vector<double> sorted(n + 2);
    sorted.front() = 0.0;
    sorted.back() = 1.0;
    for (std::size_t i = 0; i < n; ++i) sorted[i + 1] = observations[order[i]];
    const double min_sigma = 1.0 / std::min(100.0, 2.0 + static_cast<double>(n));
    for (std::size_t i = 0; i < n; ++i) {
      double sigma = std::max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
      if (n >= 2 && i == 0) sigma = sorted[2] - sorted[1];
      if (n >= 2 && i == n - 1) sigma = sorted[n] - sorted[n - 1];
      add(sorted[i + 1], std::clamp(sigma, min_sigma, 1.0), weights[order[i]]);
    }
    add(0.5, 1.0, prior_weight);
    const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    for (double& w : weights_) w /= total;
    for (std::size_t k = 0; k < means_.size(); ++k) {
      log_weight_over_mass_.push_back(
          std::log(weights_[k]) -
          std::log(std::max(normal_interval(-means_[k] / sigmas_[k], (1 - means_[k]) / sigmas_[k]), kTiny)));
    }
  }

  double sample(Random& random) const {
    double pick = random.uniform();
    std::size_t k = 0;
    while (k + 1 < weights_.size() && pick >= weights_[k]) pick -= weights_[k++];
    // Rejection is cheap: every component keeps at least a third of its mass inside [0, 1].
    for (int attempt = 0; attempt < 100; ++attempt) {
      const double x = means_[k] + sigmas_[k] * random.normal();
      if (x >= 0 && x <= 1) return x;
    }
    return std::clamp(means_[k], 0.0, 1.0);
  }

  double log_density(double x) const {
    std::vector<double> terms(means_.size());
    for (std::size_t k = 0; k < means_.size(); ++k) {
      const double z = (x - means_[k]) / sigmas_[k];
      terms[k] = log_weight_over_mass_[k] - kLogSqrtTwoPi - std::log(sigmas_[k]) - 0.5 * z * z;
    }
    return log_sum_exp(terms);
  }

  // Log of the mass on [low, high]: how likely a value owning that cell is.
  double log_mass(double low, double high) const {
    double mass = 0;
    for (std::size_t k = 0; k < means_.size(); ++k) {
      mass += std::exp(log_weight_over_mass_[k]) *
              normal_interval((low - means_[k]) / sigmas_[k], (high - means_[k]) / sigmas_[k]);
    }
    return std::log(std::max(mass, kTiny));
  }

 private:
  void add(double mean, double sigma, double weight) {
    means_.push_back(mean);
    sigmas_.push_back(sigma);
    weights_.push_back(weight);
  }

  std::vector<double> means_;
  std::vector<double> sigmas_;
  std::vector<double> weights_;
  std::vector<double> log_weight_over_mass_;
};

// A mixture of smoothed one-hot distributions is itself one distribution over the categories.
class CategoricalParzen {
 public:
  CategoricalParzen(const std::vector<std::size_t>& observations, const std::vector<double>& weights,
                    std::size_t category_count, double prior_weight)
      : probabilities_(category_count, 0.0) {
    const double kernels = static_cast<double>(observations.size()) + 1.0;
    const double smoothing = prior_weight / kernels;  // Optuna's per-kernel share of the prior
    const double row_total = 1.0 + smoothing * static_cast<double>(category_count);
    double total_weight = prior_weight;
    for (double w : weights) total_weight += w;
    for (std::size_t i = 0; i < observations.size(); ++i) {
      const double w = weights[i] / total_weight;
      for (std::size_t c = 0; c < category_count; ++c) probabilities_[c] += w * smoothing / row_total;
      probabilities_[observations[i]] += w / row_total;
    }
    for (std::size_t c = 0; c < category_count; ++c) {
      probabilities_[c] += prior_weight / total_weight / static_cast<double>(category_count);
    }
  }

  std::size_t sample(Random& random) const {
    double pick = random.uniform();
    std::size_t c = 0;
    while (c + 1 < probabilities_.size() && pick >= probabilities_[c]) pick -= probabilities_[c++];
    return c;
  }

  double log_probability(std::size_t category) const {
    return std::log(std::max(probabilities_[category], kTiny));
  }

 private:
  std::vector<double> probabilities_;
};

// The cell of coordinates that snap to the same value as `unit`, for finite numeric parameters.
std::pair<double, double> value_cell(const UnitCube& cube, std::size_t index, double unit) {
  const ParameterSpec& spec = cube.space().params[index];
  const double value = from_unit(spec, unit);
  if (spec.type == ParameterType::kInteger) return {to_unit(spec, value - 0.5), to_unit(spec, value + 0.5)};
  const auto& values = spec.discrete_values;
  const std::size_t i =
      static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), value) - values.begin());
  const double here = to_unit(spec, values[i]);
  const double low = i == 0 ? 0.0 : 0.5 * (here + to_unit(spec, values[i - 1]));
  const double high = i + 1 == values.size() ? 1.0 : 0.5 * (here + to_unit(spec, values[i + 1]));
  return {low, high};
}

// One point from TPE: each parameter independently the best of `candidates` draws.
std::vector<double> tpe_point(const UnitCube& cube, const std::vector<const std::vector<double>*>& good,
                              const std::vector<const std::vector<double>*>& bad, const TpeOptions& options,
                              Random& random) {
  const std::vector<double> good_weights = recency_weights(good.size());
  const std::vector<double> bad_weights = recency_weights(bad.size());
  std::vector<double> point(cube.dimension());
  for (std::size_t i = 0; i < cube.dimension(); ++i) {
    const ParameterSpec& spec = cube.space().params[i];
    double best_score = -std::numeric_limits<double>::infinity();
    if (spec.type == ParameterType::kCategorical) {
      const std::size_t k = *cube.value_count(i);
      auto categories = [&](const std::vector<const std::vector<double>*>& group) {
        std::vector<std::size_t> out;
        for (const auto* p : group) out.push_back(category_index(k, (*p)[i]));
        return out;
      };
      const CategoricalParzen below(categories(good), good_weights, k, options.prior_weight);
      const CategoricalParzen above(categories(bad), bad_weights, k, options.prior_weight);
      for (std::size_t draw = 0; draw < options.candidates; ++draw) {
        const std::size_t c = below.sample(random);
        const double score = below.log_probability(c) - above.log_probability(c);
        if (score > best_score) {
          best_score = score;
          point[i] = cube.value_coordinate(i, c);
        }
      }
      continue;
    }
    auto coordinates = [&](const std::vector<const std::vector<double>*>& group) {
      std::vector<double> out;
      for (const auto* p : group) out.push_back((*p)[i]);
      return out;
    };
    const NumericParzen below(coordinates(good), good_weights, options.prior_weight);
    const NumericParzen above(coordinates(bad), bad_weights, options.prior_weight);
    for (std::size_t draw = 0; draw < options.candidates; ++draw) {
      double x = below.sample(random);
      double score;
      if (spec.type == ParameterType::kDouble) {
        score = below.log_density(x) - above.log_density(x);
      } else {
        x = to_unit(spec, from_unit(spec, x));
        const auto [low, high] = value_cell(cube, i, x);
        score = below.log_mass(low, high) - above.log_mass(low, high);
      }
      if (score > best_score) {
        best_score = score;
        point[i] = x;
      }
    }
  }
  cube.snap(point);
  return point;
}

}  // namespace

std::vector<Assignment> TpeSampler::suggest(const SuggestRequest& request) {
  const UnitCube cube(request.space);
  const std::vector<EncodedTrial> trials = encode_history(cube, request.history, request.goal);
  Random random(request.seed);

  std::unordered_set<std::string> used = used_keys(trials);
  std::vector<std::size_t> finished;
  for (std::size_t i = 0; i < trials.size(); ++i)
    if (trials[i].loss) finished.push_back(i);

  if (finished.size() < options_.startup_trials) return sample_unused_assignments(cube, used, random, request.count);
  std::vector<Assignment> suggestions;
  std::deque<std::vector<double>> picked;  // a deque: `bad` points into it while it grows

  // The best gamma(n) finished trials are "good"; the rest, the running ones and this call's
  // earlier picks are "bad". Both groups keep creation order for the recency weights.
  std::vector<std::size_t> by_loss = finished;
  std::stable_sort(by_loss.begin(), by_loss.end(),
                   [&](std::size_t a, std::size_t b) { return *trials[a].loss < *trials[b].loss; });
  const std::size_t good_count = std::min<std::size_t>(25, (finished.size() + 9) / 10);
  std::vector<bool> is_good(trials.size(), false);
  for (std::size_t i = 0; i < good_count; ++i) is_good[by_loss[i]] = true;
  std::vector<const std::vector<double>*> good;
  std::vector<const std::vector<double>*> bad;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (is_good[i]) {
      good.push_back(&trials[i].point);
    } else if (trials[i].loss || trials[i].running) {
      bad.push_back(&trials[i].point);
    }
  }

  while (suggestions.size() < request.count) {
    std::optional<std::vector<double>> point;
    constexpr int kAttempts = 16;
    for (int attempt = 0; attempt < kAttempts && !point; ++attempt) {
      std::vector<double> candidate = tpe_point(cube, good, bad, options_, random);
      if (!used.contains(cube.key(candidate))) point = std::move(candidate);
    }
    if (!point) point = sample_unused(cube, used, random);
    if (!point) break;
    used.insert(cube.key(*point));
    suggestions.push_back(cube.decode(*point));
    picked.push_back(std::move(*point));
    bad.push_back(&picked.back());
  }
  return suggestions;
}

namespace {

std::unique_ptr<Sampler> make_tpe_sampler(const SamplerSettings& settings) {
  TpeOptions options;
  if (settings.initial_trials > 0) options.startup_trials = settings.initial_trials;
  return std::make_unique<TpeSampler>(options);
}

}  // namespace

// Not one of AI Platform's names: listed after them.
TREELINE_REGISTER_SAMPLER(Tpe, "TPE", 3, {.initial_trials = true}, make_tpe_sampler);

}  // namespace treeline::tuning
