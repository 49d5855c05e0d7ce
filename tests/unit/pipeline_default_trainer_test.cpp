// treeline's own trainer as the platform's default: a config for it is checked before its job is
// queued (each search parameter one of the trainer's settings with every value the search may
// propose accepted, the metric tag one it reports; the error names the config's field), and a job
// hands it the store it was submitted to and, when tuning, a validation split.
#include <gtest/gtest.h>


#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"
#include "treeline/pipeline/default_trainer.h"

namespace treeline::pipeline {
namespace {

void check(const std::string& params, const std::string& more = "") {
  const auto input = jobs::parse_training_input(
      "hyperparameters:\n  goal: MAXIMIZE\n" + more + "  params:\n" + params, "c.yaml");
  check_config_for_default_trainer(input, "c.yaml");
}

const std::string kDepth = "    - {parameterName: max_depth, type: INTEGER, minValue: 3, maxValue: 9}\n";

TEST(DefaultTrainer, ConfigsItAcceptsPass) {
  EXPECT_NO_THROW(check(kDepth + "    - {parameterName: eta, type: DOUBLE, minValue: 0.01, maxValue: 0.5}\n"));
  // Whole numbers for a real-valued setting, small discrete values, the trainer's other flags.
  EXPECT_NO_THROW(check("    - {parameterName: min_child_weight, type: INTEGER, minValue: 1, maxValue: 8}\n"
                        "    - {parameterName: reg_alpha, type: DISCRETE, discreteValues: [0.00001, 0.5]}\n"
                        "    - {parameterName: encoding, type: CATEGORICAL, categoricalValues: [categorical, onehot]}\n"
                        "    - {parameterName: seed, type: INTEGER, minValue: 0, maxValue: 9}\n"
                        "    - {parameterName: learning_rate, type: DOUBLE, minValue: 0.1, maxValue: 0.1}\n"));
  const std::string path = std::string(TREELINE_SOURCE_DIR) + "/config/aip_config.yaml";
  EXPECT_NO_THROW(check_config_for_default_trainer(jobs::load_training_input(path), path)) << "the shipped config";
}

TEST(DefaultTrainer, NamesTheFieldItWouldRefuse) {
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: learning_rat, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n"),
                    InputError, "c.yaml: trainingInput.hyperparameters.params[1].parameterName: 'learning_rat'",
                    "valid names", "learning_rate", "encoding and seed");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: subsample, type: DOUBLE, minValue: 0.5, maxValue: 1.5}\n"),
                    InputError, "params[1].maxValue: 1.5", "--subsample=1.5");
  EXPECT_THROW_WITH(check("    - {parameterName: max_depth, type: INTEGER, minValue: -1, maxValue: 9}\n"), InputError,
                    "params[0].minValue: -1");
  EXPECT_THROW_WITH(check("    - {parameterName: max_depth, type: DOUBLE, minValue: 3, maxValue: 9}\n"), InputError,
                    "params[0].type: DOUBLE proposes fractional values, and max_depth takes whole numbers",
                    "use INTEGER");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: tree_method, type: CATEGORICAL, "
                                   "categoricalValues: [hist, gpu_magic]}\n"),
                    InputError, "params[1].categoricalValues[1]: gpu_magic");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: max_bin, type: DISCRETE, discreteValues: [1, 64]}\n"),
                    InputError, "params[1].discreteValues[0]: 1");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: encoding, type: CATEGORICAL, categoricalValues: [dense]}\n"),
                    InputError, "params[1].categoricalValues[0]: dense", "'categorical' or 'onehot'");
  EXPECT_THROW_WITH(check(kDepth, "  hyperparameterMetricTag: f2\n"), InputError,
                    "trainingInput.hyperparameters.hyperparameterMetricTag", "'f2'");
  EXPECT_THROW_WITH(check(kDepth, "  hyperparameterMetricTag: log_loss\n"), InputError,
                    "c.yaml: trainingInput.hyperparameters.goal: MAXIMIZE, but log_loss is better lower; write goal: "
                    "MINIMIZE");
}

TEST(DefaultTrainer, LeavesACustomTrainerAlone) {
  const auto input = jobs::parse_training_input(
      "masterConfig: {containerCommand: [python3, t.py]}\nhyperparameters:\n  goal: MAXIMIZE\n"
      "  hyperparameterMetricTag: rmse\n  params:\n"
      "    - {parameterName: anything, type: DOUBLE, minValue: -5, maxValue: 5}\n",
      "c.yaml");
  EXPECT_NO_THROW(check_config_for_default_trainer(input, "c.yaml"));
  EXPECT_TRUE(default_trainer_args(input, {"--store=relative"}, "/srv/store").empty());
}

TEST(DefaultTrainer, IsToldItsStoreAndATuningJobsValidationSplit) {
  const std::string space = "    - {parameterName: max_depth, type: INTEGER, minValue: 1, maxValue: 9}\n";
  const auto tuning = jobs::parse_training_input("hyperparameters:\n  goal: MAXIMIZE\n  params:\n" + space, "t.yaml");
  const auto training = jobs::parse_training_input("scaleTier: BASIC\n", "t.yaml");
  using Args = std::vector<std::string>;
  EXPECT_EQ(default_trainer_args(tuning, {"--cover-type=2"}, "/srv/store"),
            (Args{"--store=/srv/store", "--validation-fraction=0.2"}));
  EXPECT_EQ(default_trainer_args(training, {}, "/srv/store"), (Args{"--store=/srv/store"}))
      << "a training job scores on the test split";
  EXPECT_EQ(default_trainer_args(tuning, {"--store", "/elsewhere", "--validation-fraction=0.3"}, "/srv/store"),
            Args{})
      << "what the config or the user gave stays";

  EXPECT_THROW_WITH(default_trainer_args(training, {"--store", "rel"}, "/srv/store"), InputError, "--store=rel",
                    "absolute path");
  EXPECT_THROW_WITH(default_trainer_args(tuning, {"--validation-fraction=0"}, "/srv/store"), InputError,
                    "--validation-fraction", "strictly between 0 and 1, found 0");
  EXPECT_THROW_WITH(default_trainer_args(tuning, {"--validation-fraction", "x"}, "/srv/store"), InputError,
                    "--validation-fraction=x: expected a number");
}

}  // namespace
}  // namespace treeline::pipeline

namespace treeline::pipeline {
namespace {

// A setting given twice reaches every trial's command line twice, and the trainer refuses it:
// caught when the job is submitted, naming the config's fields or the argument.
TEST(DefaultTrainer, RefusesASettingGivenTwice) {
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: eta, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n"
                                   "    - {parameterName: learning_rate, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n"),
                    InputError, "params[2].parameterName: 'learning_rate' is searched by params[1] ('eta') already");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: lambda, type: DOUBLE, minValue: 0.1, maxValue: 5}\n"
                                   "    - {parameterName: reg_lambda, type: DOUBLE, minValue: 0.1, maxValue: 5}\n"
                                   "    - {parameterName: alpha, type: DOUBLE, minValue: 0.1, maxValue: 5}\n"
                                   "    - {parameterName: reg_alpha, type: DOUBLE, minValue: 0.1, maxValue: 5}\n"),
                    InputError, "params[2].parameterName: 'reg_lambda' is searched by params[1] ('lambda') already");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: min_split_loss, type: DOUBLE, minValue: 0, maxValue: 5}\n"
                                   "    - {parameterName: gamma, type: DOUBLE, minValue: 0, maxValue: 5}\n"),
                    InputError, "params[2].parameterName: 'gamma' is searched by params[1] ('min_split_loss') already");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: gamma, type: DOUBLE, minValue: 0, maxValue: 5}\n"
                                   "    - {parameterName: min_split_loss, type: DOUBLE, minValue: 0, maxValue: 5}\n"),
                    InputError, "'min_split_loss' (that is, gamma) is searched by params[1] ('gamma') already");

  auto with_args = [](const std::string& args) {
    const auto input = jobs::parse_training_input(
        "args: " + args + "\nhyperparameters:\n  goal: MAXIMIZE\n  params:\n" + kDepth, "c.yaml");
    check_config_for_default_trainer(input, "c.yaml");
    return input;
  };
  EXPECT_THROW_WITH(with_args("['--nthread=1', '--max_depth=4']"), InputError, "c.yaml: trainingInput.args[1]",
                    "--max_depth=4 sets max_depth, which trainingInput.hyperparameters.params[0] (max_depth) searches");
  EXPECT_THROW_WITH(with_args("['--eta', '0.1', '--learning_rate=0.2']"), InputError, "c.yaml: trainingInput.args[2]",
                    "sets learning_rate, as c.yaml: trainingInput.args[0] does already");
  EXPECT_THROW_WITH(with_args("['--subsample=junk']"), InputError, "c.yaml: trainingInput.args[0]: --subsample=junk",
                    "expected");
  EXPECT_THROW_WITH(with_args("['--gamma']"), InputError, "trainingInput.args[0]: --gamma needs a value");
  // The trainer's flags a search may set are held to the same rule.
  auto with_seed_param = [](const std::string& args) {
    const auto input = jobs::parse_training_input(
        "masterConfig: {containerArgs: ['--json']}\nargs: " + args +
            "\nhyperparameters:\n  goal: MAXIMIZE\n  params:\n"
            "    - {parameterName: seed, type: INTEGER, minValue: 0, maxValue: 9}\n",
        "c.yaml");
    check_config_for_default_trainer(input, "c.yaml");
  };
  EXPECT_THROW_WITH(with_seed_param("['--seed=7']"), InputError, "c.yaml: trainingInput.args[0]: --seed=7 sets seed",
                    "params[0] (seed) searches");
  EXPECT_THROW_WITH(with_seed_param("['--encoding=dense']"), InputError, "c.yaml: trainingInput.args[0]:",
                    "'categorical' or 'onehot'");
  EXPECT_NO_THROW(with_seed_param("['--encoding=onehot']"));
  const auto input = with_args("['--eta', '0.1', '--nthread=1', '--json']");  // fine: set once, not searched
  const auto where = [](std::size_t i) { return "argument " + std::to_string(i); };
  EXPECT_NO_THROW(check_args_for_default_trainer(input, {"--gamma=1"}, where));
  EXPECT_THROW_WITH(check_args_for_default_trainer(input, {"--num_boost_round=5", "--n_estimators", "6"}, where),
                    InputError, "argument 1: --n_estimators sets n_estimators, as argument 0 does already");
}

}  // namespace
}  // namespace treeline::pipeline

namespace treeline::pipeline {
namespace {

TEST(DefaultTrainer, RefusesAFlagTheTrainerDoesNotHave) {
  const auto input = jobs::parse_training_input(
      "args: ['--json', '--report-every=5', '--n_estimator=500']\nhyperparameters:\n  goal: MAXIMIZE\n  params:\n" +
          kDepth,
      "c.yaml");
  EXPECT_THROW_WITH(check_config_for_default_trainer(input, "c.yaml"), InputError,
                    "c.yaml: trainingInput.args[2]: --n_estimator=500: treeline's trainer (train-evaluate) has no "
                    "flag --n_estimator",
                    "--report-every", "n_estimators (num_boost_round)");
  const auto job_dir = jobs::parse_training_input("args: ['--job-dir=/tmp/x']\n", "c.yaml");
  EXPECT_THROW_WITH(check_config_for_default_trainer(job_dir, "c.yaml"), InputError,
                    "c.yaml: trainingInput.args[0]: --job-dir=/tmp/x: the platform sets --job-dir itself");
}

}  // namespace
}  // namespace treeline::pipeline
