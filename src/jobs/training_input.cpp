#include "treeline/jobs/training_input.h"
#include "treeline/model/trainer.h"
#include "treeline/tuning/sampler_registry.h"
#include "treeline/tuning/unit_cube.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <cmath>
#include <map>
#include <span>
#include <string_view>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/common/spelling.h"
#include "treeline/common/number_text.h"

namespace treeline::jobs {
namespace {

using namespace std::string_view_literals;
using tuning::Goal;
using tuning::ParameterSpec;
using tuning::ParameterType;
using tuning::ScaleType;
using Names = std::span<const std::string_view>;

constexpr std::array kTrainingInputKeys{"scaleTier"sv,  "masterType"sv,      "masterConfig"sv,   "args"sv,
                                        "region"sv,     "pythonVersion"sv,   "runtimeVersion"sv, "jobDir"sv,
                                        "scheduling"sv, "hyperparameters"sv, "treeline"sv};
// AI Platform fields for distributed or packaged training: named as such rather than as typos.
constexpr std::array kUnsupportedAipKeys{
    "workerType"sv,           "workerCount"sv,           "workerConfig"sv,       "parameterServerType"sv,
    "parameterServerCount"sv, "parameterServerConfig"sv, "evaluatorType"sv,      "evaluatorCount"sv,
    "evaluatorConfig"sv,      "packageUris"sv,           "pythonModule"sv,       "network"sv,
    "serviceAccount"sv,       "encryptionConfig"sv,      "useChiefInTfConfig"sv, "enableWebAccess"sv};
constexpr std::array kMasterConfigKeys{"imageUri"sv, "containerCommand"sv, "containerArgs"sv, "acceleratorConfig"sv};
constexpr std::array kAcceleratorConfigKeys{"count"sv, "type"sv};
constexpr std::array kSchedulingKeys{"maxRunningTime"sv, "maxWaitTime"sv};
constexpr std::array kTreelineKeys{"trialTimeout"sv, "threadsPerTrial"sv, "seed"sv, "costAware"sv,
                                   "initialTrials"sv, "stepParameter"sv, "bestTrialBy"sv};
constexpr std::array kHyperparameterKeys{"goal"sv, "hyperparameterMetricTag"sv, "maxTrials"sv,
                                         "maxParallelTrials"sv, "maxFailedTrials"sv, "enableTrialEarlyStopping"sv,
                                         "algorithm"sv, "resumePreviousJobId"sv, "params"sv};
constexpr std::array kParameterKeys{"parameterName"sv, "type"sv, "minValue"sv, "maxValue"sv,
                                    "categoricalValues"sv, "discreteValues"sv, "scaleType"sv};

// Where each section's keys go, to point a key at the wrong level to its place.
const std::array<std::pair<std::string_view, Names>, 6> kSections{{
    {"trainingInput", kTrainingInputKeys},
    {"trainingInput.hyperparameters", kHyperparameterKeys},
    {"trainingInput.treeline", kTreelineKeys},
    {"trainingInput.masterConfig", kMasterConfigKeys},
    {"trainingInput.scheduling", kSchedulingKeys},
    {"trainingInput.hyperparameters.params[i]", kParameterKeys},
}};

constexpr std::array kScaleTiers{"BASIC"sv, "STANDARD_1"sv, "PREMIUM_1"sv, "BASIC_GPU"sv, "BASIC_TPU"sv, "CUSTOM"sv};
constexpr std::array kGoalNames{"MAXIMIZE"sv, "MINIMIZE"sv};
constexpr std::array kGoals{Goal::kMaximize, Goal::kMinimize};
constexpr std::array kTypeNames{"DOUBLE"sv, "INTEGER"sv, "CATEGORICAL"sv, "DISCRETE"sv};
constexpr std::array kTypes{ParameterType::kDouble, ParameterType::kInteger, ParameterType::kCategorical,
                            ParameterType::kDiscrete};
constexpr std::array kScaleNames{"NONE"sv, "UNIT_LINEAR_SCALE"sv, "UNIT_LOG_SCALE"sv, "UNIT_REVERSE_LOG_SCALE"sv};
constexpr std::array kScales{ScaleType::kUnspecified, ScaleType::kLinear, ScaleType::kLog, ScaleType::kReverseLog};
constexpr std::array kBestTrialByNames{"OBSERVED_VALUE"sv, "MODEL_PREDICTION"sv};
constexpr std::array kBestTrialBy{BestTrialBy::kObservedValue, BestTrialBy::kModelPrediction};

// Values under these keys stay text in `as_given` even when they look like numbers
// (pythonVersion: 3.10 is not 3.1; categoricalValues: [1e3] is not 1000).
constexpr std::array kTextValuedKeys{"scaleTier"sv, "masterType"sv, "imageUri"sv, "containerCommand"sv,
                                     "containerArgs"sv, "args"sv, "region"sv, "pythonVersion"sv,
                                     "runtimeVersion"sv, "jobDir"sv, "hyperparameterMetricTag"sv,
                                     "resumePreviousJobId"sv, "parameterName"sv, "categoricalValues"sv, "type"sv,
                                     "goal"sv, "algorithm"sv, "scaleType"sv, "bestTrialBy"sv};

constexpr std::int64_t kLargestExactInteger = std::int64_t{1} << 53;  // doubles hold integers exactly up to here
constexpr double kLongestDurationSeconds = 315'576'000'000;           // protobuf Duration's limit

// Keys are camelCase and case-sensitive; one that differs only in case is a typo of the other.
bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

bool contains(Names names, std::string_view name) { return std::ranges::find(names, name) != names.end(); }

std::string one_of(Names names) { return fmt::format("one of {}", fmt::join(names, ", ")); }

// "a", "a and b", "a, b and c".
std::string join_with_and(const std::vector<std::string>& items) {
  if (items.size() <= 1) return items.empty() ? "" : items.front();
  const std::vector<std::string> head(items.begin(), items.end() - 1);
  return fmt::format("{} and {}", fmt::join(head, ", "), items.back());
}

// --- scalar text ------------------------------------------------------------------------------

// YAML 1.2's core schema booleans; yes/no/on/off stay text.
std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

// "'abc'", "a list": how a found value is named in messages.
std::string describe(const YAML::Node& node) {
  constexpr std::size_t kLongestShown = 60;
  switch (node.Type()) {
    case YAML::NodeType::Undefined: return "nothing";
    case YAML::NodeType::Null: return "an empty value";
    case YAML::NodeType::Sequence: return node.size() == 0 ? "an empty list" : "a list";
    case YAML::NodeType::Map: return node.size() == 0 ? "an empty mapping" : "a mapping";
    case YAML::NodeType::Scalar: break;
  }
  const std::string& text = node.Scalar();
  if (text.size() <= kLongestShown) return fmt::format("'{}'", text);
  return fmt::format("'{}...'", text.substr(0, kLongestShown));
}

// --- fields -----------------------------------------------------------------------------------

// A node of the document with the path that names it in messages.
class Field {
 public:
  Field(YAML::Node node, std::string path, std::string_view where)
      : node_(std::move(node)), path_(std::move(path)), where_(where) {}

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(fmt::format("{}: {}: {}", where_, path_, problem));
  }
  [[noreturn]] void expected(std::string_view what) const {
    fail(fmt::format("expected {}, found {}", what, describe(node_)));
  }

  Field child(std::string_view key) const {
    return Field(node_[std::string(key)], fmt::format("{}.{}", path_, key), where_);
  }
  std::optional<Field> find(std::string_view key) const {
    Field field = child(key);
    if (!field.node().IsDefined()) return std::nullopt;
    return field;
  }
  Field require(std::string_view key, std::string_view what) const {
    Field field = child(key);
    if (!field.node().IsDefined()) field.fail(fmt::format("missing; expected {}", what));
    return field;
  }
  Field item(std::size_t index) const {
    return Field(node_[index], fmt::format("{}[{}]", path_, index), where_);
  }

 private:
  YAML::Node node_;
  std::string path_;  // trainingInput.hyperparameters.params[2].minValue
  std::string_view where_;
};

// Fails unless `field` is a mapping whose keys are all in `valid`, each once.
void check_keys(const Field& field, Names valid, Names unsupported = {}) {
  if (!field.node().IsMap()) field.expected("a mapping");
  std::vector<std::string> seen;
  for (const auto& entry : field.node()) {
    if (!entry.first.IsScalar())
      field.fail(fmt::format("expected text keys, found {} as a key", describe(entry.first)));
    const std::string& key = entry.first.Scalar();
    const Field value = field.child(key);
    if (contains(valid, key)) {
      if (std::ranges::find(seen, key) != seen.end()) value.fail("the key appears twice");
      seen.push_back(key);
      continue;
    }
    std::string listing = fmt::format("valid keys: {}", fmt::join(valid, ", "));
    // A key of another section, put at the wrong level (trialTimeout under hyperparameters).
    for (const auto& [section, keys] : kSections)
      if (contains(keys, key))  // not `valid`, which lacks it
        value.fail(fmt::format("unknown key here; {} belongs under {}", key, section));
    if (const auto closest = closest_spelling(key, {valid.begin(), valid.end()}))
      listing = fmt::format("did you mean {}?{} {}", *closest,
                            same_ignoring_case(*closest, key) ? " (keys are case-sensitive)" : "", listing);
    if (contains(unsupported, key))
      value.fail(fmt::format("an AI Platform field treeline does not support (a trial is one process on this "
                             "machine); {}", listing));
    value.fail(fmt::format("unknown key; {}", listing));
  }
}

const std::string& scalar_text(const Field& field, std::string_view what) {
  if (!field.node().IsScalar()) field.expected(what);
  return field.node().Scalar();
}

std::string read_string(const Field& field) { return scalar_text(field, "a string"); }

std::string read_nonempty_string(const Field& field) {
  std::string text = scalar_text(field, "a non-empty string");
  if (text.empty()) field.expected("a non-empty string");
  return text;
}

std::vector<std::string> read_string_list(const Field& field, bool allow_empty) {
  const std::string_view what = allow_empty ? "a list of strings" : "a non-empty list of strings";
  if (!field.node().IsSequence() || (!allow_empty && field.node().size() == 0)) field.expected(what);
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < field.node().size(); ++i) strings.push_back(read_string(field.item(i)));
  return strings;
}

int read_int(const Field& field, int min, int max = INT_MAX) {
  const auto value_text = scalar_text(field, fmt::format("an integer >= {}", min));
  const auto value = parse_integer<std::int64_t>(value_text);
  // Past the upper bound that bound is the reason, so the message gives it.
  const std::string what = max < INT_MAX || value.value_or(0) > max ? fmt::format("an integer from {} to {}", min, max)
                                                                     : fmt::format("an integer >= {}", min);
  if (!value || *value < min || *value > max) field.expected(what);
  return static_cast<int>(*value);
}

double read_number(const Field& field) {
  const auto value = parse_double(scalar_text(field, "a number"));
  if (!value) field.expected("a number");
  return *value;
}

// A number that must be a whole one (INTEGER bounds), kept as a double like every bound.
double read_whole_number(const Field& field) {
  const auto value = parse_double(scalar_text(field, "an integer"));
  if (!value || *value != std::floor(*value) || std::fabs(*value) > kLargestExactInteger)
    field.expected("an integer");
  return *value;
}

bool read_bool(const Field& field) {
  const auto value = parse_bool(scalar_text(field, "true or false"));
  if (!value) field.expected("true or false");
  return *value;
}

// Returns the index of the field's text in `names`.
std::size_t read_one_of(const Field& field, Names names) {
  const std::string& text = scalar_text(field, one_of(names));
  const auto found = std::ranges::find(names, text);
  if (found == names.end()) {
    if (const auto closest = closest_spelling(text, {names.begin(), names.end()}))
      field.fail(fmt::format("expected {}, found {}: did you mean {}?", one_of(names), describe(field.node()), *closest));
    field.expected(one_of(names));
  }
  return static_cast<std::size_t>(found - names.begin());
}

// protobuf Duration text ("7200s", "1.5s") or a bare integer number of seconds.
std::chrono::milliseconds read_duration(const Field& field) {
  constexpr std::string_view what = "a positive duration such as \"7200s\" or \"1.5s\"";
  const std::string_view text = scalar_text(field, what);
  std::optional<double> seconds;
  if (text.ends_with('s')) {
    seconds = parse_double(text.substr(0, text.size() - 1));
  } else if (const auto whole = parse_integer<std::int64_t>(text)) {
    seconds = static_cast<double>(*whole);
  }
  if (!seconds || *seconds <= 0 || *seconds > kLongestDurationSeconds) field.expected(what);
  // To the millisecond the executor keeps time in, rounded up so that a limit is never shorter
  // than the one asked for ("1.5s" is 1.5 s, not 2).
  const auto ms = static_cast<std::int64_t>(std::ceil(*seconds * 1000 - 1e-6));  // 1.5 * 1000 is 1500.0000000002
  return std::chrono::milliseconds(std::max<std::int64_t>(1, ms));
}

// --- hyperparameters --------------------------------------------------------------------------

std::string read_parameter_name(const Field& field) {
  constexpr std::string_view what = "a name without spaces or '=' (it is passed as --name=value)";
  const std::string name = scalar_text(field, what);
  const bool plain = !name.empty() && std::ranges::none_of(name, [](char c) {
    return c == '=' || std::isspace(static_cast<unsigned char>(c));
  });
  if (!plain) field.expected(what);
  return name;
}

// minValue and the like belong to some types only; AI Platform rejects them elsewhere too.
void reject_fields_of_other_types(const Field& field, ParameterType type, std::string_view type_name) {
  const bool bounded = type == ParameterType::kDouble || type == ParameterType::kInteger;
  for (const std::string_view key : {"minValue"sv, "maxValue"sv})
    if (const auto bound = field.find(key); bound && !bounded)
      bound->fail(
          fmt::format("not used by a {} parameter: minValue and maxValue are for DOUBLE and INTEGER", type_name));
  if (const auto values = field.find("categoricalValues"); values && type != ParameterType::kCategorical)
    values->fail(fmt::format("not used by a {} parameter: categoricalValues are for CATEGORICAL", type_name));
  if (const auto values = field.find("discreteValues"); values && type != ParameterType::kDiscrete)
    values->fail(fmt::format("not used by a {} parameter: discreteValues are for DISCRETE", type_name));
  if (const auto scale = field.find("scaleType"); scale && type == ParameterType::kCategorical)
    scale->fail("not allowed for a CATEGORICAL parameter: its values have no order");
}

void read_bounds(const Field& field, ParameterSpec& param) {
  const bool integer = param.type == ParameterType::kInteger;
  const std::string_view what = integer ? "an integer" : "a number";
  const Field min_field = field.require("minValue", what);
  const Field max_field = field.require("maxValue", what);
  param.min_value = integer ? read_whole_number(min_field) : read_number(min_field);
  param.max_value = integer ? read_whole_number(max_field) : read_number(max_field);
  if (param.min_value > param.max_value)
    min_field.fail(fmt::format("{} is greater than maxValue {}", param.min_value, param.max_value));
}

std::vector<std::string> read_categorical_values(const Field& field) {
  std::vector<std::string> values = read_string_list(field, /*allow_empty=*/false);
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::ranges::find(values, values[i]) != values.begin() + static_cast<std::ptrdiff_t>(i))
      field.item(i).fail(fmt::format("'{}' appears twice; categoricalValues must be unique", values[i]));
  return values;
}

// Strictly increasing, as AI Platform requires and samplers expect: refused rather than sorted, so
// that errors about discreteValues[i] name the item the file has there.
std::vector<double> read_discrete_values(const Field& field) {
  if (!field.node().IsSequence() || field.node().size() == 0) field.expected("a non-empty list of numbers");
  std::vector<double> values;
  for (std::size_t i = 0; i < field.node().size(); ++i) {
    values.push_back(read_number(field.item(i)));
    if (i > 0 && values[i] <= values[i - 1])
      field.item(i).fail(fmt::format("{} {} discreteValues[{}] ({}); the list must be strictly increasing",
                                     tuning::format_value(values[i]), values[i] == values[i - 1] ? "repeats" : "is below",
                                     i - 1, tuning::format_value(values[i - 1])));
  }
  return values;
}

// Log scales map log(value) to the unit interval, so every value must be positive.
void check_log_scale_domain(const Field& field, const ParameterSpec& param, std::string_view scale_name) {
  if (param.scale != ScaleType::kLog && param.scale != ScaleType::kReverseLog) return;
  if (param.type == ParameterType::kDiscrete) {
    if (param.discrete_values.front() <= 0)
      field.child("discreteValues")
          .fail(fmt::format("found {}; scaleType {} needs every value > 0", param.discrete_values.front(), scale_name));
  } else if (param.min_value <= 0) {
    field.child("minValue").fail(fmt::format("found {}; scaleType {} needs minValue > 0", param.min_value, scale_name));
  }
}

ParameterSpec read_parameter(const Field& field) {
  check_keys(field, kParameterKeys);
  ParameterSpec param;
  param.name = read_parameter_name(field.require("parameterName", "a name"));
  const std::size_t type_index = read_one_of(field.require("type", one_of(kTypeNames)), kTypeNames);
  param.type = kTypes[type_index];
  reject_fields_of_other_types(field, param.type, kTypeNames[type_index]);
  std::string_view scale_name = "NONE";
  if (const auto scale = field.find("scaleType")) {
    const std::size_t scale_index = read_one_of(*scale, kScaleNames);
    param.scale = kScales[scale_index];
    scale_name = kScaleNames[scale_index];
  }
  switch (param.type) {
    case ParameterType::kDouble:
    case ParameterType::kInteger:
      read_bounds(field, param);
      break;
    case ParameterType::kCategorical:
      param.categorical_values =
          read_categorical_values(field.require("categoricalValues", "a non-empty list of strings"));
      break;
    case ParameterType::kDiscrete:
      param.discrete_values = read_discrete_values(field.require("discreteValues", "a non-empty list of numbers"));
      break;
  }
  check_log_scale_domain(field, param, scale_name);
  if (const std::string problem = tuning::range_problem(param); !problem.empty())
    field.child(param.type == ParameterType::kDiscrete ? "discreteValues" : "maxValue").fail(problem);
  return param;
}

tuning::SearchSpace read_search_space(const Field& field) {
  if (!field.node().IsSequence() || field.node().size() == 0) field.expected("a non-empty list of parameters");
  tuning::SearchSpace space;
  std::map<std::string, std::size_t> index_by_name;
  for (std::size_t i = 0; i < field.node().size(); ++i) {
    const Field item = field.item(i);
    space.params.push_back(read_parameter(item));
    const auto [earlier, is_new] = index_by_name.emplace(space.params.back().name, i);
    if (!is_new)
      item.child("parameterName")
          .fail(fmt::format("'{}' is also the name of params[{}]; names must be unique", earlier->first,
                            earlier->second));
  }
  return space;
}

// Caught here rather than when the first trial is proposed, with the parameter's path. A fixed
// DOUBLE (minValue = maxValue) is one value, so it has a grid.
void check_grid_has_no_ranges_of_doubles(const Field& params, const tuning::SearchSpace& space) {
  for (std::size_t i = 0; i < space.params.size(); ++i)
    if (space.params[i].type == ParameterType::kDouble && space.params[i].min_value != space.params[i].max_value)
      params.item(i).child("type").fail(
          "a DOUBLE range has no grid for algorithm GRID_SEARCH; use DISCRETE values, an INTEGER range, or fix it "
          "(minValue = maxValue)");
}

HyperparameterSpec read_hyperparameters(const Field& field) {
  check_keys(field, kHyperparameterKeys);
  HyperparameterSpec spec;
  spec.goal = kGoals[read_one_of(field.require("goal", one_of(kGoalNames)), kGoalNames)];
  if (const auto tag = field.find("hyperparameterMetricTag")) spec.metric_tag = read_string(*tag);
  if (const auto trials = field.find("maxTrials")) spec.max_trials = read_int(*trials, 1);
  if (const auto failed = field.find("maxFailedTrials")) spec.max_failed_trials = read_int(*failed, 0);
  if (const auto stopping = field.find("enableTrialEarlyStopping"))
    spec.enable_trial_early_stopping = read_bool(*stopping);
  if (const auto algorithm = field.find("algorithm"))
    spec.algorithm = std::string(tuning::algorithm_names()[read_one_of(*algorithm, tuning::algorithm_names())]);
  if (const auto job = field.find("resumePreviousJobId")) spec.resume_previous_job_id = read_string(*job);
  if (const auto parallel = field.find("maxParallelTrials")) {
    spec.max_parallel_trials = read_int(*parallel, 1);
    if (spec.max_parallel_trials > spec.max_trials)
      parallel->fail(fmt::format("{} is greater than maxTrials {}{}", spec.max_parallel_trials, spec.max_trials,
                                 field.find("maxTrials") ? "" : " (the default)"));
  }
  const Field params = field.require("params", "a non-empty list of parameters");
  spec.space = read_search_space(params);
  if (spec.algorithm == "GRID_SEARCH") check_grid_has_no_ranges_of_doubles(params, spec.space);
  return spec;
}

// --- the rest of trainingInput ----------------------------------------------------------------

void read_master_config(const Field& field, TrainingInput& input) {
  check_keys(field, kMasterConfigKeys);
  if (const auto image = field.find("imageUri")) input.image_uri = read_nonempty_string(*image);
  if (const auto command = field.find("containerCommand"))
    input.container_command = read_string_list(*command, /*allow_empty=*/false);
  // Arguments of the trainer's command either way; they come before trainingInput.args.
  if (const auto container_args = field.find("containerArgs"))
    input.args = read_string_list(*container_args, /*allow_empty=*/true);
  if (const auto accelerator = field.find("acceleratorConfig")) {
    check_keys(*accelerator, kAcceleratorConfigKeys);
    if (const auto count = accelerator->find("count")) read_int(*count, 0);
    if (const auto type = accelerator->find("type")) read_string(*type);
  }
}

void read_scheduling(const Field& field, TrainingInput& input) {
  check_keys(field, kSchedulingKeys);
  if (const auto running = field.find("maxRunningTime")) input.max_running_time = read_duration(*running);
  if (const auto waiting = field.find("maxWaitTime")) read_duration(*waiting);
}

// Refuses a setting the study's algorithm would ignore. `message` gets the algorithm as {0} and
// the algorithms that heed the setting as {1}.
void require_trait(const Field& setting, const TrainingInput& input, bool tuning::SamplerTraits::*trait,
                   std::string_view message) {
  if (!input.hyperparameters) return;
  const std::string& algorithm = input.hyperparameters->algorithm;
  if (!(tuning::sampler_traits(algorithm)->*trait))
    setting.fail(fmt::format(fmt::runtime(message), algorithm, fmt::join(tuning::algorithms_with(trait), ", ")));
}

// treeline.stepParameter names the INTEGER parameter that counts the trainer's steps.
void read_step_parameter(const Field& field, TrainingInput& input) {
  input.step_parameter = read_nonempty_string(field);
  // Without hyperparameters there is no search: cloud_notes says it is ignored.
  if (!input.hyperparameters) return;
  for (const auto& spec : input.hyperparameters->space.params) {
    if (spec.name != input.step_parameter) continue;
    if (spec.type != tuning::ParameterType::kInteger)
      field.fail(fmt::format("{} is not an INTEGER parameter: a step count is a whole number", spec.name));
    return;
  }
  std::vector<std::string> integers;
  for (const auto& spec : input.hyperparameters->space.params)
    if (spec.type == tuning::ParameterType::kInteger) integers.push_back(spec.name);
  field.fail(fmt::format("{} is not one of hyperparameters.params{}", input.step_parameter,
                         integers.empty() ? std::string(", which have no INTEGER parameter")
                                          : fmt::format(" (INTEGER ones: {})", fmt::join(integers, ", "))));
}

void read_treeline_settings(const Field& field, TrainingInput& input) {
  check_keys(field, kTreelineKeys);
  if (const auto timeout = field.find("trialTimeout")) input.trial_timeout = read_duration(*timeout);
  if (const auto threads = field.find("threadsPerTrial")) input.threads_per_trial = read_int(*threads, 0, model::kMostThreads);
  if (const auto seed = field.find("seed")) {
    constexpr std::string_view what = "an integer in [0, 2^64)";
    const auto value = parse_integer<std::uint64_t>(scalar_text(*seed, what));
    if (!value) seed->expected(what);
    input.seed = *value;
  }
  // Without hyperparameters (a training job, e.g. the final one submit derives from a tuning
  // config) these settings have nothing to act on: cloud_notes says they are ignored.
  if (const auto cost_aware = field.find("costAware")) {
    input.cost_aware = read_bool(*cost_aware);
    if (input.cost_aware)
      require_trait(*cost_aware, input, &tuning::SamplerTraits::cost_aware,
                    "{0} does not weigh trials by their cost ({1} does); remove costAware or change the algorithm");
  }
  if (const auto step = field.find("stepParameter")) read_step_parameter(*step, input);
  if (const auto initial = field.find("initialTrials")) {
    input.initial_trials = read_int(*initial, 1);
    require_trait(*initial, input, &tuning::SamplerTraits::initial_trials,
                  "{0} has no model that takes over after the first trials; initialTrials is for {1}");
    if (input.hyperparameters && input.initial_trials > input.hyperparameters->max_trials)
      initial->fail(fmt::format("{} is greater than maxTrials {}: the search's model would never be used",
                                input.initial_trials, input.hyperparameters->max_trials));
  }
  if (const auto by = field.find("bestTrialBy")) {
    input.best_trial_by = kBestTrialBy[read_one_of(*by, kBestTrialByNames)];
    if (input.best_trial_by == BestTrialBy::kModelPrediction)
      require_trait(*by, input, &tuning::SamplerTraits::recommends,
                    "{0} has no model to predict with; MODEL_PREDICTION is for {1}, OBSERVED_VALUE for every "
                    "algorithm");
  }
}

// Cloud machine names describe where AI Platform would run; say what happens here instead.
std::optional<std::string> machine_note(const TrainingInput& input) {
  std::vector<std::string> named;
  if (!input.scale_tier.empty()) named.push_back("scaleTier " + input.scale_tier);
  if (!input.master_type.empty()) named.push_back("masterType " + input.master_type);
  if (named.empty()) return std::nullopt;
  const std::string cores =
      input.threads_per_trial > 0
          ? fmt::format("with {} threads each (treeline.threadsPerTrial)", input.threads_per_trial)
          : "with the cores divided among running trials";
  return fmt::format("{} {}; trials run on this machine {}", join_with_and(named),
                     named.size() == 1 ? "is a cloud machine type" : "are cloud machine types", cores);
}

std::vector<std::string> cloud_notes(const Field& root, const TrainingInput& input) {
  std::vector<std::string> notes;
  if (auto note = machine_note(input)) notes.push_back(*note);
  if (!input.image_uri.empty())
    notes.push_back(
        "masterConfig.imageUri: container images are not run yet: trials run the trainer command on this machine "
        "(masterConfig.containerCommand, or `treeline train-evaluate`)");
  if (const auto master = root.find("masterConfig"); master && master->find("acceleratorConfig"))
    notes.push_back("masterConfig.acceleratorConfig is ignored: trials run on this machine's CPU cores");
  std::vector<std::string> ignored;
  for (const std::string_view key : {"region"sv, "runtimeVersion"sv, "pythonVersion"sv})
    if (root.find(key)) ignored.emplace_back(key);
  if (!ignored.empty())
    notes.push_back(fmt::format("{} {} ignored: trials run on this machine", join_with_and(ignored),
                                ignored.size() == 1 ? "is" : "are"));
  if (input.cost_aware && !input.hyperparameters)
    notes.push_back("treeline.costAware is ignored: it steers the search of a tuning job, and this job has no "
                    "hyperparameters to search");
  if (input.initial_trials > 0 && !input.hyperparameters)
    notes.push_back("treeline.initialTrials is ignored: it shapes the search of a tuning job, and this job has no "
                    "hyperparameters to search");
  if (input.best_trial_by != BestTrialBy::kObservedValue && !input.hyperparameters)
    notes.push_back("treeline.bestTrialBy is ignored: it picks the best trial of a tuning job, and this job has no "
                    "trials");
  if (!input.step_parameter.empty() && !input.hyperparameters)
    notes.push_back("treeline.stepParameter is ignored: it tells the search of a tuning job what a trial stopped "
                    "early measured, and this job has no hyperparameters to search");
  if (root.find("jobDir"))
    notes.push_back("jobDir is ignored: treeline keeps each job's outputs in its own directory of the store");
  if (const auto scheduling = root.find("scheduling"); scheduling && scheduling->find("maxWaitTime"))
    notes.push_back("scheduling.maxWaitTime is ignored: a job waits for this machine's cores as long as it takes");
  return notes;
}

// --- as_given ---------------------------------------------------------------------------------

nlohmann::json scalar_to_json(const YAML::Node& node, bool as_text) {
  const std::string& text = node.Scalar();
  // yaml-cpp tags quoted scalars "!" and plain ones "?"; quoted text stays text.
  if (as_text || node.Tag() != "?") return text;
  if (const auto flag = parse_bool(text)) return *flag;
  if (const auto whole = parse_integer<std::int64_t>(text)) return *whole;
  if (const auto large = parse_integer<std::uint64_t>(text)) return *large;
  if (const auto number = parse_double(text)) return *number;
  return text;
}

nlohmann::json to_json(const YAML::Node& node, bool as_text) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_to_json(node, as_text);
    case YAML::NodeType::Sequence: {
      auto array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(to_json(item, as_text));
      return array;
    }
    case YAML::NodeType::Map: {
      auto object = nlohmann::json::object();
      for (const auto& entry : node) {
        const std::string& key = entry.first.Scalar();
        object[key] = to_json(entry.second, as_text || contains(kTextValuedKeys, key));
      }
      return object;
    }
    default:
      return nullptr;
  }
}

// --- the document -----------------------------------------------------------------------------

TrainingInput read_training_input(const Field& root) {
  check_keys(root, kTrainingInputKeys, kUnsupportedAipKeys);
  TrainingInput input;
  if (const auto tier = root.find("scaleTier")) input.scale_tier = kScaleTiers[read_one_of(*tier, kScaleTiers)];
  if (const auto type = root.find("masterType")) input.master_type = read_nonempty_string(*type);
  if (input.scale_tier == "CUSTOM" && input.master_type.empty())
    root.child("masterType").fail("missing; scaleTier CUSTOM needs a machine type such as n1-standard-4");
  if (const auto master = root.find("masterConfig")) read_master_config(*master, input);
  if (const auto args = root.find("args")) {
    const std::vector<std::string> more = read_string_list(*args, /*allow_empty=*/true);
    input.args.insert(input.args.end(), more.begin(), more.end());
  }
  if (const auto region = root.find("region")) input.region = read_string(*region);
  for (const std::string_view key : {"pythonVersion"sv, "runtimeVersion"sv, "jobDir"sv})
    if (const auto accepted = root.find(key)) read_string(*accepted);
  if (const auto scheduling = root.find("scheduling")) read_scheduling(*scheduling, input);
  if (const auto tuning = root.find("hyperparameters")) input.hyperparameters = read_hyperparameters(*tuning);
  if (const auto settings = root.find("treeline")) read_treeline_settings(*settings, input);
  input.notes = cloud_notes(root, input);
  input.as_given = to_json(root.node(), /*as_text=*/false);
  return input;
}

YAML::Node load_document(const std::string& yaml_text, const std::string& where) {
  try {
    return YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) throw InputError(fmt::format("{}: invalid YAML: {}", where, e.msg));
    // yaml-cpp names the symptom (e.g. "illegal map value"), not a tab, the usual cause.
    std::string_view rest = yaml_text;
    for (int line = 0; line < e.mark.line && rest.find('\n') != std::string_view::npos; ++line)
      rest.remove_prefix(rest.find('\n') + 1);
    const bool tab = rest.substr(0, rest.find('\n')).find('\t') != std::string_view::npos;
    throw InputError(fmt::format("{}: line {}, column {}: invalid YAML: {}{}", where, e.mark.line + 1,
                                 e.mark.column + 1, e.msg,
                                 tab ? " (the line holds a tab: YAML indents with spaces only)" : ""));
  }
}

// The document is {trainingInput: {...}} (as gcloud's --config file) or the mapping itself.
Field training_input_field(const YAML::Node& document, const std::string& where) {
  const Field whole(document, "trainingInput", where);
  if (document.IsNull()) whole.fail("expected a mapping, found an empty document");
  if (document.IsMap() && !document["trainingInput"].IsDefined())
    for (const auto& entry : document)
      if (entry.first.IsScalar() && entry.first.Scalar() != "trainingInput" &&
          same_ignoring_case(entry.first.Scalar(), "trainingInput"))
        Field(entry.second, entry.first.Scalar(), where).fail("did you mean trainingInput? (keys are case-sensitive)");
  if (!document.IsMap() || !document["trainingInput"].IsDefined()) return whole;
  for (const auto& entry : document)
    if (!entry.first.IsScalar() || entry.first.Scalar() != "trainingInput")
      Field(entry.second, entry.first.IsScalar() ? entry.first.Scalar() : "?", where)
          .fail("unknown key beside trainingInput; the document is either {trainingInput: {...}} or the "
                "trainingInput mapping itself");
  return Field(document["trainingInput"], "trainingInput", where);
}

}  // namespace

std::string_view to_string(BestTrialBy by) {
  return kBestTrialByNames[static_cast<std::size_t>(std::ranges::find(kBestTrialBy, by) - kBestTrialBy.begin())];
}

TrainingInput parse_training_input(const std::string& yaml_text, const std::string& where) {
  const YAML::Node document = load_document(yaml_text, where);
  return read_training_input(training_input_field(document, where));
}

TrainingInput load_training_input(const std::string& path) { return parse_training_input(read_file(path), path); }

std::optional<FlagArgument> flag_at(const std::vector<std::string>& args, std::size_t i) {
  const std::string& arg = args[i];
  if (!arg.starts_with("--") || arg.size() == 2) return std::nullopt;
  FlagArgument flag;
  const std::size_t eq = arg.find('=');
  flag.name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  if (eq != std::string::npos) {
    flag.value = arg.substr(eq + 1);
  } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
    flag.value = args[i + 1];
    flag.value_follows = true;
  }
  return flag;
}

std::string empty_value_error(std::string_view arg) {
  return fmt::format("{}: no value after '='; write {}VALUE or leave the flag out", arg, arg);
}

std::optional<std::string> args_flag_value(const std::vector<std::string>& args, std::string_view flag) {
  std::optional<std::string> value;
  for (std::size_t i = 0; i < args.size(); ++i)
    if (const auto f = flag_at(args, i); f && "--" + f->name == flag) {
      if (f->value) value = f->value;
      if (f->value_follows) ++i;
    }
  return value;
}

TrainingInput training_input_from_json(const nlohmann::json& as_given) {
  // JSON text is YAML flow syntax, so the stored form passes the same parser and checks.
  const std::string text = as_given.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return parse_training_input(text, "stored trainingInput");
}

}  // namespace treeline::jobs
