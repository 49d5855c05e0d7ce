// A config for treeline's own trainer is checked before its job is queued: each search
// parameter is one of the trainer's hyperparameters with every value in range, and the metric tag
// is one it reports; the error names the config's field.
#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"
#include "treeline/pipeline/trainer_config_check.h"

namespace treeline::pipeline {
namespace {

void check(const std::string& params, const std::string& more = "") {
  const auto input = jobs::parse_training_input(
      "hyperparameters:\n  goal: MAXIMIZE\n" + more + "  params:\n" + params, "c.yaml");
  check_config_for_default_trainer(input, "c.yaml");
}

const std::string kDepth = "    - {parameterName: max_depth, type: INTEGER, minValue: 3, maxValue: 9}\n";

TEST(TrainerConfigCheck, NamesTheFieldTheTrainerWouldRefuse) {
  EXPECT_NO_THROW(check(kDepth + "    - {parameterName: eta, type: DOUBLE, minValue: 0.01, maxValue: 0.5}\n"));
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: learning_rat, type: DOUBLE, minValue: 0.1, maxValue: 0.5}\n"),
                    InputError, "c.yaml: trainingInput.hyperparameters.params[1].parameterName: 'learning_rat'",
                    "valid names", "learning_rate");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: subsample, type: DOUBLE, minValue: 0.5, maxValue: 1.5}\n"),
                    InputError, "params[1].maxValue: 1.5", "--subsample=1.5");
  EXPECT_THROW_WITH(check("    - {parameterName: max_depth, type: INTEGER, minValue: -1, maxValue: 9}\n"), InputError,
                    "params[0].minValue: -1");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: tree_method, type: CATEGORICAL, "
                                   "categoricalValues: [hist, gpu_magic]}\n"),
                    InputError, "params[1].categoricalValues[1]: gpu_magic");
  EXPECT_THROW_WITH(check(kDepth + "    - {parameterName: max_bin, type: DISCRETE, discreteValues: [1, 64]}\n"),
                    InputError, "params[1].discreteValues[0]: 1");
  EXPECT_THROW_WITH(check(kDepth, "  hyperparameterMetricTag: f2\n"), InputError,
                    "trainingInput.hyperparameters.hyperparameterMetricTag", "'f2'");
}

TEST(TrainerConfigCheck, LeavesACustomTrainerAlone) {
  const auto input = jobs::parse_training_input(
      "masterConfig: {containerCommand: [python3, t.py]}\nhyperparameters:\n  goal: MAXIMIZE\n"
      "  hyperparameterMetricTag: rmse\n  params:\n"
      "    - {parameterName: anything, type: DOUBLE, minValue: -5, maxValue: 5}\n",
      "c.yaml");
  EXPECT_NO_THROW(check_config_for_default_trainer(input, "c.yaml"));
}

TEST(TrainerConfigCheck, TheShippedConfigPasses) {
  const std::string path = std::string(TREELINE_SOURCE_DIR) + "/config/aip_config.yaml";
  EXPECT_NO_THROW(check_config_for_default_trainer(jobs::load_training_input(path), path));
}

}  // namespace
}  // namespace treeline::pipeline
