#pragma once
// The hyperparameter search space in AI Platform's terms (trainingInput.hyperparameters.params).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace treeline::tuning {

enum class ParameterType { kDouble, kInteger, kCategorical, kDiscrete };
enum class ScaleType { kUnspecified, kLinear, kLog, kReverseLog };
enum class Goal { kMaximize, kMinimize };
// Whether `a` beats `b` under `goal` (strictly: a tie is no better).
inline bool is_better(double a, double b, Goal goal) { return goal == Goal::kMaximize ? a > b : a < b; }

struct ParameterSpec {
  std::string name;
  ParameterType type = ParameterType::kDouble;
  double min_value = 0;  // kDouble, kInteger
  double max_value = 0;  // kDouble, kInteger
  std::vector<std::string> categorical_values;  // kCategorical
  std::vector<double> discrete_values;          // kDiscrete, ascending
  ScaleType scale = ScaleType::kUnspecified;    // kDouble, kInteger, kDiscrete
};

struct SearchSpace {
  std::vector<ParameterSpec> params;
};

// kDouble and kDiscrete take a double, kInteger an int64, kCategorical a string.
using ParameterValue = std::variant<double, std::int64_t, std::string>;
using Assignment = std::map<std::string, ParameterValue>;

// "0.3", "6", "hist": how a value is passed to a trainer as --name=value and shown in tables.
std::string format_value(const ParameterValue& value);

// A value a trial reported on the way, measured at a point of its own (jobs::observation_of:
// its proposed point with treeline.stepParameter set to the report's step).
struct PartialMeasurement {
  Assignment at{};
  double value = 0;
  std::optional<double> cost_seconds{};  // seconds the trial had run by then, when known
};

// What a sampler knows of one earlier or running trial.
struct Observation {
  Assignment params{};
  std::optional<double> value{};  // the final objective; empty while running or when it failed
  bool running = false;
  // Seconds the trial took: what a cost-aware sampler learns the price of a point from. Empty
  // when unknown. For a trial stopped early it is a lower bound (the point costs at least that),
  // unless it is measured at the step it reached (`measured_at`).
  std::optional<double> cost_seconds{};
  bool cost_is_lower_bound = false;
  // Stopped before it ran to its end: its value was never measured at `params` (whatever
  // `measured_at` says), so it is no candidate for the study's best hyperparameters.
  bool stopped_early = false;
  // Where the value and the cost were measured, when not at `params` (jobs::observation_of:
  // treeline.stepParameter). `params` stays the proposed point, so it is not proposed again.
  std::optional<Assignment> measured_at{};
  // The values it reported before its last, each where it was measured, in step order: a curve
  // of boosting rounds holds the value of every shorter model of the same kind for free.
  std::vector<PartialMeasurement> partial{};
};

}  // namespace treeline::tuning
