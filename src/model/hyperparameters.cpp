#include "treeline/model/hyperparameters.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>

#include "treeline/common/error.h"
#include "treeline/common/spelling.h"
#include "treeline/common/number_text.h"

namespace treeline::model {
namespace {

using Kind = HyperparameterSpec::Kind;
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<HyperparameterSpec> make_specs() {
  return {
      {"n_estimators", {"num_boost_round"}, Kind::kInteger, 1, 100000, false, {}, "100", "", "number of boosting rounds (trees)"},
      {"max_depth", {}, Kind::kInteger, 0, 64, false, {}, "6", "max_depth", "maximum tree depth (0: no limit, lossguide only)"},
      {"learning_rate", {"eta"}, Kind::kReal, 0, 1, true, {}, "0.3", "eta", "shrinkage per round"},
      {"min_child_weight", {}, Kind::kReal, 0, kInf, false, {}, "1", "min_child_weight", "minimum hessian sum in a leaf"},
      {"subsample", {}, Kind::kReal, 0, 1, true, {}, "1", "subsample", "row sampling ratio per tree"},
      {"colsample_bytree", {}, Kind::kReal, 0, 1, true, {}, "1", "colsample_bytree", "feature sampling ratio per tree"},
      {"gamma", {"min_split_loss"}, Kind::kReal, 0, kInf, false, {}, "0", "gamma", "minimum loss reduction to split"},
      {"reg_lambda", {"lambda"}, Kind::kReal, 0, kInf, false, {}, "1", "lambda", "L2 regularisation"},
      {"reg_alpha", {"alpha"}, Kind::kReal, 0, kInf, false, {}, "0", "alpha", "L1 regularisation"},
      {"max_bin", {}, Kind::kInteger, 2, 65536, false, {}, "256", "max_bin", "histogram bins per feature"},
      {"scale_pos_weight", {}, Kind::kReal, 0, kInf, true, {}, "1", "scale_pos_weight", "weight of positive rows"},
      {"tree_method", {}, Kind::kChoice, 0, 0, false, {"hist", "approx"}, "hist", "tree_method", "tree construction algorithm"},
      {"grow_policy", {}, Kind::kChoice, 0, 0, false, {"depthwise", "lossguide"}, "depthwise", "grow_policy", "how trees grow"},
      {"max_leaves", {}, Kind::kInteger, 0, 1 << 20, false, {}, "0", "max_leaves", "maximum leaves per tree (0: no limit)"},
  };
}

std::string range_text(const HyperparameterSpec& spec) {
  if (spec.kind == Kind::kChoice) return fmt::format("one of {}", fmt::join(spec.choices, ", "));
  const std::string kind = spec.kind == Kind::kInteger ? "an integer" : "a number";
  const std::string hi = std::isinf(spec.max) ? "inf)" : fmt::format("{}]", spec.max);
  return fmt::format("{} in {}{}, {}", kind, spec.min_exclusive ? "(" : "[", spec.min, hi);
}

}  // namespace

const std::vector<HyperparameterSpec>& hyperparameter_specs() {
  static const std::vector<HyperparameterSpec> specs = make_specs();  // immutable after first use
  return specs;
}

const HyperparameterSpec* find_hyperparameter(const std::string& name) {
  for (const auto& spec : hyperparameter_specs()) {
    if (spec.name == name) return &spec;
    for (const auto& alias : spec.aliases)
      if (alias == name) return &spec;
  }
  return nullptr;
}

std::string valid_hyperparameter_names() {
  std::vector<std::string> names;
  for (const auto& spec : hyperparameter_specs())
    names.push_back(spec.aliases.empty() ? spec.name : fmt::format("{} ({})", spec.name, fmt::join(spec.aliases, ", ")));
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string hyperparameter_spelling_hint(const std::string& name) {
  std::vector<std::string_view> names;
  for (const auto& spec : hyperparameter_specs()) {
    names.push_back(spec.name);
    for (const auto& alias : spec.aliases) names.push_back(alias);
  }
  const auto closest = closest_spelling(name, names);
  return closest ? fmt::format("did you mean {}? ", *closest) : "";
}

Hyperparameters::Hyperparameters() {
  for (const auto& spec : hyperparameter_specs()) values_[spec.name] = spec.default_value;
}

void Hyperparameters::set(const std::string& name, const std::string& value) {
  const HyperparameterSpec* spec = find_hyperparameter(name);
  if (spec == nullptr)
    throw InputError(fmt::format("--{}: unknown hyperparameter; {}valid names: {}", name,
                                 hyperparameter_spelling_hint(name), valid_hyperparameter_names()));
  auto bad = [&]() -> InputError {
    return InputError(fmt::format("--{}={}: expected {}", name, value, range_text(*spec)));
  };
  switch (spec->kind) {
    case Kind::kChoice:
      for (const auto& c : spec->choices)
        if (c == value) {
          values_[spec->name] = value;
          return;
        }
      throw bad();
    case Kind::kInteger: {
      // Tuners propose integers as doubles sometimes ("6.0"): integral values are accepted.
      std::optional<double> d;
      if (const auto whole = parse_integer<long long>(value)) d = static_cast<double>(*whole);
      else if (const auto real = parse_double(value); real && *real == std::floor(*real)) d = real;
      if (!d || *d < spec->min || *d > spec->max) throw bad();
      values_[spec->name] = std::to_string(static_cast<long long>(*d));
      return;
    }
    case Kind::kReal: {
      const auto d = parse_double(value);
      if (!d || *d < spec->min || (spec->min_exclusive && *d == spec->min) || *d > spec->max) throw bad();
      values_[spec->name] = value.front() == '+' ? value.substr(1) : value;  // XGBoost's own text
      return;
    }
  }
}

Hyperparameters Hyperparameters::from_arguments(const std::vector<std::string>& arguments) {
  Hyperparameters h;
  for (const auto& arg : arguments) {
    if (arg.rfind("--", 0) != 0 || arg.find('=') == std::string::npos)
      throw InputError(fmt::format("'{}': expected a hyperparameter as --name=value; valid names: {}", arg,
                                   valid_hyperparameter_names()));
    const auto eq = arg.find('=');
    h.set(arg.substr(2, eq - 2), arg.substr(eq + 1));
  }
  return h;
}

const std::string& Hyperparameters::get(const std::string& name) const {
  const HyperparameterSpec* spec = find_hyperparameter(name);
  if (spec == nullptr) throw InputError("unknown hyperparameter " + name);
  return values_.at(spec->name);
}

// Stored as set() wrote it: a whole number within the spec's range.
int Hyperparameters::n_estimators() const { return *parse_integer<int>(values_.at("n_estimators")); }

std::map<std::string, std::string> Hyperparameters::xgboost_params() const {
  std::map<std::string, std::string> out;
  for (const auto& spec : hyperparameter_specs())
    if (!spec.xgboost_name.empty()) out[spec.xgboost_name] = values_.at(spec.name);
  if (out["max_depth"] == "0" && (out["grow_policy"] == "depthwise" || out["max_leaves"] == "0"))
    throw InputError("--max_depth=0 (no limit) needs --grow_policy=lossguide and --max_leaves above 0: trees "
                     "would otherwise grow without bound");
  return out;
}

}  // namespace treeline::model
