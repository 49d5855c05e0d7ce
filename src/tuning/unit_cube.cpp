#include "treeline/tuning/unit_cube.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "treeline/common/error.h"

namespace treeline::tuning {
namespace {

const char* type_name(ParameterType type) {
  switch (type) {
    case ParameterType::kDouble:
      return "DOUBLE";
    case ParameterType::kInteger:
      return "INTEGER";
    case ParameterType::kCategorical:
      return "CATEGORICAL";
    case ParameterType::kDiscrete:
      return "DISCRETE";
  }
  return "?";
}

bool is_log(ScaleType scale) { return scale == ScaleType::kLog || scale == ScaleType::kReverseLog; }

// The continuous range a numeric parameter's coordinate spans before its scale is applied.
struct NumericRange {
  double low;
  double high;
};

NumericRange numeric_range(const ParameterSpec& spec) {
  switch (spec.type) {
    case ParameterType::kInteger:
      return {spec.min_value - 0.5, spec.max_value + 0.5};
    case ParameterType::kDiscrete:
      return {spec.discrete_values.front(), spec.discrete_values.back()};
    default:
      return {spec.min_value, spec.max_value};
  }
}

// The coordinate of a continuous value in `range` on `scale`, before any rounding.
double scaled_position(NumericRange range, ScaleType scale, double value) {
  if (!(range.high > range.low)) return 0.5;
  value = std::clamp(value, range.low, range.high);
  double unit;
  if (scale == ScaleType::kLog) {
    unit = std::log(value / range.low) / std::log(range.high / range.low);
  } else if (scale == ScaleType::kReverseLog) {
    unit = 1.0 - std::log((range.high + range.low - value) / range.low) / std::log(range.high / range.low);
  } else {
    unit = (value - range.low) / (range.high - range.low);
  }
  return std::clamp(unit, 0.0, 1.0);
}

double scaled_value(NumericRange range, ScaleType scale, double unit) {
  if (!(range.high > range.low)) return range.low;
  unit = std::clamp(unit, 0.0, 1.0);
  double value;
  if (scale == ScaleType::kLog) {
    value = range.low * std::exp(unit * std::log(range.high / range.low));
  } else if (scale == ScaleType::kReverseLog) {
    value = range.high + range.low - range.low * std::exp((1.0 - unit) * std::log(range.high / range.low));
  } else {
    value = range.low + unit * (range.high - range.low);
  }
  return std::clamp(value, range.low, range.high);
}

double numeric_value(const ParameterSpec& spec, const ParameterValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
  throw InputError("parameter '" + spec.name + "' (" + type_name(spec.type) + ") needs a number, got '" +
                   std::get<std::string>(value) + "'");
}

}  // namespace

std::size_t category_index(std::size_t category_count, double unit) {
  const double scaled = std::floor(std::clamp(unit, 0.0, 1.0) * static_cast<double>(category_count));
  return std::min(category_count - 1, static_cast<std::size_t>(std::max(0.0, scaled)));
}

std::string range_problem(const ParameterSpec& spec) {
  if (spec.type == ParameterType::kCategorical) return "";
  if (spec.type == ParameterType::kDiscrete && spec.discrete_values.empty()) return "";
  const NumericRange range = numeric_range(spec);
  if (!std::isfinite(range.low) || !std::isfinite(range.high) || !(range.high > range.low)) return "";
  bool fits;
  if (is_log(spec.scale)) {
    if (range.low <= 0) return "";  // refused as a log scale over non-positive values
    fits = std::isfinite(range.high / range.low) &&
           (spec.scale != ScaleType::kReverseLog || std::isfinite(range.high + range.low));
  } else {
    fits = std::isfinite(range.high - range.low);
  }
  if (fits) return "";
  const bool discrete = spec.type == ParameterType::kDiscrete;
  const char* what = spec.scale == ScaleType::kReverseLog ? "the ratio or the sum of its ends"
                     : spec.scale == ScaleType::kLog      ? "the ratio of its ends"
                                                          : "its width";
  return fmt::format("the range {} to {} is too wide to search on a {} scale ({} overflows a double); narrow it",
                     discrete ? spec.discrete_values.front() : spec.min_value,
                     discrete ? spec.discrete_values.back() : spec.max_value,
                     spec.scale == ScaleType::kReverseLog ? "reverse log" : is_log(spec.scale) ? "log" : "linear", what);
}

void validate_search_space(const SearchSpace& space) {
  if (space.params.empty()) throw InputError("the search space has no parameters");
  std::set<std::string> names;
  for (const ParameterSpec& spec : space.params) {
    const std::string where = "parameter '" + spec.name + "'";
    if (spec.name.empty()) throw InputError("a parameter of the search space has no name");
    if (!names.insert(spec.name).second) throw InputError(where + " is defined twice");
    switch (spec.type) {
      case ParameterType::kDouble:
      case ParameterType::kInteger: {
        if (!std::isfinite(spec.min_value) || !std::isfinite(spec.max_value) ||
            spec.min_value > spec.max_value) {
          throw InputError(where + " needs finite minValue <= maxValue");
        }
        if (spec.type == ParameterType::kInteger &&
            (spec.min_value != std::round(spec.min_value) || spec.max_value != std::round(spec.max_value))) {
          throw InputError(where + " is INTEGER but its minValue or maxValue is not a whole number");
        }
        if (is_log(spec.scale) && spec.min_value <= 0) {
          throw InputError(where + " has a log scale, which needs minValue > 0");
        }
        break;
      }
      case ParameterType::kDiscrete: {
        const auto& values = spec.discrete_values;
        if (values.empty()) throw InputError(where + " is DISCRETE but lists no discreteValues");
        for (std::size_t i = 0; i < values.size(); ++i) {
          if (!std::isfinite(values[i])) throw InputError(where + " lists a non-finite discrete value");
          if (i > 0 && !(values[i - 1] < values[i])) {
            throw InputError(where + " needs discreteValues in strictly ascending order");
          }
        }
        if (is_log(spec.scale) && values.front() <= 0) {
          throw InputError(where + " has a log scale, which needs positive discreteValues");
        }
        break;
      }
      case ParameterType::kCategorical: {
        if (spec.categorical_values.empty()) {
          throw InputError(where + " is CATEGORICAL but lists no categoricalValues");
        }
        std::set<std::string> seen(spec.categorical_values.begin(), spec.categorical_values.end());
        if (seen.size() != spec.categorical_values.size()) {
          throw InputError(where + " lists a categorical value twice");
        }
        break;
      }
    }
    if (const std::string problem = range_problem(spec); !problem.empty()) throw InputError(where + ": " + problem);
  }
}

double to_unit(const ParameterSpec& spec, double value) {
  return scaled_position(numeric_range(spec), spec.scale, value);
}

double from_unit(const ParameterSpec& spec, double unit) {
  const NumericRange range = numeric_range(spec);
  const double value = scaled_value(range, spec.scale, unit);
  switch (spec.type) {
    case ParameterType::kInteger:
      return std::clamp(std::round(value), spec.min_value, spec.max_value);
    case ParameterType::kDiscrete: {
      // Nearest listed value in coordinates, which is the pair around `value` on a monotone scale.
      const auto& values = spec.discrete_values;
      const auto upper = std::lower_bound(values.begin(), values.end(), value);
      if (upper == values.begin()) return values.front();
      if (upper == values.end()) return values.back();
      const double above = *upper;
      const double below = *(upper - 1);
      const double target = std::clamp(unit, 0.0, 1.0);
      return std::abs(to_unit(spec, above) - target) < std::abs(to_unit(spec, below) - target) ? above
                                                                                               : below;
    }
    default:
      return value;
  }
}

UnitCube::UnitCube(const SearchSpace& space) : space_(space) {
  validate_search_space(space);
  for (const ParameterSpec& spec : space.params) {
    feature_dimension_ += spec.type == ParameterType::kCategorical ? spec.categorical_values.size() : 1;
  }
}

std::vector<double> UnitCube::encode(const Assignment& assignment) const {
  std::vector<double> point(dimension());
  for (std::size_t i = 0; i < dimension(); ++i) {
    const ParameterSpec& spec = space_.params[i];
    const auto found = assignment.find(spec.name);
    if (found == assignment.end()) throw InputError("a trial has no value for parameter '" + spec.name + "'");
    if (spec.type == ParameterType::kCategorical) {
      const auto* text = std::get_if<std::string>(&found->second);
      const auto& values = spec.categorical_values;
      const auto match = text ? std::find(values.begin(), values.end(), *text) : values.end();
      if (match == values.end()) {
        throw InputError("parameter '" + spec.name + "' has value '" + format_value(found->second) +
                         "', which is not one of its categoricalValues");
      }
      point[i] = (static_cast<double>(match - values.begin()) + 0.5) / static_cast<double>(values.size());
    } else {
      point[i] = to_unit(spec, numeric_value(spec, found->second));
    }
  }
  return point;
}

Assignment UnitCube::decode(std::span<const double> point) const {
  Assignment assignment;
  for (std::size_t i = 0; i < dimension(); ++i) {
    const ParameterSpec& spec = space_.params[i];
    switch (spec.type) {
      case ParameterType::kCategorical:
        assignment[spec.name] =
            spec.categorical_values[category_index(spec.categorical_values.size(), point[i])];
        break;
      case ParameterType::kInteger:
        assignment[spec.name] = static_cast<std::int64_t>(from_unit(spec, point[i]));
        break;
      default:
        assignment[spec.name] = from_unit(spec, point[i]);
        break;
    }
  }
  return assignment;
}

void UnitCube::snap(std::span<double> point) const {
  for (std::size_t i = 0; i < dimension(); ++i) {
    const ParameterSpec& spec = space_.params[i];
    if (spec.type == ParameterType::kCategorical) {
      const std::size_t k = spec.categorical_values.size();
      point[i] = (static_cast<double>(category_index(k, point[i])) + 0.5) / static_cast<double>(k);
    } else if (spec.type == ParameterType::kDouble) {
      point[i] = std::clamp(point[i], 0.0, 1.0);
    } else {
      point[i] = to_unit(spec, from_unit(spec, point[i]));
    }
  }
}

std::vector<double> UnitCube::sample(Random& random) const {
  std::vector<double> point(dimension());
  for (std::size_t i = 0; i < dimension(); ++i) {
    const ParameterSpec& spec = space_.params[i];
    if (spec.type == ParameterType::kDiscrete || spec.type == ParameterType::kCategorical) {
      point[i] = value_coordinate(i, random.below(*value_count(i)));
    } else {
      point[i] = random.uniform();
    }
  }
  snap(point);
  return point;
}

void UnitCube::features(std::span<const double> point, std::span<double> out) const {
  std::size_t at = 0;
  for (std::size_t i = 0; i < dimension(); ++i) {
    const ParameterSpec& spec = space_.params[i];
    if (spec.type == ParameterType::kCategorical) {
      const std::size_t k = spec.categorical_values.size();
      const std::size_t chosen = category_index(k, point[i]);
      for (std::size_t c = 0; c < k; ++c) out[at + c] = c == chosen ? 1.0 : 0.0;
      at += k;
    } else {
      out[at++] = point[i];
    }
  }
}

std::optional<std::uint64_t> UnitCube::value_count(std::size_t index) const {
  const ParameterSpec& spec = space_.params[index];
  switch (spec.type) {
    case ParameterType::kDouble:
      // A fixed value (minValue == maxValue) is one value, so the space can still be used up.
      return spec.max_value > spec.min_value ? std::nullopt : std::optional<std::uint64_t>(1);
    case ParameterType::kInteger: {
      const double span = spec.max_value - spec.min_value + 1;
      if (span >= 9.2e18) return std::nullopt;
      return static_cast<std::uint64_t>(span);
    }
    case ParameterType::kDiscrete:
      return spec.discrete_values.size();
    case ParameterType::kCategorical:
      return spec.categorical_values.size();
  }
  return std::nullopt;
}

std::optional<std::uint64_t> UnitCube::cardinality() const {
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
  std::uint64_t total = 1;
  for (std::size_t i = 0; i < dimension(); ++i) {
    const auto count = value_count(i);
    if (!count || *count == 0 || total > kLimit / *count) return std::nullopt;
    total *= *count;
  }
  return total;
}

double UnitCube::value_coordinate(std::size_t index, std::uint64_t value_index) const {
  const ParameterSpec& spec = space_.params[index];
  switch (spec.type) {
    case ParameterType::kInteger:
      return to_unit(spec, spec.min_value + static_cast<double>(value_index));
    case ParameterType::kDiscrete:
      return to_unit(spec, spec.discrete_values.at(value_index));
    case ParameterType::kCategorical:
      return (static_cast<double>(value_index) + 0.5) / static_cast<double>(spec.categorical_values.size());
    case ParameterType::kDouble:
      if (!(spec.max_value > spec.min_value)) return 0.5;  // its one value
      break;
  }
  throw InputError("parameter '" + spec.name + "' is DOUBLE and has no finite list of values");
}

std::string UnitCube::key(std::span<const double> point) const {
  std::string text;
  const Assignment assignment = decode(point);
  for (const ParameterSpec& spec : space_.params) {
    text += format_value(assignment.at(spec.name));
    text += '\x1f';
  }
  return text;
}

}  // namespace treeline::tuning

namespace treeline::tuning {

namespace {

// Whether every numeric value of `assignment` lies in its parameter's range (a parameter it does
// not set is left for encode to report).
bool inside_ranges(const SearchSpace& space, const Assignment& assignment) {
  for (const ParameterSpec& spec : space.params) {
    const auto found = assignment.find(spec.name);
    if (found == assignment.end() || spec.type == ParameterType::kCategorical) continue;
    const double value = numeric_value(spec, found->second);
    const NumericRange range = spec.type == ParameterType::kInteger
                                   ? NumericRange{spec.min_value, spec.max_value}
                                   : numeric_range(spec);
    if (!(value >= range.low && value <= range.high)) return false;
  }
  return true;
}

// A value turned so that lower is better, as every sampler compares them.
double loss_of(double value, Goal goal) { return goal == Goal::kMinimize ? value : -value; }

// The log of a duration a cost model can learn from: known, positive and finite.
std::optional<double> log_cost_of(const std::optional<double>& seconds) {
  if (!seconds || !(*seconds > 0) || !std::isfinite(*seconds)) return std::nullopt;
  return std::log(*seconds);
}

}  // namespace

std::vector<EncodedTrial> encode_history(const UnitCube& cube, const std::vector<Observation>& history,
                                         Goal goal) {
  std::vector<EncodedTrial> trials;
  trials.reserve(history.size());
  for (const Observation& observation : history) {
    EncodedTrial trial;
    trial.proposed = cube.encode(observation.params);
    cube.snap(trial.proposed);
    trial.key = cube.key(trial.proposed);
    trial.point = trial.proposed;
    // Measured before a range begins (a trial stopped after 90 rounds of a 200-1000 range): learnt
    // at the range's edge, where its value is pessimistic and its cost a lower bound.
    bool cost_is_lower_bound = observation.cost_is_lower_bound;
    if (observation.measured_at) {
      trial.point = cube.encode(*observation.measured_at);
      cube.snap(trial.point);
      if (!inside_ranges(cube.space(), *observation.measured_at)) cost_is_lower_bound = true;
    }
    trial.running = observation.running;
    if (!observation.running && observation.value && std::isfinite(*observation.value)) {
      trial.loss = loss_of(*observation.value, goal);
    }
    if (trial.loss) {
      trial.log_cost = log_cost_of(observation.cost_seconds);
      trial.cost_is_lower_bound = trial.log_cost && cost_is_lower_bound;
    }
    trials.push_back(std::move(trial));
  }
  return trials;
}

namespace {

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (std::size_t j = 0; j < a.size(); ++j) d += (a[j] - b[j]) * (a[j] - b[j]);
  return std::sqrt(d);
}

}  // namespace

std::vector<std::vector<EncodedTrial>> encode_partial_measurements(const UnitCube& cube,
                                                                   const std::vector<Observation>& history,
                                                                   Goal goal, double min_spacing) {
  std::vector<std::vector<EncodedTrial>> out(history.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    const Observation& observation = history[i];
    if (observation.running || observation.partial.empty()) continue;
    std::vector<double> last = cube.encode(observation.measured_at ? *observation.measured_at : observation.params);
    cube.snap(last);
    // From the latest report back: the later a report, the nearer it is to the models chosen.
    for (auto p = observation.partial.rbegin(); p != observation.partial.rend(); ++p) {
      if (!std::isfinite(p->value) || !inside_ranges(cube.space(), p->at)) continue;
      EncodedTrial point;
      point.point = cube.encode(p->at);
      cube.snap(point.point);
      if (distance(point.point, last) < min_spacing) continue;
      point.proposed = point.point;
      point.loss = loss_of(p->value, goal);
      point.log_cost = log_cost_of(p->cost_seconds);
      last = point.point;
      out[i].push_back(std::move(point));
    }
    std::reverse(out[i].begin(), out[i].end());
  }
  return out;
}

std::unordered_set<std::string> used_keys(const std::vector<EncodedTrial>& trials) {
  std::unordered_set<std::string> used;
  for (const EncodedTrial& trial : trials) used.insert(trial.key);
  return used;
}

std::optional<std::vector<double>> sample_unused(const UnitCube& cube,
                                                 const std::unordered_set<std::string>& used,
                                                 Random& random) {
  const std::optional<std::uint64_t> cardinality = cube.cardinality();
  if (cardinality && used.size() >= *cardinality) return std::nullopt;
  constexpr int kDraws = 64;
  for (int draw = 0; draw < kDraws; ++draw) {
    std::vector<double> point = cube.sample(random);
    if (!used.contains(cube.key(point))) return point;
  }
  // A nearly used-up finite space: walk all of it from a random start so a free point is found.
  constexpr std::uint64_t kEnumerable = 1'000'000;
  if (!cardinality || *cardinality > kEnumerable) return std::nullopt;
  const std::uint64_t start = random.below(*cardinality);
  std::vector<double> point(cube.dimension());
  for (std::uint64_t step = 0; step < *cardinality; ++step) {
    std::uint64_t rest = (start + step) % *cardinality;
    for (std::size_t i = cube.dimension(); i-- > 0;) {
      const std::uint64_t count = *cube.value_count(i);
      point[i] = cube.value_coordinate(i, rest % count);
      rest /= count;
    }
    if (!used.contains(cube.key(point))) return point;
  }
  return std::nullopt;
}

std::vector<Assignment> sample_unused_assignments(const UnitCube& cube, std::unordered_set<std::string>& used,
                                                  Random& random, std::size_t count) {
  std::vector<Assignment> out;
  while (out.size() < count) {
    const auto point = sample_unused(cube, used, random);
    if (!point) break;
    used.insert(cube.key(*point));
    out.push_back(cube.decode(*point));
  }
  return out;
}

}  // namespace treeline::tuning
