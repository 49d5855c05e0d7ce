#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"

using namespace treeline;
using namespace treeline::jobs;
using tuning::Goal;
using tuning::ParameterType;
using tuning::ScaleType;

namespace {

TrainingInput parse(const std::string& yaml) { return parse_training_input(yaml, "t.yaml"); }

// A valid trainingInput with one tuning parameter, followed by `extra_param_fields` for that
// parameter (indented to match), so each case states only what differs.
std::string with_param(const std::string& param_fields) {
  return "hyperparameters:\n"
         "  goal: MAXIMIZE\n"
         "  params:\n"
         "    - parameterName: x\n" +
         param_fields;
}

bool has_note_containing(const TrainingInput& input, const std::string& part) {
  return std::ranges::any_of(input.notes, [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

}  // namespace

TEST(TrainingInput, ShippedConfigParses) {
  const TrainingInput input = load_training_input(std::string(TREELINE_SOURCE_DIR) + "/config/aip_config.yaml");
  EXPECT_EQ(input.scale_tier, "CUSTOM");
  EXPECT_EQ(input.master_type, "n1-standard-4");
  EXPECT_EQ(input.image_uri, "gcr.io/PROJECT/treeline-trainer:latest");
  EXPECT_TRUE(input.container_command.empty());
  ASSERT_TRUE(input.hyperparameters.has_value());
  const HyperparameterSpec& spec = *input.hyperparameters;
  EXPECT_EQ(spec.goal, Goal::kMaximize);
  EXPECT_EQ(spec.metric_tag, "f1");
  EXPECT_EQ(spec.max_trials, 20);
  EXPECT_EQ(spec.max_parallel_trials, 2);
  EXPECT_TRUE(spec.enable_trial_early_stopping);
  EXPECT_EQ(spec.algorithm, "ALGORITHM_UNSPECIFIED");
  EXPECT_TRUE(input.cost_aware);
  ASSERT_GE(spec.space.params.size(), 2u);
  const auto depth = std::ranges::find(spec.space.params, "max_depth", &tuning::ParameterSpec::name);
  ASSERT_NE(depth, spec.space.params.end());
  EXPECT_EQ(depth->type, ParameterType::kInteger);
  EXPECT_GE(depth->max_value, 18);  // the hand-tuned depth is inside the space
  const auto rounds = std::ranges::find(spec.space.params, "n_estimators", &tuning::ParameterSpec::name);
  ASSERT_NE(rounds, spec.space.params.end());
  EXPECT_GE(rounds->max_value, 600);
  EXPECT_EQ(input.step_parameter, "n_estimators");  // train-evaluate's steps are boosting rounds
  EXPECT_TRUE(has_note_containing(input, "cloud machine types"));
  EXPECT_EQ(input.as_given["hyperparameters"]["maxTrials"], 20);
}

TEST(TrainingInput, BothDocumentShapesGiveTheSameInput) {
  const std::string body =
      "scaleTier: BASIC\n"
      "args: [--data=covertype.csv]\n"
      "hyperparameters:\n"
      "  goal: MINIMIZE\n"
      "  maxTrials: 4\n"
      "  params:\n"
      "    - {parameterName: max_depth, type: INTEGER, minValue: 2, maxValue: 8}\n";
  std::string wrapped = "trainingInput:\n";
  for (std::size_t start = 0; start < body.size();) {
    const std::size_t end = body.find('\n', start);
    wrapped += "  " + body.substr(start, end + 1 - start);
    start = end + 1;
  }
  const TrainingInput bare = parse(body);
  const TrainingInput nested = parse(wrapped);
  EXPECT_EQ(bare.as_given, nested.as_given);
  EXPECT_EQ(nested.args, std::vector<std::string>{"--data=covertype.csv"});
  ASSERT_TRUE(nested.hyperparameters);
  EXPECT_EQ(nested.hyperparameters->goal, Goal::kMinimize);
  EXPECT_EQ(nested.hyperparameters->max_trials, 4);
  EXPECT_EQ(nested.hyperparameters->max_parallel_trials, 1);
  EXPECT_FALSE(nested.as_given.contains("trainingInput"));
}

TEST(TrainingInput, ParametersOfEachType) {
  const TrainingInput input = parse(
      "hyperparameters:\n"
      "  goal: MAXIMIZE\n"
      "  maxTrials: 10\n"
      "  maxParallelTrials: 10\n"
      "  maxFailedTrials: 3\n"
      "  algorithm: TPE\n"
      "  resumePreviousJobId: study_1\n"
      "  params:\n"
      "    - {parameterName: eta, type: DOUBLE, minValue: 0.01, maxValue: 0.3, scaleType: UNIT_LOG_SCALE}\n"
      "    - {parameterName: depth, type: INTEGER, minValue: 3.0, maxValue: 9, scaleType: UNIT_LINEAR_SCALE}\n"
      "    - {parameterName: tree_method, type: CATEGORICAL, categoricalValues: [hist, approx]}\n"
      "    - {parameterName: gamma, type: DISCRETE, discreteValues: [0.1, 1, 10], scaleType: "
      "UNIT_REVERSE_LOG_SCALE}\n");
  const HyperparameterSpec& spec = *input.hyperparameters;
  EXPECT_EQ(spec.max_failed_trials, 3);
  EXPECT_EQ(spec.algorithm, "TPE");
  EXPECT_EQ(spec.resume_previous_job_id, "study_1");
  ASSERT_EQ(spec.space.params.size(), 4u);
  EXPECT_EQ(spec.space.params[0].scale, ScaleType::kLog);
  EXPECT_DOUBLE_EQ(spec.space.params[0].min_value, 0.01);
  EXPECT_EQ(spec.space.params[1].type, ParameterType::kInteger);
  EXPECT_EQ(spec.space.params[1].min_value, 3);
  EXPECT_EQ(spec.space.params[2].categorical_values, (std::vector<std::string>{"hist", "approx"}));
  EXPECT_EQ(spec.space.params[2].scale, ScaleType::kUnspecified);
  EXPECT_EQ(spec.space.params[3].discrete_values, (std::vector<double>{0.1, 1, 10}));
  EXPECT_EQ(spec.space.params[3].scale, ScaleType::kReverseLog);
}

TEST(TrainingInput, InvalidYamlGivesLineAndColumn) {
  EXPECT_THROW_WITH(parse_training_input("scaleTier: BASIC\nargs: [a, b\nregion: x\n", "config/x.yaml"), InputError,
                    "config/x.yaml: line ", ", column ", ": invalid YAML: ");
  EXPECT_THROW_WITH(parse("a: b: c\n"), InputError, "t.yaml: line 1, column 5: invalid YAML: illegal map value");
  // yaml-cpp's message does not say that a tab is the usual cause; the line does.
  EXPECT_THROW_WITH(parse("scaleTier: BASIC\nhyperparameters:\n\tgoal: MAXIMIZE\n"), InputError,
                    "t.yaml: line 3, column ", "(the line holds a tab: YAML indents with spaces only)");
  EXPECT_THROW_WITH(parse(""), InputError, "t.yaml: trainingInput: expected a mapping, found an empty document");
  EXPECT_THROW_WITH(parse("- a\n- b\n"), InputError, "t.yaml: trainingInput: expected a mapping, found a list");
}

TEST(TrainingInput, UnknownKeysListTheValidOnes) {
  EXPECT_THROW_WITH(parse("trainingInput:\n  scaleTeir: BASIC\n"), InputError,
                    "t.yaml: trainingInput.scaleTeir: unknown key; did you mean scaleTier? valid keys: scaleTier, masterType",
                    "hyperparameters, treeline");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxTrial: 3\n"), InputError,
                    "t.yaml: trainingInput.hyperparameters.maxTrial: unknown key; did you mean maxTrials? valid keys: goal,");
  EXPECT_THROW_WITH(parse(with_param("      type: DOUBLE\n      minValue: 0\n      maxValue: 1\n      min: 2\n")),
                    InputError, "t.yaml: trainingInput.hyperparameters.params[0].min: unknown key; valid keys: ",
                    "parameterName, type, minValue");
  EXPECT_THROW_WITH(parse("masterConfig: {imageUri: x, command: [y]}\n"), InputError,
                    "trainingInput.masterConfig.command: unknown key; valid keys: imageUri, containerCommand");
  // A key of another section is pointed to its place.
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  trialTimeout: 60s\n"), InputError,
                    "t.yaml: trainingInput.hyperparameters.trialTimeout: unknown key here; trialTimeout belongs under "
                    "trainingInput.treeline");
  EXPECT_THROW_WITH(parse("treeline: {maxTrials: 5}\n"), InputError,
                    "trainingInput.treeline.maxTrials: unknown key here; maxTrials belongs under trainingInput.hyperparameters");
  EXPECT_THROW_WITH(parse("treeline: {timeout: 5s}\n"), InputError,
                    "trainingInput.treeline.timeout: unknown key; valid keys: trialTimeout, threadsPerTrial, seed, costAware, "
                    "initialTrials");
  EXPECT_THROW_WITH(parse("scheduling: {maxRunTime: 5s}\n"), InputError,
                    "trainingInput.scheduling.maxRunTime: unknown key; valid keys: maxRunningTime, maxWaitTime");
  EXPECT_THROW_WITH(parse("workerCount: 4\n"), InputError,
                    "trainingInput.workerCount: an AI Platform field treeline does not support");
  EXPECT_THROW_WITH(parse("trainingInput: {}\nlabels: {a: b}\n"), InputError,
                    "t.yaml: labels: unknown key beside trainingInput");
  EXPECT_THROW_WITH(parse("region: a\nregion: b\n"), InputError, "trainingInput.region: the key appears twice");
}

TEST(TrainingInput, UnknownEnumValuesListTheValidOnes) {
  EXPECT_THROW_WITH(parse("scaleTier: HUGE\n"), InputError,
                    "t.yaml: trainingInput.scaleTier: expected one of BASIC, STANDARD_1, PREMIUM_1, BASIC_GPU, "
                    "BASIC_TPU, CUSTOM, found 'HUGE'");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  algorithm: BAYES\n  params: []\n"), InputError,
                    "trainingInput.hyperparameters.algorithm: expected one of ALGORITHM_UNSPECIFIED, GRID_SEARCH, "
                    "RANDOM_SEARCH, TPE, found 'BAYES'");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: UP\n"), InputError,
                    "trainingInput.hyperparameters.goal: expected one of MAXIMIZE, MINIMIZE, found 'UP'");
  EXPECT_THROW_WITH(parse(with_param("      type: FLOAT\n")), InputError,
                    "trainingInput.hyperparameters.params[0].type: expected one of DOUBLE, INTEGER, CATEGORICAL, "
                    "DISCRETE, found 'FLOAT'");
  EXPECT_THROW_WITH(
      parse(with_param("      type: DOUBLE\n      minValue: 1\n      maxValue: 2\n      scaleType: LOG\n")), InputError,
      "trainingInput.hyperparameters.params[0].scaleType: expected one of ", "UNIT_LOG_SCALE", "found 'LOG'");
}

TEST(TrainingInput, RangesAreChecked) {
  EXPECT_THROW_WITH(parse(with_param("      type: DOUBLE\n      minValue: 5\n      maxValue: 3\n")), InputError,
                    "t.yaml: trainingInput.hyperparameters.params[0].minValue: 5 is greater than maxValue 3");
  EXPECT_THROW_WITH(
      parse(with_param("      type: DOUBLE\n      minValue: 0\n      maxValue: 3\n      scaleType: UNIT_LOG_SCALE\n")),
      InputError,
      "trainingInput.hyperparameters.params[0].minValue: found 0; scaleType UNIT_LOG_SCALE needs minValue > 0");
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n      discreteValues: [-1, 2, 4]\n"
                                     "      scaleType: UNIT_REVERSE_LOG_SCALE\n")),
                    InputError, "trainingInput.hyperparameters.params[0].discreteValues: found -1",
                    "UNIT_REVERSE_LOG_SCALE needs every value > 0");
  EXPECT_THROW_WITH(parse(with_param("      type: DOUBLE\n      minValue: -1e308\n      maxValue: 1e308\n")), InputError,
                    "trainingInput.hyperparameters.params[0].maxValue: the range -1e+308 to 1e+308 is too wide to "
                    "search on a linear scale (its width overflows a double); narrow it");
  EXPECT_THROW_WITH(parse(with_param("      type: DOUBLE\n      minValue: 1e-300\n      maxValue: 1e300\n"
                                     "      scaleType: UNIT_LOG_SCALE\n")),
                    InputError, "params[0].maxValue: the range 1e-300 to 1e+300 is too wide", "(the ratio of its ends overflows");
  EXPECT_THROW_WITH(parse(with_param("      type: INTEGER\n      minValue: 1.5\n      maxValue: 3\n")), InputError,
                    "trainingInput.hyperparameters.params[0].minValue: expected an integer, found '1.5'");
  EXPECT_THROW_WITH(parse(with_param("      type: INTEGER\n      minValue: 1\n      maxValue: abc\n")), InputError,
                    "trainingInput.hyperparameters.params[0].maxValue: expected an integer, found 'abc'");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 2\n  maxParallelTrials: 4\n"), InputError,
                    "trainingInput.hyperparameters.maxParallelTrials: 4 is greater than maxTrials 2");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxParallelTrials: 3\n"), InputError,
                    "maxParallelTrials: 3 is greater than maxTrials 1 (the default)");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 0\n"), InputError,
                    "trainingInput.hyperparameters.maxTrials: expected an integer >= 1, found '0'");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxFailedTrials: -1\n"), InputError,
                    "trainingInput.hyperparameters.maxFailedTrials: expected an integer >= 0, found '-1'");
  EXPECT_THROW_WITH(parse("treeline: {threadsPerTrial: -2}\n"), InputError,
                    "trainingInput.treeline.threadsPerTrial: expected an integer from 0 to 1024, found '-2'");
}

TEST(TrainingInput, ValueListsAreChecked) {
  EXPECT_THROW_WITH(parse(with_param("      type: CATEGORICAL\n      categoricalValues: []\n")), InputError,
                    "trainingInput.hyperparameters.params[0].categoricalValues: expected a non-empty list of "
                    "strings, found an empty list");
  EXPECT_THROW_WITH(parse(with_param("      type: CATEGORICAL\n      categoricalValues: [a, b, a]\n")), InputError,
                    "trainingInput.hyperparameters.params[0].categoricalValues[2]: 'a' appears twice");
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n      discreteValues: []\n")), InputError,
                    "params[0].discreteValues: expected a non-empty list of numbers, found an empty list");
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n      discreteValues: [1, x]\n")), InputError,
                    "params[0].discreteValues[1]: expected a number, found 'x'");
  EXPECT_THROW_WITH(
      parse(with_param("      type: CATEGORICAL\n      categoricalValues: [a]\n      scaleType: UNIT_LINEAR_SCALE\n")),
      InputError, "params[0].scaleType: not allowed for a CATEGORICAL parameter");
  EXPECT_THROW_WITH(parse(with_param("      type: CATEGORICAL\n      categoricalValues: [a]\n      minValue: 1\n")),
                    InputError, "params[0].minValue: not used by a CATEGORICAL parameter");
  EXPECT_THROW_WITH(
      parse(with_param("      type: DOUBLE\n      minValue: 0\n      maxValue: 1\n      discreteValues: [1]\n")),
      InputError, "params[0].discreteValues: not used by a DOUBLE parameter");
  EXPECT_THROW_WITH(
      parse("hyperparameters:\n  goal: MAXIMIZE\n  params: []\n"), InputError,
      "trainingInput.hyperparameters.params: expected a non-empty list of parameters, found an empty list");
}

TEST(TrainingInput, ParameterNamesAreUniqueAndPlain) {
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n"
                          "    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 2}\n"
                          "    - {parameterName: b, type: INTEGER, minValue: 1, maxValue: 2}\n"
                          "    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 2}\n"),
                    InputError,
                    "t.yaml: trainingInput.hyperparameters.params[2].parameterName: 'a' is also the name of params[0]");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n"
                          "    - {parameterName: a=b, type: INTEGER, minValue: 1, maxValue: 2}\n"),
                    InputError, "params[0].parameterName: expected a name without spaces or '='", "found 'a=b'");
}

TEST(TrainingInput, MissingRequiredFieldsAreNamed) {
  EXPECT_THROW_WITH(parse("hyperparameters:\n  maxTrials: 3\n"), InputError,
                    "t.yaml: trainingInput.hyperparameters.goal: missing; expected one of MAXIMIZE, MINIMIZE");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n"), InputError,
                    "trainingInput.hyperparameters.params: missing; expected a non-empty list of parameters");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n    - type: DOUBLE\n"), InputError,
                    "trainingInput.hyperparameters.params[0].parameterName: missing");
  EXPECT_THROW_WITH(parse(with_param("      minValue: 1\n")), InputError,
                    "trainingInput.hyperparameters.params[0].type: missing; expected one of DOUBLE");
  EXPECT_THROW_WITH(parse(with_param("      type: DOUBLE\n      minValue: 1\n")), InputError,
                    "trainingInput.hyperparameters.params[0].maxValue: missing; expected a number");
  EXPECT_THROW_WITH(parse(with_param("      type: CATEGORICAL\n")), InputError,
                    "params[0].categoricalValues: missing; expected a non-empty list of strings");
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n")), InputError,
                    "params[0].discreteValues: missing; expected a non-empty list of numbers");
  EXPECT_THROW_WITH(parse("scaleTier: CUSTOM\n"), InputError,
                    "trainingInput.masterType: missing; scaleTier CUSTOM needs a machine type");
}

TEST(TrainingInput, WrongTypesNameTheExpectedType) {
  EXPECT_THROW_WITH(parse("args: --x=1\n"), InputError,
                    "trainingInput.args: expected a list of strings, found '--x=1'");
  EXPECT_THROW_WITH(parse("args: [a, [b]]\n"), InputError, "trainingInput.args[1]: expected a string, found a list");
  EXPECT_THROW_WITH(parse("region: [a]\n"), InputError, "trainingInput.region: expected a string, found a list");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: abc\n"), InputError,
                    "trainingInput.hyperparameters.maxTrials: expected an integer >= 1, found 'abc'");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  enableTrialEarlyStopping: maybe\n"), InputError,
                    "enableTrialEarlyStopping: expected true or false, found 'maybe'");
  EXPECT_THROW_WITH(parse("hyperparameters: [a]\n"), InputError,
                    "trainingInput.hyperparameters: expected a mapping, found a list");
  EXPECT_THROW_WITH(parse("masterConfig: {containerCommand: []}\n"), InputError,
                    "trainingInput.masterConfig.containerCommand: expected a non-empty list of strings");
  EXPECT_THROW_WITH(parse("treeline: {seed: -1}\n"), InputError, "trainingInput.treeline.seed: expected an integer");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  algorithm: GRID_SEARCH\n  params:\n"
                          "    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 2}\n"
                          "    - {parameterName: b, type: DOUBLE, minValue: 1, maxValue: 2}\n"),
                    InputError, "trainingInput.hyperparameters.params[1].type: a DOUBLE range has no grid",
                    "or fix it (minValue = maxValue)");
  // A fixed DOUBLE is one value: the grid holds it.
  EXPECT_NO_THROW(parse("hyperparameters:\n  goal: MAXIMIZE\n  algorithm: GRID_SEARCH\n  params:\n"
                        "    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 2}\n"
                        "    - {parameterName: b, type: DOUBLE, minValue: 0.5, maxValue: 0.5}\n"));
}

TEST(TrainingInput, CostAwareOnlyWithBayesianOptimisation) {
  const std::string space = "    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 9}\n";
  EXPECT_TRUE(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n" + space + "treeline: {costAware: true}\n")
                  .cost_aware);
  EXPECT_FALSE(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n" + space).cost_aware);
  // Without hyperparameterMetricTag the metric is the trainer's default, f1, set once here.
  EXPECT_EQ(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n" + space).hyperparameters->metric_tag, "f1");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  algorithm: RANDOM_SEARCH\n  params:\n" + space +
                          "treeline: {costAware: true}\n"),
                    InputError,
                    "t.yaml: trainingInput.treeline.costAware: RANDOM_SEARCH does not weigh trials by their cost "
                    "(ALGORITHM_UNSPECIFIED does)");
  // A training job derived from a tuning config (submit's final job) keeps the setting, unused.
  EXPECT_TRUE(has_note_containing(parse("treeline: {costAware: true}\n"), "treeline.costAware is ignored"));
  EXPECT_THROW_WITH(parse("treeline: {costAware: often}\n"), InputError,
                    "trainingInput.treeline.costAware: expected true or false, found 'often'");
}

TEST(TrainingInput, InitialTrialsForSearchesWithAModel) {
  const std::string study = "hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 20\n";
  const std::string space = "  params:\n    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 9}\n";
  EXPECT_EQ(parse(study + space + "treeline: {initialTrials: 12}\n").initial_trials, 12);
  EXPECT_EQ(parse(study + "  algorithm: TPE\n" + space + "treeline: {initialTrials: 20}\n").initial_trials, 20);
  EXPECT_EQ(parse(study + space).initial_trials, 0);
  EXPECT_THROW_WITH(parse(study + space + "treeline: {initialTrials: 21}\n"), InputError,
                    "t.yaml: trainingInput.treeline.initialTrials: 21 is greater than maxTrials 20");
  EXPECT_THROW_WITH(parse(study + space + "treeline: {initialTrials: 0}\n"), InputError,
                    "trainingInput.treeline.initialTrials: expected an integer >= 1");
  EXPECT_THROW_WITH(parse(study + "  algorithm: RANDOM_SEARCH\n" + space + "treeline: {initialTrials: 5}\n"),
                    InputError,
                    "trainingInput.treeline.initialTrials: RANDOM_SEARCH has no model that takes over after the "
                    "first trials; initialTrials is for ALGORITHM_UNSPECIFIED, TPE");
  EXPECT_TRUE(has_note_containing(parse("treeline: {initialTrials: 5}\n"), "treeline.initialTrials is ignored"));
}

TEST(TrainingInput, BestTrialByTheModelNeedsASearchWithAModel) {
  const std::string study = "hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 20\n";
  const std::string space = "  params:\n    - {parameterName: a, type: INTEGER, minValue: 1, maxValue: 9}\n";
  EXPECT_EQ(parse(study + space).best_trial_by, BestTrialBy::kObservedValue);
  EXPECT_EQ(parse(study + space + "treeline: {bestTrialBy: MODEL_PREDICTION}\n").best_trial_by,
            BestTrialBy::kModelPrediction);
  EXPECT_EQ(parse(study + "  algorithm: RANDOM_SEARCH\n" + space + "treeline: {bestTrialBy: OBSERVED_VALUE}\n")
                .best_trial_by,
            BestTrialBy::kObservedValue);
  EXPECT_EQ(to_string(BestTrialBy::kModelPrediction), "MODEL_PREDICTION");
  EXPECT_THROW_WITH(parse(study + "  algorithm: TPE\n" + space + "treeline: {bestTrialBy: MODEL_PREDICTION}\n"),
                    InputError,
                    "t.yaml: trainingInput.treeline.bestTrialBy: TPE has no model to predict with; "
                    "MODEL_PREDICTION is for ALGORITHM_UNSPECIFIED, OBSERVED_VALUE for every algorithm");
  EXPECT_THROW_WITH(parse(study + space + "treeline: {bestTrialBy: model}\n"), InputError,
                    "trainingInput.treeline.bestTrialBy: expected one of OBSERVED_VALUE, MODEL_PREDICTION");
  // A training job derived from a tuning config (submit's final job) keeps the setting, unused.
  EXPECT_TRUE(has_note_containing(parse("treeline: {bestTrialBy: MODEL_PREDICTION}\n"),
                                  "treeline.bestTrialBy is ignored"));
}

TEST(TrainingInput, AStepParameterIsAnIntegerParameterOfTheSearch) {
  const std::string study = "hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 20\n";
  const std::string space =
      "  params:\n    - {parameterName: n_estimators, type: INTEGER, minValue: 10, maxValue: 90}\n"
      "    - {parameterName: max_depth, type: INTEGER, minValue: 2, maxValue: 9}\n"
      "    - {parameterName: eta, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n";
  EXPECT_EQ(parse(study + space + "treeline: {stepParameter: n_estimators}\n").step_parameter, "n_estimators");
  EXPECT_EQ(parse(study + space).step_parameter, "");
  EXPECT_THROW_WITH(parse(study + space + "treeline: {stepParameter: eta}\n"), InputError,
                    "t.yaml: trainingInput.treeline.stepParameter: eta is not an INTEGER parameter");
  EXPECT_THROW_WITH(parse(study + space + "treeline: {stepParameter: rounds}\n"), InputError,
                    "trainingInput.treeline.stepParameter: rounds is not one of hyperparameters.params (INTEGER "
                    "ones: n_estimators, max_depth)");
  EXPECT_THROW_WITH(parse(study + "  params:\n    - {parameterName: eta, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n" +
                          "treeline: {stepParameter: rounds}\n"),
                    InputError, "rounds is not one of hyperparameters.params, which have no INTEGER parameter");
  EXPECT_THROW_WITH(parse(study + space + "treeline: {stepParameter: ''}\n"), InputError,
                    "trainingInput.treeline.stepParameter: expected a non-empty string");
  // A training job derived from a tuning config (submit's final job) keeps the setting, unused.
  EXPECT_TRUE(has_note_containing(parse("treeline: {stepParameter: n_estimators}\n"),
                                  "treeline.stepParameter is ignored"));
}

TEST(TrainingInput, DurationsAreSeconds) {
  const TrainingInput input = parse(
      "scheduling: {maxRunningTime: 7200s, maxWaitTime: \"60s\"}\n"
      "treeline: {trialTimeout: 1.5s, threadsPerTrial: 3, seed: 18446744073709551615}\n");
  EXPECT_EQ(input.max_running_time, std::chrono::seconds(7200));
  EXPECT_EQ(input.trial_timeout, std::chrono::milliseconds(1500));
  // Kept to the millisecond, rounded up: never shorter than asked.
  EXPECT_EQ(parse("treeline: {trialTimeout: 0.0001s}\n").trial_timeout, std::chrono::milliseconds(1));
  EXPECT_EQ(parse("treeline: {trialTimeout: 2.0005s}\n").trial_timeout, std::chrono::milliseconds(2001));
  EXPECT_EQ(input.threads_per_trial, 3);
  EXPECT_EQ(input.seed, 18446744073709551615ull);
  EXPECT_EQ(parse("treeline: {trialTimeout: 600}\n").trial_timeout, std::chrono::seconds(600));
  EXPECT_FALSE(parse("region: x\n").trial_timeout.has_value());
  for (const std::string bad : {"10m", "-5s", "0s", "s", "abc", "1.5"})
    EXPECT_THROW_WITH(
        parse("scheduling: {maxRunningTime: \"" + bad + "\"}\n"), InputError,
        std::string("trainingInput.scheduling.maxRunningTime: expected a positive duration such as \"7200s\""),
        "found '" + bad + "'");
}

TEST(TrainingInput, CloudOnlyFieldsAreExplainedInNotes) {
  const TrainingInput input = parse(
      "scaleTier: BASIC\n"
      "masterType: n1-standard-4\n"
      "masterConfig:\n"
      "  imageUri: gcr.io/p/trainer:1\n"
      "  containerCommand: [python3, train.py]\n"
      "  containerArgs: [--verbose]\n"
      "  acceleratorConfig: {count: 1, type: NVIDIA_TESLA_T4}\n"
      "args: [--epochs=3]\n"
      "region: europe-west1\n"
      "runtimeVersion: \"2.3\"\n"
      "pythonVersion: \"3.7\"\n"
      "jobDir: gs://bucket/dir\n");
  EXPECT_EQ(input.container_command, (std::vector<std::string>{"python3", "train.py"}));
  EXPECT_EQ(input.args, (std::vector<std::string>{"--verbose", "--epochs=3"}));
  EXPECT_EQ(input.region, "europe-west1");
  EXPECT_FALSE(input.hyperparameters.has_value());
  EXPECT_TRUE(has_note_containing(input,
                                  "scaleTier BASIC and masterType n1-standard-4 are cloud machine types; trials run "
                                  "on this machine with the cores divided among running trials"));
  EXPECT_TRUE(has_note_containing(input, "masterConfig.imageUri: container images are not run yet"));
  EXPECT_TRUE(has_note_containing(input, "acceleratorConfig is ignored"));
  EXPECT_TRUE(has_note_containing(input, "region, runtimeVersion and pythonVersion are ignored"));
  EXPECT_TRUE(has_note_containing(input, "jobDir is ignored"));
  EXPECT_TRUE(parse("args: []\n").notes.empty());
  EXPECT_TRUE(has_note_containing(parse("masterType: m\ntreeline: {threadsPerTrial: 4}\n"),
                                  "masterType m is a cloud machine type; trials run on this machine with 4 threads"));
}

TEST(TrainingInput, JsonRoundTripGivesTheSameInput) {
  const TrainingInput original = load_training_input(std::string(TREELINE_SOURCE_DIR) + "/config/aip_config.yaml");
  const TrainingInput restored = training_input_from_json(original.as_given);
  EXPECT_EQ(restored.as_given, original.as_given);
  EXPECT_EQ(restored.notes, original.notes);
  EXPECT_EQ(restored.master_type, original.master_type);
  ASSERT_TRUE(restored.hyperparameters);
  const auto& a = original.hyperparameters->space.params;
  const auto& b = restored.hyperparameters->space.params;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].min_value, b[i].min_value);
    EXPECT_EQ(a[i].max_value, b[i].max_value);
    EXPECT_EQ(a[i].scale, b[i].scale);
  }
}

TEST(TrainingInput, AsGivenKeepsTextAndTypes) {
  const TrainingInput input = parse(
      "pythonVersion: 3.10\n"
      "runtimeVersion: \"2.1\"\n"
      "args: [--n=1e3, \"5\", 7]\n"
      "scheduling: {maxRunningTime: 7200}\n"
      "treeline: {seed: 7, trialTimeout: \"1.5s\"}\n"
      "hyperparameters:\n"
      "  goal: MAXIMIZE\n"
      "  enableTrialEarlyStopping: true\n"
      "  params:\n"
      "    - {parameterName: c, type: CATEGORICAL, categoricalValues: [1e3, 0.10, \"yes\", true]}\n"
      "    - {parameterName: d, type: DOUBLE, minValue: 1e-3, maxValue: 2}\n");
  const nlohmann::json& j = input.as_given;
  EXPECT_EQ(j["pythonVersion"], "3.10");  // not the number 3.1
  EXPECT_EQ(j["runtimeVersion"], "2.1");
  EXPECT_EQ(j["args"], nlohmann::json::array({"--n=1e3", "5", "7"}));
  EXPECT_EQ(j["scheduling"]["maxRunningTime"], 7200);
  EXPECT_EQ(j["treeline"]["seed"], 7);
  EXPECT_EQ(j["hyperparameters"]["enableTrialEarlyStopping"], true);
  EXPECT_EQ(j["hyperparameters"]["params"][0]["categoricalValues"],
            nlohmann::json::array({"1e3", "0.10", "yes", "true"}));
  EXPECT_DOUBLE_EQ(j["hyperparameters"]["params"][1]["minValue"].get<double>(), 0.001);

  const TrainingInput restored = training_input_from_json(j);
  EXPECT_EQ(restored.as_given, j);
  EXPECT_EQ(restored.args, input.args);
  EXPECT_EQ(restored.hyperparameters->space.params[0].categorical_values,
            (std::vector<std::string>{"1e3", "0.10", "yes", "true"}));
  EXPECT_EQ(restored.max_running_time, std::chrono::seconds(7200));
  EXPECT_EQ(restored.trial_timeout, std::chrono::milliseconds(1500));
}

TEST(TrainingInput, StoredFormErrorsNameTheirPath) {
  nlohmann::json stored = {{"hyperparameters", {{"goal", "SIDEWAYS"}}}};
  EXPECT_THROW_WITH(training_input_from_json(stored), InputError,
                    "stored trainingInput: trainingInput.hyperparameters.goal: expected one of MAXIMIZE");
}

TEST(TrainingInput, MissingFileIsAnInputError) {
  EXPECT_THROW(load_training_input("/nonexistent/aip_config.yaml"), InputError);
}

TEST(TrainingInput, ArgsFlagValueReadsBothFormsAndTheLastWins) {
  const std::vector<std::string> args = {"--nthread=2", "--store", "/a", "--nthread-cap=9", "--store=/b", "--seed"};
  EXPECT_EQ(args_flag_value(args, "--nthread"), "2") << "--nthread-cap is another flag";
  EXPECT_EQ(args_flag_value(args, "--store"), "/b");
  EXPECT_EQ(args_flag_value(args, "--seed"), std::nullopt) << "a flag with no value sets nothing";
  EXPECT_TRUE(args_set_flag(args, "--nthread-cap"));
  EXPECT_FALSE(args_set_flag(args, "--model-dir"));
  // The next argument is a value only when it is no flag itself, as the trainer's parser reads it
  // (and as check_args_for_default_trainer reads args, through the same flag_at).
  const std::vector<std::string> bare = {"--store", "--seed", "3", "--", "x"};
  EXPECT_EQ(args_flag_value(bare, "--store"), std::nullopt);
  EXPECT_EQ(args_flag_value(bare, "--seed"), "3");
  EXPECT_FALSE(flag_at(bare, 3).has_value()) << "'--' alone is no flag";
  EXPECT_FALSE(flag_at(bare, 2).has_value()) << "a value is no flag";
}

// AI Platform requires discreteValues strictly increasing; a list out of order or with a repeat is
// refused at the item, not sorted behind the user's back (errors name items by their place in the file).
TEST(TrainingInput, DiscreteValuesMustIncrease) {
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n      discreteValues: [12, 8, 10]\n")), InputError,
                    "params[0].discreteValues[1]: 8 is below discreteValues[0] (12)", "strictly increasing");
  EXPECT_THROW_WITH(parse(with_param("      type: DISCRETE\n      discreteValues: [8, 8, 10]\n")), InputError,
                    "params[0].discreteValues[1]: 8 repeats discreteValues[0] (8)");
}

TEST(TrainingInput, ErrorsSayWhatWouldFix) {
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxTrials: 99999999999\n  params:\n"
                          "    - {parameterName: x, type: INTEGER, minValue: 1, maxValue: 3}\n"),
                    InputError, "maxTrials: expected an integer from 1 to 2147483647, found '99999999999'");
  EXPECT_THROW_WITH(parse("treeline: {threadsPerTrial: 100000}\n"), InputError,
                    "trainingInput.treeline.threadsPerTrial: expected an integer from 0 to 1024, found '100000'");
  EXPECT_THROW_WITH(parse("traininginput:\n  scaleTier: BASIC\n"), InputError,
                    "traininginput: did you mean trainingInput?");
  EXPECT_THROW_WITH(parse("scaleTier: BASIC\nhyperParameters: {}\n"), InputError,
                    "trainingInput.hyperParameters: unknown key; did you mean hyperparameters? (keys are case-sensitive)");
  const std::string space = "  params:\n    - {parameterName: x, type: INTEGER, minValue: 1, maxValue: 3}\n";
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  maxParalelTrials: 2\n" + space), InputError,
                    "hyperparameters.maxParalelTrials: unknown key; did you mean maxParallelTrials? valid keys: ");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMISE\n" + space), InputError,
                    "goal: expected one of MAXIMIZE, MINIMIZE, found 'MAXIMISE': did you mean MAXIMIZE?");
  EXPECT_THROW_WITH(parse("hyperparameters:\n  goal: MAXIMIZE\n  params:\n"
                          "    - {parameterName: x, type: INTEGR, minValue: 1, maxValue: 3}\n"),
                    InputError, "found 'INTEGR': did you mean INTEGER?");
}
