#include "treeline/tuning/gaussian_process_sampler.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numeric>
#include <optional>

#include "treeline/common/random.h"
#include "treeline/tuning/sampler_registry.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::tuning {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kSqrt5 = 2.2360679774997896;
constexpr double kLogTwoPi = 1.8378770664093453;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Partial measurements of one curve closer than this in the cube are learnt once: about a fifth
// more boosting rounds over a 200-1000 log range, five or six points of a ten-report curve.
constexpr double kPartialSpacing = 0.1;

// ---------------------------------------------------------------------------------------------
// The kernel: Matern-5/2 with one lengthscale per feature. Inputs are shifted to the cube's
// centre before scaling so squared distances from |a|^2 + |b|^2 - 2ab lose little to rounding.

struct KernelParameters {
  VectorXd inverse_lengthscale;
  double signal_variance = 1;
  double noise_variance = 1e-4;
};

MatrixXd scaled_inputs(const MatrixXd& features, const VectorXd& inverse_lengthscale) {
  return (features.array() - 0.5).matrix() * inverse_lengthscale.asDiagonal();
}

// Squared distances between the rows of two scaled input matrices.
MatrixXd squared_distances(const MatrixXd& a, const MatrixXd& b) {
  MatrixXd d = -2.0 * a * b.transpose();
  d.colwise() += a.rowwise().squaredNorm();
  d.rowwise() += b.rowwise().squaredNorm().transpose();
  return d.cwiseMax(0.0);
}

// Matern-5/2 correlation of squared scaled distances, elementwise.
MatrixXd matern52(const MatrixXd& squared_distance) {
  const Eigen::ArrayXXd r = squared_distance.array().sqrt();
  return ((1.0 + kSqrt5 * r + (5.0 / 3.0) * squared_distance.array()) * (-kSqrt5 * r).exp()).matrix();
}

// The model's input rows for points of the cube (UnitCube::features: numeric coordinates as they
// are, categoricals one-hot); `coordinates_of` gets a point's coordinates from an element.
template <typename Points, typename Coordinates>
MatrixXd feature_matrix(const UnitCube& cube, const Points& points, Coordinates coordinates_of) {
  MatrixXd out(static_cast<Eigen::Index>(std::size(points)), static_cast<Eigen::Index>(cube.feature_dimension()));
  std::vector<double> row(cube.feature_dimension());
  Eigen::Index i = 0;
  for (const auto& point : points) {
    cube.features(coordinates_of(point), row);
    out.row(i++) = Eigen::Map<const Eigen::RowVectorXd>(row.data(), out.cols());
  }
  return out;
}

const std::vector<double>& coordinates(const std::vector<double>& point) { return point; }
const std::vector<double>& trial_coordinates(const EncodedTrial* trial) { return trial->point; }

// ---------------------------------------------------------------------------------------------
// Kernel hyperparameters: maximum a posteriori under log-normal priors, with the parameters
// theta = (log lengthscale_1..D, log signal variance, log noise variance).

struct LogNormalPrior {
  double mean;  // of the log
  double sd;
};

struct HyperPriors {
  std::vector<LogNormalPrior> lengthscale;  // one per feature
  LogNormalPrior signal{0.0, 1.0};
  LogNormalPrior noise{std::log(1e-3), 2.0};
  // Bounds in log space; leaving them costs a steep quadratic penalty.
  double min_log_lengthscale = std::log(5e-3);
  double max_log_lengthscale = std::log(1e2);
  double min_log_signal = std::log(5e-2);
  double max_log_signal = std::log(2e1);
  double min_log_noise = std::log(1e-6);
  double max_log_noise = std::log(1.0);
};

HyperPriors default_priors(const UnitCube& cube) {
  HyperPriors priors;
  // Longer lengthscales in more dimensions (Hvarfner et al., 2024): distances grow as sqrt(D).
  const double numeric = std::log(0.25) + 0.5 * std::log(static_cast<double>(cube.feature_dimension()));
  // Categories start out alike, so what is learnt for one informs the others; the data can
  // still tell them apart. (On the mixed benchmark this is the difference between finding the
  // best category and settling in the first good one.)
  const double categorical = numeric + std::log(4.0);
  constexpr double kSpread = 0.7;
  for (const ParameterSpec& spec : cube.space().params) {
    if (spec.type == ParameterType::kCategorical) {
      priors.lengthscale.insert(priors.lengthscale.end(), spec.categorical_values.size(),
                                {categorical, kSpread});
    } else {
      priors.lengthscale.push_back({numeric, kSpread});
    }
  }
  return priors;
}

class NegativeLogPosterior {
 public:
  NegativeLogPosterior(const MatrixXd& features, const VectorXd& targets, const HyperPriors& priors)
      : centred_(features.array() - 0.5), targets_(targets), priors_(priors) {}

  std::size_t parameter_count() const { return static_cast<std::size_t>(centred_.cols()) + 2; }

  KernelParameters unpack(const VectorXd& theta) const {
    const Eigen::Index d = centred_.cols();
    KernelParameters kernel;
    kernel.inverse_lengthscale = (-theta.head(d).array()).exp();
    kernel.signal_variance = std::exp(theta[d]);
    kernel.noise_variance = std::exp(theta[d + 1]);
    return kernel;
  }

  // The value at theta, and its gradient in `gradient`; +inf where the kernel matrix is not
  // positive definite.
  double operator()(const VectorXd& theta, VectorXd& gradient) const {
    const Eigen::Index n = centred_.rows();
    const Eigen::Index d = centred_.cols();
    gradient.setZero(theta.size());
    double value = 0;
    // Priors and the soft box.
    auto add_prior = [&](Eigen::Index i, const LogNormalPrior& prior, double low, double high) {
      const double z = (theta[i] - prior.mean) / prior.sd;
      value += 0.5 * z * z;
      gradient[i] += z / prior.sd;
      constexpr double kWall = 50.0;
      if (theta[i] < low) {
        value += 0.5 * kWall * (low - theta[i]) * (low - theta[i]);
        gradient[i] -= kWall * (low - theta[i]);
      } else if (theta[i] > high) {
        value += 0.5 * kWall * (theta[i] - high) * (theta[i] - high);
        gradient[i] += kWall * (theta[i] - high);
      }
    };
    for (Eigen::Index i = 0; i < d; ++i) {
      add_prior(i, priors_.lengthscale[static_cast<std::size_t>(i)], priors_.min_log_lengthscale,
                priors_.max_log_lengthscale);
    }
    add_prior(d, priors_.signal, priors_.min_log_signal, priors_.max_log_signal);
    add_prior(d + 1, priors_.noise, priors_.min_log_noise, priors_.max_log_noise);
    if (n == 0) return value;

    const KernelParameters kernel = unpack(theta);
    const MatrixXd scaled = centred_ * kernel.inverse_lengthscale.asDiagonal();
    MatrixXd squared = squared_distances(scaled, scaled);
    squared.diagonal().setZero();
    const Eigen::ArrayXXd r = squared.array().sqrt();
    const Eigen::ArrayXXd decay = (-kSqrt5 * r).exp();
    const MatrixXd signal =
        (kernel.signal_variance * (1.0 + kSqrt5 * r + (5.0 / 3.0) * squared.array()) * decay).matrix();
    MatrixXd covariance = signal;
    covariance.diagonal().array() += kernel.noise_variance + 1e-9;
    const Eigen::LLT<MatrixXd> llt(covariance);
    if (llt.info() != Eigen::Success) return kInfinity;
    const VectorXd alpha = llt.solve(targets_);
    const double log_determinant = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    value += 0.5 * targets_.dot(alpha) + 0.5 * log_determinant + 0.5 * static_cast<double>(n) * kLogTwoPi;

    // d(log likelihood)/dK = W / 2 with W = alpha alpha' - K^-1.
    MatrixXd w = -llt.solve(MatrixXd::Identity(n, n));
    w.noalias() += alpha * alpha.transpose();
    // dK/d(log lengthscale_m) = s2 (5/3)(1 + sqrt5 r) e^(-sqrt5 r) (x_im - x_jm)^2 / l_m^2, and
    // sum_ij G_ij (x_im - x_jm)^2 = 2 sum_i x_im^2 (G 1)_i - 2 x_m' G x_m for symmetric G.
    const MatrixXd g =
        (w.array() * (kernel.signal_variance * (5.0 / 3.0)) * (1.0 + kSqrt5 * r) * decay).matrix();
    const VectorXd row_sums = g.rowwise().sum();
    const MatrixXd g_x = g * centred_;
    for (Eigen::Index m = 0; m < d; ++m) {
      const double weighted = 2.0 * centred_.col(m).array().square().matrix().dot(row_sums) -
                              2.0 * centred_.col(m).dot(g_x.col(m));
      const double inverse_square = kernel.inverse_lengthscale[m] * kernel.inverse_lengthscale[m];
      gradient[m] -= 0.5 * inverse_square * weighted;
    }
    gradient[d] -= 0.5 * (w.array() * signal.array()).sum();
    gradient[d + 1] -= 0.5 * kernel.noise_variance * w.trace();
    return value;
  }

 private:
  MatrixXd centred_;
  VectorXd targets_;
  HyperPriors priors_;
};

// Limited-memory BFGS with a backtracking line search; returns the best point found.
template <typename Objective>
VectorXd minimize_lbfgs(const Objective& objective, VectorXd x, int max_iterations) {
  constexpr std::size_t kMemory = 8;
  VectorXd gradient(x.size());
  double value = objective(x, gradient);
  std::deque<VectorXd> steps;
  std::deque<VectorXd> gradient_changes;
  VectorXd next_gradient(x.size());
  for (int iteration = 0; iteration < max_iterations && std::isfinite(value); ++iteration) {
    if (gradient.lpNorm<Eigen::Infinity>() < 1e-5) break;
    // Two-loop recursion for the quasi-Newton direction.
    VectorXd direction = gradient;
    std::vector<double> coefficients(steps.size());
    for (std::size_t i = steps.size(); i-- > 0;) {
      coefficients[i] = steps[i].dot(direction) / steps[i].dot(gradient_changes[i]);
      direction -= coefficients[i] * gradient_changes[i];
    }
    if (!steps.empty()) {
      direction *= steps.back().dot(gradient_changes.back()) / gradient_changes.back().squaredNorm();
    } else {
      direction /= std::max(1.0, gradient.norm());  // a first step of at most 1 in log space
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const double beta = gradient_changes[i].dot(direction) / steps[i].dot(gradient_changes[i]);
      direction += (coefficients[i] - beta) * steps[i];
    }
    direction = -direction;
    double slope = gradient.dot(direction);
    if (!(slope < 0)) {
      steps.clear();
      gradient_changes.clear();
      direction = -gradient / std::max(1.0, gradient.norm());
      slope = gradient.dot(direction);
    }
    double step = 1.0;
    double next_value = kInfinity;
    VectorXd next = x;
    for (int halving = 0; halving < 30; ++halving, step *= 0.5) {
      next = x + step * direction;
      next_value = objective(next, next_gradient);
      if (next_value <= value + 1e-4 * step * slope) break;
    }
    if (!(next_value <= value + 1e-4 * step * slope)) break;
    const VectorXd step_taken = next - x;
    const VectorXd gradient_change = next_gradient - gradient;
    if (step_taken.dot(gradient_change) > 1e-12) {
      steps.push_back(step_taken);
      gradient_changes.push_back(gradient_change);
      if (steps.size() > kMemory) {
        steps.pop_front();
        gradient_changes.pop_front();
      }
    }
    const double improvement = value - next_value;
    x = next;
    value = next_value;
    gradient = next_gradient;
    if (improvement < 1e-5 * (1.0 + std::abs(value))) break;
  }
  return x;
}

// One L-BFGS run from the priors' mode: on the benchmarks, restarts from draws of the priors
// found no better models and cost half the time.
KernelParameters fit_kernel(const UnitCube& cube, const MatrixXd& features, const VectorXd& targets) {
  const HyperPriors priors = default_priors(cube);
  const NegativeLogPosterior objective(features, targets, priors);
  const Eigen::Index d = features.cols();
  VectorXd start(objective.parameter_count());
  for (Eigen::Index i = 0; i < d; ++i) start[i] = priors.lengthscale[static_cast<std::size_t>(i)].mean;
  start[d] = priors.signal.mean;
  start[d + 1] = priors.noise.mean;
  constexpr int kMaxIterations = 60;
  return objective.unpack(minimize_lbfgs(objective, start, kMaxIterations));
}

// ---------------------------------------------------------------------------------------------
// The posterior for fixed kernel parameters, which grows by one point at a time for the liar.

class GaussianProcess {
 public:
  GaussianProcess(MatrixXd features, VectorXd targets, KernelParameters kernel)
      : features_(std::move(features)), targets_(std::move(targets)), kernel_(std::move(kernel)) {
    factorise();
  }

  void add(std::span<const double> point_features, double target) {
    const Eigen::Index n = features_.rows();
    features_.conservativeResize(n + 1, Eigen::NoChange);
    for (Eigen::Index j = 0; j < features_.cols(); ++j) features_(n, j) = point_features[j];
    targets_.conservativeResize(n + 1);
    targets_[n] = target;
    factorise();
  }

  // Posterior mean and variance of the latent function at the rows of `candidates`.
  void predict(const MatrixXd& candidates, VectorXd& mean, VectorXd& variance) const {
    const MatrixXd scaled = scaled_inputs(candidates, kernel_.inverse_lengthscale);
    const MatrixXd cross = kernel_.signal_variance * matern52(squared_distances(scaled_, scaled));
    mean.noalias() = cross.transpose() * alpha_;
    const MatrixXd whitened = llt_.matrixL().solve(cross);
    variance =
        (kernel_.signal_variance - whitened.colwise().squaredNorm().array()).max(1e-12).matrix().transpose();
  }

 private:
  void factorise() {
    scaled_ = scaled_inputs(features_, kernel_.inverse_lengthscale);
    MatrixXd squared = squared_distances(scaled_, scaled_);
    squared.diagonal().setZero();
    MatrixXd covariance = kernel_.signal_variance * matern52(squared);
    // Jitter grows until the factorisation holds (duplicated points with almost no noise).
    for (double jitter = 1e-9;; jitter *= 10) {
      MatrixXd noisy = covariance;
      noisy.diagonal().array() += kernel_.noise_variance + jitter;
      llt_.compute(noisy);
      if (llt_.info() == Eigen::Success || jitter > 1) break;
    }
    alpha_ = llt_.solve(targets_);
  }

  MatrixXd features_;
  VectorXd targets_;
  KernelParameters kernel_;
  MatrixXd scaled_;
  Eigen::LLT<MatrixXd> llt_;
  VectorXd alpha_;
};

// log(E[max(best - f, 0)]) for f ~ N(mean, variance), accurate far into the tail.
double log_expected_improvement(double best, double mean, double variance) {
  const double sd = std::sqrt(variance);
  const double z = (best - mean) / sd;
  constexpr double kLogInvSqrtTwoPi = -0.9189385332046727;
  if (z > -6.0) {
    const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
    const double pdf = std::exp(kLogInvSqrtTwoPi - 0.5 * z * z);
    return std::log(std::max(z * cdf + pdf, 1e-300)) + std::log(sd);
  }
  // z cdf(z) + pdf(z) = pdf(z) (1/z^2 - 3/z^4 + 15/z^6 - ...) as z -> -inf.
  const double inverse_square = 1.0 / (z * z);
  return kLogInvSqrtTwoPi - 0.5 * z * z +
         std::log(inverse_square * (1.0 - 3.0 * inverse_square + 15.0 * inverse_square * inverse_square)) +
         std::log(sd);
}

// The inverse of the standard normal CDF (Acklam's rational approximation, relative error
// below 1.2e-9), for p in (0, 1).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549671010458449e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - kLow) return -normal_quantile(1 - p);
  const double q = p - 0.5;
  const double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// Targets for the model from losses (lower is better), monotone so the best stays the best:
// the worse half is replaced by normal quantiles of its ranks, scaled by the spread of the
// better half (as Vizier's half-rank warping does), so one diverged trial with a huge loss
// cannot flatten the rest; then standardised. (A further log warping of the best values was
// tried and lost on every benchmark.)
VectorXd warp_losses(const VectorXd& losses) {
  const Eigen::Index n = losses.size();
  std::vector<double> sorted(losses.data(), losses.data() + n);
  std::sort(sorted.begin(), sorted.end());
  VectorXd warped = losses;
  if (n >= 3) {
    const double median =
        0.5 * (sorted[static_cast<std::size_t>((n - 1) / 2)] + sorted[static_cast<std::size_t>(n / 2)]);
    double good_spread = 0;
    int good_count = 0;
    for (double y : sorted) {
      if (y <= median) {
        good_spread += (y - median) * (y - median);
        ++good_count;
      }
    }
    good_spread = std::sqrt(good_spread / std::max(1, good_count));
    for (Eigen::Index i = 0; i < n; ++i) {
      if (losses[i] <= median || good_spread <= 0) continue;
      // Mid-rank among all values, so ties stay ties.
      const auto below = std::lower_bound(sorted.begin(), sorted.end(), losses[i]) - sorted.begin();
      const auto through = std::upper_bound(sorted.begin(), sorted.end(), losses[i]) - sorted.begin();
      const double quantile = (0.5 * static_cast<double>(below + through)) / static_cast<double>(n);
      warped[i] =
          std::min(losses[i], median + good_spread * normal_quantile(quantile) / normal_quantile(0.75));
    }
  }
  const double mean = warped.mean();
  const double spread = std::sqrt((warped.array() - mean).square().sum() / static_cast<double>(n));
  return (warped.array() - mean) / (spread > 0 ? spread : 1.0);
}

// ---------------------------------------------------------------------------------------------

struct Candidate {
  double score;
  std::vector<double> point;
};

// What a point is expected to cost: a GP on the standardised log seconds of the trials. Acquisition
// divides EI by cost^exponent (Snoek et al., 2012: "EI per second"), i.e. subtracts exponent * log
// cost from log EI.
struct CostModel {
  GaussianProcess model;
  double log_cost_mean;   // the mean the targets were centred on
  double log_cost_scale;  // the standard deviation the targets were divided by
  double exponent;

  // The expected log seconds of each row of `features`.
  VectorXd log_seconds(const MatrixXd& features) const {
    VectorXd mean, variance;
    model.predict(features, mean, variance);
    return (mean.array() * log_cost_scale + log_cost_mean).matrix();
  }
};

std::optional<CostModel> fit_cost_model_on(const UnitCube& cube, const std::vector<const EncodedTrial*>& costed,
                                           const GaussianProcessOptions& options) {
  const auto n = static_cast<Eigen::Index>(costed.size());
  VectorXd log_costs(n);
  for (Eigen::Index i = 0; i < n; ++i) log_costs[i] = *costed[static_cast<std::size_t>(i)]->log_cost;
  const double mean = log_costs.mean();
  const double scale = std::sqrt((log_costs.array() - mean).square().sum() / static_cast<double>(n));
  // Costs within a few per cent of each other are noise, not a price worth steering by.
  if (scale < 0.05) return std::nullopt;
  MatrixXd features = feature_matrix(cube, costed, trial_coordinates);
  const VectorXd targets = (log_costs.array() - mean) / scale;
  KernelParameters kernel = fit_kernel(cube, features, targets);
  return CostModel{GaussianProcess(std::move(features), targets, std::move(kernel)), mean, scale,
                   options.cost_exponent};
}

// Learns from the trials that ran to their end (or were measured at the step they reached) and
// the partial measurements of their curves, then from those stopped early whose time so far
// already exceeds what the first model expects of their point: they cost at least that much, so
// they enter at that bound (a conservative imputation of a censored time). Without them, a
// region whose trials are always stopped halfway would look as cheap as the model guesses.
std::optional<CostModel> fit_cost_model(const UnitCube& cube, const std::vector<const EncodedTrial*>& learnt,
                                        const GaussianProcessOptions& options) {
  std::vector<const EncodedTrial*> costed, bounded;
  for (const EncodedTrial* t : learnt)
    if (t->log_cost) (t->cost_is_lower_bound ? bounded : costed).push_back(t);
  // Partial measurements (no key) price one curve's steps only: the count is of trials.
  const auto costed_trials = static_cast<std::size_t>(
      std::count_if(costed.begin(), costed.end(), [](const EncodedTrial* t) { return !t->key.empty(); }));
  if (options.cost_exponent <= 0 || costed_trials < options.min_costed_trials) return std::nullopt;
  std::optional<CostModel> model = fit_cost_model_on(cube, costed, options);
  if (bounded.empty()) return model;
  double exact_mean = 0;
  for (const EncodedTrial* t : costed) exact_mean += *t->log_cost / static_cast<double>(costed.size());
  const VectorXd expected = model ? model->log_seconds(feature_matrix(cube, bounded, trial_coordinates))
                                  : VectorXd::Constant(static_cast<Eigen::Index>(bounded.size()), exact_mean);
  const std::size_t exact = costed.size();
  for (std::size_t i = 0; i < bounded.size(); ++i)
    if (*bounded[i]->log_cost > expected[static_cast<Eigen::Index>(i)]) costed.push_back(bounded[i]);
  return costed.size() == exact ? model : fit_cost_model_on(cube, costed, options);
}

class AcquisitionSearch {
 public:
  AcquisitionSearch(const UnitCube& cube, const GaussianProcess& model, double best_target,
                    const CostModel* cost = nullptr)
      : cube_(cube), model_(model), best_target_(best_target), cost_(cost) {}

  // log EI of each point (snapped points of the cube), less exponent * log of its expected cost.
  std::vector<double> score(const std::vector<std::vector<double>>& points) const {
    const MatrixXd features = feature_matrix(cube_, points, coordinates);
    VectorXd mean, variance;
    model_.predict(features, mean, variance);
    std::vector<double> scores(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      scores[i] = log_expected_improvement(best_target_, mean[static_cast<Eigen::Index>(i)],
                                           variance[static_cast<Eigen::Index>(i)]);
    }
    if (cost_ != nullptr) {
      const VectorXd log_seconds = cost_->log_seconds(features);
      for (std::size_t i = 0; i < points.size(); ++i) scores[i] -= cost_->exponent * log_seconds[static_cast<Eigen::Index>(i)];
    }
    return scores;
  }

  // The random pool plus the accepted local refinements, scored, best first.
  std::vector<Candidate> search(const std::vector<std::vector<double>>& anchors,
                                std::size_t random_candidates, Random& random) const {
    std::vector<std::vector<double>> pool;
    for (std::size_t i = 0; i < random_candidates; ++i) pool.push_back(cube_.sample(random));
    // Candidates around the best trials at several radii: EI's optimum is often close by.
    constexpr double kRadii[] = {0.01, 0.03, 0.1, 0.3};
    for (const auto& anchor : anchors) {
      for (int i = 0; i < 40; ++i) pool.push_back(perturb(anchor, kRadii[i % 4], random));
    }
    std::vector<Candidate> scored = to_candidates(pool, score(pool));
    std::sort(scored.begin(), scored.end(),
              [](const Candidate& a, const Candidate& b) { return a.score > b.score; });

    // Local refinement of the best few distinct starting points, all advanced together.
    constexpr std::size_t kStarts = 5;
    constexpr int kNeighbours = 12;
    constexpr int kRounds = 30;
    std::vector<Candidate> current;
    for (const Candidate& c : scored) {
      if (current.size() == kStarts) break;
      const bool repeated =
          std::any_of(current.begin(), current.end(), [&](const Candidate& o) { return o.point == c.point; });
      if (!repeated) current.push_back(c);
    }
    std::vector<double> radius(current.size(), 0.1);
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::vector<double>> neighbours;
      std::vector<std::size_t> owner;
      for (std::size_t s = 0; s < current.size(); ++s) {
        if (radius[s] < 1e-3) continue;
        for (int k = 0; k < kNeighbours; ++k) {
          neighbours.push_back(perturb(current[s].point, radius[s], random));
          owner.push_back(s);
        }
      }
      if (neighbours.empty()) break;
      const std::vector<double> scores = score(neighbours);
      std::vector<std::optional<std::size_t>> best_neighbour(current.size());
      for (std::size_t i = 0; i < neighbours.size(); ++i) {
        const std::size_t s = owner[i];
        if (scores[i] > current[s].score && (!best_neighbour[s] || scores[i] > scores[*best_neighbour[s]])) {
          best_neighbour[s] = i;
        }
      }
      for (std::size_t s = 0; s < current.size(); ++s) {
        if (radius[s] < 1e-3) continue;
        if (best_neighbour[s]) {
          current[s] = {scores[*best_neighbour[s]], neighbours[*best_neighbour[s]]};
          scored.push_back(current[s]);
          radius[s] = std::min(0.3, radius[s] * 1.5);
        } else {
          radius[s] *= 0.5;
        }
      }
    }
    std::sort(scored.begin(), scored.end(),
              [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
    return scored;
  }

 private:
  static std::vector<Candidate> to_candidates(std::vector<std::vector<double>>& points,
                                              const std::vector<double>& scores) {
    std::vector<Candidate> out;
    out.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) out.push_back({scores[i], std::move(points[i])});
    return out;
  }

  // A nearby snapped point: numeric coordinates moved by N(0, radius^2), each categorical
  // redrawn with probability max(radius, 1 / parameters), so that categories are explored
  // even once the radius has shrunk.
  std::vector<double> perturb(const std::vector<double>& point, double radius, Random& random) const {
    std::vector<double> moved = point;
    const auto& params = cube_.space().params;
    for (std::size_t i = 0; i < moved.size(); ++i) {
      if (params[i].type == ParameterType::kCategorical) {
        if (random.uniform() < std::max(radius, 1.0 / static_cast<double>(moved.size()))) {
          moved[i] = cube_.value_coordinate(i, random.below(*cube_.value_count(i)));
        }
      } else {
        // Reflect at the walls so the boundary is not over-weighted.
        double x = moved[i] + radius * random.normal();
        if (x < 0) x = -x;
        if (x > 1) x = 2 - x;
        moved[i] = std::clamp(x, 0.0, 1.0);
      }
    }
    cube_.snap(moved);
    return moved;
  }

  const UnitCube& cube_;
  const GaussianProcess& model_;
  double best_target_;
  const CostModel* cost_;
};

// The farthest of many random unused points from every point so far (in feature space); the
// centre of the cube when there is nothing yet. With a cost model, the most new ground per
// expected second instead: the volume of the empty ball around the point (distance to the
// nearest, to the power of the dimension) less exponent * log cost, as the acquisition does with
// EI, so the space-filling start does not spend its trials in the priciest corners.
std::optional<std::vector<double>> space_filling_point(const UnitCube& cube,
                                                       const std::vector<std::vector<double>>& taken,
                                                       const std::unordered_set<std::string>& used, Random& random,
                                                       const CostModel* cost) {
  if (taken.empty()) {
    std::vector<double> centre(cube.dimension(), 0.5);
    cube.snap(centre);
    if (!used.contains(cube.key(centre))) return centre;
  }
  std::vector<std::vector<double>> taken_features;
  std::vector<double> row(cube.feature_dimension());
  for (const auto& point : taken) {
    cube.features(point, row);
    taken_features.push_back(row);
  }
  constexpr int kDraws = 200;
  std::vector<std::vector<double>> draws;
  std::vector<double> scores;
  for (int draw = 0; draw < kDraws; ++draw) {
    std::optional<std::vector<double>> point = sample_unused(cube, used, random);
    if (!point) break;
    cube.features(*point, row);
    double nearest = kInfinity;
    for (const auto& other : taken_features) {
      double d = 0;
      for (std::size_t j = 0; j < row.size(); ++j) d += (row[j] - other[j]) * (row[j] - other[j]);
      nearest = std::min(nearest, d);
    }
    draws.push_back(std::move(*point));
    scores.push_back(0.5 * static_cast<double>(row.size()) * std::log(std::max(nearest, 1e-300)));
  }
  if (draws.empty()) return std::nullopt;
  if (cost != nullptr) {
    const VectorXd log_seconds = cost->log_seconds(feature_matrix(cube, draws, coordinates));
    for (std::size_t i = 0; i < draws.size(); ++i) scores[i] -= cost->exponent * log_seconds[static_cast<Eigen::Index>(i)];
  }
  const auto best = std::max_element(scores.begin(), scores.end()) - scores.begin();
  return std::move(draws[static_cast<std::size_t>(best)]);
}

// At most this many points are learnt: it keeps the cubic cost of a suggestion near a tenth of a
// second.
constexpr std::size_t kLearntLimit = 200;

// The finished trials the model learns from: all of them up to kLearntLimit; past it the best
// half of the limit and the most recent of the others.
std::vector<const EncodedTrial*> trials_to_learn_from(const std::vector<const EncodedTrial*>& finished) {
  if (finished.size() <= kLearntLimit) return finished;
  std::vector<std::size_t> by_loss(finished.size());
  std::iota(by_loss.begin(), by_loss.end(), 0);
  std::stable_sort(by_loss.begin(), by_loss.end(),
                   [&](std::size_t a, std::size_t b) { return *finished[a]->loss < *finished[b]->loss; });
  std::vector<bool> keep(finished.size(), false);
  for (std::size_t i = 0; i < kLearntLimit / 2; ++i) keep[by_loss[i]] = true;
  std::size_t kept = kLearntLimit / 2;
  for (std::size_t i = finished.size(); i-- > 0 && kept < kLearntLimit;) {
    if (!keep[i]) {
      keep[i] = true;
      ++kept;
    }
  }
  std::vector<const EncodedTrial*> chosen;
  for (std::size_t i = 0; i < finished.size(); ++i) {
    if (keep[i]) chosen.push_back(finished[i]);
  }
  return chosen;
}

// What the models learn from, and the trial each point comes from (its index in the history).
struct LearntPoints {
  std::vector<const EncodedTrial*> points;
  std::vector<std::size_t> source;
};

// The trials trials_to_learn_from keeps, then as many of their partial measurements as the limit
// leaves room for, the best trials' curves first: a long study never trades a trial's own value
// for another point of a good curve.
LearntPoints points_to_learn_from(const std::vector<EncodedTrial>& trials,
                                  const std::vector<std::vector<EncodedTrial>>& partial,
                                  const std::vector<const EncodedTrial*>& finished) {
  LearntPoints out;
  out.points = trials_to_learn_from(finished);
  for (const EncodedTrial* t : out.points) out.source.push_back(static_cast<std::size_t>(t - trials.data()));
  std::vector<std::size_t> by_loss = out.source;
  std::stable_sort(by_loss.begin(), by_loss.end(),
                   [&](std::size_t a, std::size_t b) { return *trials[a].loss < *trials[b].loss; });
  for (std::size_t i : by_loss) {
    for (const EncodedTrial& point : partial[i]) {
      if (out.points.size() >= kLearntLimit) return out;
      out.points.push_back(&point);
      out.source.push_back(i);
    }
  }
  return out;
}

// What the value model learns: the learnt points' losses, warped and standardised.
VectorXd learnt_targets(const std::vector<const EncodedTrial*>& learnt) {
  VectorXd losses(static_cast<Eigen::Index>(learnt.size()));
  for (std::size_t i = 0; i < learnt.size(); ++i) losses[static_cast<Eigen::Index>(i)] = *learnt[i]->loss;
  return warp_losses(losses);
}

// A history in the cube's coordinates and what the models learn from it. The reports of a curve
// before its last (treeline.stepParameter) are learnt like trials, but neither count as trials
// nor fill the space: they were never proposed. Built in place and never moved, as `finished` and
// `learnt` point into `trials` and `partial`.
struct EncodedStudy {
  EncodedStudy(const UnitCube& cube, const std::vector<Observation>& history, Goal goal)
      : trials(encode_history(cube, history, goal)),
        partial(encode_partial_measurements(cube, history, goal, kPartialSpacing)) {
    for (const EncodedTrial& trial : trials)
      if (trial.loss) finished.push_back(&trial);
    learnt = points_to_learn_from(trials, partial, finished);
  }
  EncodedStudy(const EncodedStudy&) = delete;
  EncodedStudy& operator=(const EncodedStudy&) = delete;

  std::vector<EncodedTrial> trials;
  std::vector<std::vector<EncodedTrial>> partial;
  std::vector<const EncodedTrial*> finished;  // trials with a value
  LearntPoints learnt;
};

}  // namespace

std::vector<Assignment> GaussianProcessSampler::suggest(const SuggestRequest& request) {
  const UnitCube cube(request.space);
  const EncodedStudy study(cube, request.history, request.goal);
  const std::vector<EncodedTrial>& trials = study.trials;
  const std::vector<const EncodedTrial*>& finished = study.finished;
  const LearntPoints& learnt_points = study.learnt;
  Random random(request.seed);

  std::unordered_set<std::string> used = used_keys(trials);
  std::vector<std::vector<double>> taken;
  for (const EncodedTrial& trial : trials) {
    // A trial stopped early fills both where it was proposed and where it was measured.
    taken.push_back(trial.proposed);
    if (trial.point != trial.proposed) taken.push_back(trial.point);
  }
  const std::size_t initial_trials =
      options_.initial_trials > 0 ? options_.initial_trials : std::max<std::size_t>(3, cube.dimension() + 1);

  std::vector<Assignment> suggestions;
  auto accept = [&](const std::vector<double>& point) {
    used.insert(cube.key(point));
    taken.push_back(point);
    suggestions.push_back(cube.decode(point));
  };

  if (finished.size() < initial_trials) {
    const std::optional<CostModel> cost = fit_cost_model(cube, learnt_points.points, options_);
    while (suggestions.size() < request.count) {
      const auto point = space_filling_point(cube, taken, used, random, cost ? &*cost : nullptr);
      if (!point) break;
      accept(*point);
    }
    return suggestions;
  }

  const std::vector<const EncodedTrial*>& learnt = learnt_points.points;
  const auto n = static_cast<Eigen::Index>(learnt.size());
  const VectorXd targets = learnt_targets(learnt);

  // Running trials join the model, after its kernel is fitted, at the liar's value.
  std::vector<const EncodedTrial*> modelled = learnt;
  for (const EncodedTrial& trial : trials) {
    if (trial.running) modelled.push_back(&trial);
  }
  MatrixXd features = feature_matrix(cube, modelled, trial_coordinates);
  std::vector<double> sorted_targets(targets.data(), targets.data() + n);
  std::sort(sorted_targets.begin(), sorted_targets.end());
  const double best_target = sorted_targets.front();
  const double liar = sorted_targets[static_cast<std::size_t>(
      std::lround(std::clamp(options_.liar_quantile, 0.0, 1.0) * static_cast<double>(n - 1)))];
  VectorXd model_targets = VectorXd::Constant(features.rows(), liar);
  model_targets.head(n) = targets;

  const KernelParameters kernel = fit_kernel(cube, features.topRows(n), targets);
  GaussianProcess model(std::move(features), std::move(model_targets), kernel);

  // Anchors for local candidates: the best few points, one per trial (a good curve's points are
  // neighbours, and would crowd out other good regions).
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return targets[a] < targets[b]; });
  std::vector<std::vector<double>> anchors;
  std::unordered_set<std::size_t> anchored;
  for (std::size_t i = 0; i < order.size() && anchors.size() < 5; ++i) {
    const auto k = static_cast<std::size_t>(order[i]);
    if (anchored.insert(learnt_points.source[k]).second) anchors.push_back(learnt[k]->point);
  }

  const std::optional<CostModel> cost = fit_cost_model(cube, learnt, options_);
  while (suggestions.size() < request.count) {
    const AcquisitionSearch search(cube, model, best_target, cost ? &*cost : nullptr);
    const std::vector<Candidate> candidates = search.search(anchors, options_.random_candidates, random);
    std::optional<std::vector<double>> chosen;
    for (const Candidate& candidate : candidates) {
      if (!used.contains(cube.key(candidate.point))) {
        chosen = candidate.point;
        break;
      }
    }
    if (!chosen) chosen = sample_unused(cube, used, random);
    if (!chosen) break;
    accept(*chosen);
    std::vector<double> row(cube.feature_dimension());
    cube.features(*chosen, row);
    model.add(row, liar);
  }
  return suggestions;
}

// The model's mean at each trial that ran to its end where it was proposed, lowest loss first:
// where neighbouring trials and the curves agree, it outweighs one trial's lucky draw of
// validation rows (as Ax recommends by its model's predictions). A trial stopped early or measured
// elsewhere is left out, as its proposed point was never measured, and so are the trials before
// request.first_candidate.
std::optional<std::size_t> GaussianProcessSampler::recommend(const RecommendRequest& request) {
  const UnitCube cube(request.space);
  const EncodedStudy study(cube, request.history, request.goal);
  std::vector<const EncodedTrial*> candidates;
  for (const EncodedTrial* trial : study.finished) {
    const auto index = static_cast<std::size_t>(trial - study.trials.data());
    const Observation& observed = request.history[index];
    if (!observed.stopped_early && !observed.measured_at && index >= request.first_candidate)
      candidates.push_back(trial);
  }
  // A model fitted to fewer points has little to average over: its mean is the values.
  constexpr std::size_t kMinimumTrials = 3;
  if (study.finished.size() < kMinimumTrials || candidates.empty()) return std::nullopt;

  const std::vector<const EncodedTrial*>& learnt = study.learnt.points;
  const VectorXd targets = learnt_targets(learnt);
  MatrixXd features = feature_matrix(cube, learnt, trial_coordinates);
  const KernelParameters kernel = fit_kernel(cube, features, targets);
  const GaussianProcess model(std::move(features), targets, kernel);
  VectorXd mean, variance;
  model.predict(feature_matrix(cube, candidates, trial_coordinates), mean, variance);
  Eigen::Index best = 0;
  mean.minCoeff(&best);
  return static_cast<std::size_t>(candidates[static_cast<std::size_t>(best)] - study.trials.data());
}

namespace {

std::unique_ptr<Sampler> make_gaussian_process_sampler(const SamplerSettings& settings) {
  GaussianProcessOptions options;
  options.cost_exponent = settings.cost_aware ? 1.0 : 0.0;
  options.initial_trials = settings.initial_trials;
  return std::make_unique<GaussianProcessSampler>(options);
}

}  // namespace

// AI Platform's default algorithm.
TREELINE_REGISTER_SAMPLER(GaussianProcess, "ALGORITHM_UNSPECIFIED", 0, {.cost_aware = true, .initial_trials = true, .recommends = true}, make_gaussian_process_sampler);

}  // namespace treeline::tuning
