#pragma once
// The unit cube [0,1]^d that every sampler searches in: one coordinate per parameter, placed on
// the parameter's scale (linear, log, reverse log), so that "uniform" and "near" mean the same
// thing for every algorithm.
//
//   DOUBLE       [min, max] on its scale.
//   INTEGER      [min - 0.5, max + 0.5] on its scale, rounded: each integer owns an equal share
//                of a linear range, so uniform coordinates give uniform integers.
//   DISCRETE     [first, last] on its scale, snapped to the nearest listed value.
//   CATEGORICAL  k equal cells, value i at the centre (i + 0.5) / k.
//
// Reverse log is Vizier's UNIT_REVERSE_LOG_SCALE: u = 1 - log-scale(max + min - value), dense
// near max (e.g. a momentum close to 1).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "treeline/common/random.h"
#include "treeline/tuning/search_space.h"

namespace treeline::tuning {

// Throws InputError naming the parameter when the space cannot be searched: no parameters, empty
// or repeated names, min > max, a log scale over non-positive values, an empty or unsorted
// DISCRETE list, an empty or repeated CATEGORICAL list.
void validate_search_space(const SearchSpace& space);

// Why a numeric parameter's range cannot be placed on its scale (its width, or on a log scale the
// ratio of its ends, overflows a double: -1e308 to 1e308), or "" when it can. Part of
// validate_search_space; the config reader asks too, to name the field.
std::string range_problem(const ParameterSpec& spec);

// The unit coordinate of a numeric (DOUBLE, INTEGER, DISCRETE) value, clamped to [0, 1].
double to_unit(const ParameterSpec& spec, double value);
// The valid numeric value nearest to coordinate `unit` (integers rounded, discrete snapped).
double from_unit(const ParameterSpec& spec, double unit);

// Which of `category_count` equal cells of [0, 1] the coordinate `unit` falls in (clamped): how
// a categorical parameter's coordinate maps to its category.
std::size_t category_index(std::size_t category_count, double unit);

class UnitCube {
 public:
  // Validates the space (see validate_search_space); keeps a reference to it.
  explicit UnitCube(const SearchSpace& space);

  const SearchSpace& space() const { return space_; }
  std::size_t dimension() const { return space_.params.size(); }

  // Coordinates of an assignment. Numbers of either kind are accepted for numeric parameters;
  // throws InputError for a missing parameter or an unknown category.
  std::vector<double> encode(const Assignment& assignment) const;
  // The assignment at `point` (dimension() coordinates), snapped to valid values.
  Assignment decode(std::span<const double> point) const;
  // Moves every coordinate to the coordinate of the valid value it decodes to.
  void snap(std::span<double> point) const;
  // A random point: DOUBLE and INTEGER uniform on their scale, DISCRETE and CATEGORICAL uniform
  // over their values. Already snapped.
  std::vector<double> sample(Random& random) const;

  // Width of the model-facing feature vector: one per numeric parameter, one per category.
  std::size_t feature_dimension() const { return feature_dimension_; }
  // Features of a snapped point: numeric coordinates as they are, categoricals one-hot.
  void features(std::span<const double> point, std::span<double> out) const;

  // Number of distinct assignments, or empty when a DOUBLE parameter makes it infinite (or the
  // count passes 2^63).
  std::optional<std::uint64_t> cardinality() const;
  // Number of distinct values of parameter `index` (empty for DOUBLE).
  std::optional<std::uint64_t> value_count(std::size_t index) const;
  // The coordinate of the `value_index`-th value of a finite parameter (ascending order).
  double value_coordinate(std::size_t index, std::uint64_t value_index) const;

  // A canonical text of the assignment a snapped point decodes to, equal for equal
  // assignments: for spotting duplicates.
  std::string key(std::span<const double> point) const;

 private:
  const SearchSpace& space_;
  std::size_t feature_dimension_ = 0;
};

// One earlier trial as the samplers see it.
struct EncodedTrial {
  std::vector<double> point;     // snapped coordinates of where it was measured (Observation::measured_at)
  std::vector<double> proposed;  // snapped coordinates of the proposed point, usually `point`
  std::string key;               // UnitCube::key of the proposed point
  std::optional<double> loss;  // the value turned so that lower is better; empty while running,
                               // after a failure, or when the value is not finite
  bool running = false;
  std::optional<double> log_cost;  // log of Observation::cost_seconds, when known and positive
  bool cost_is_lower_bound = false;  // Observation::cost_is_lower_bound
};

// The history in the cube's coordinates, in the same order. A trial measured outside the space
// (Observation::measured_at beyond a parameter's range) is learnt at the nearest point inside,
// its cost as a lower bound. Throws InputError for a trial whose parameters do not fit the space.
std::vector<EncodedTrial> encode_history(const UnitCube& cube, const std::vector<Observation>& history,
                                         Goal goal);

// The partial measurements of each observation of the history (Observation::partial), one list
// per observation, as points to learn from: loss and, when known, an exact cost; no key (they were
// never proposed). Only points inside the ranges are kept (one before a range begins says nothing
// about the range), and along one trial a point nearer than `min_spacing` (unit-cube distance) to
// a later point kept, the trial's own included, is left out: neighbouring reports of a curve say
// little more than one of them, and every point adds to a model's cubic cost.
std::vector<std::vector<EncodedTrial>> encode_partial_measurements(const UnitCube& cube,
                                                                   const std::vector<Observation>& history,
                                                                   Goal goal, double min_spacing);

// The keys of every trial of the history, finished, failed or running: the points a sampler must
// not propose again.
std::unordered_set<std::string> used_keys(const std::vector<EncodedTrial>& trials);

// A random point (UnitCube::sample) whose key is not in `used`; empty when every assignment of a
// finite space is used (or, for a huge finite space, when many draws all hit used ones).
std::optional<std::vector<double>> sample_unused(const UnitCube& cube,
                                                 const std::unordered_set<std::string>& used, Random& random);

// Up to `count` such points, decoded; each is added to `used` so none repeats.
std::vector<Assignment> sample_unused_assignments(const UnitCube& cube, std::unordered_set<std::string>& used,
                                                  Random& random, std::size_t count);

}  // namespace treeline::tuning
