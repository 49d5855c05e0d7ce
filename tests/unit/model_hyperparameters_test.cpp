#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/model/hyperparameters.h"

using namespace treeline;
using namespace treeline::model;

TEST(Hyperparameters, DefaultsAndAliases) {
  Hyperparameters h;
  EXPECT_EQ(h.get("max_depth"), "6");
  h.set("eta", "0.1");
  EXPECT_EQ(h.get("learning_rate"), "0.1");
  EXPECT_EQ(h.xgboost_params().at("eta"), "0.1");
  h.set("max_depth", "8.0");  // tuners may send integers as doubles
  EXPECT_EQ(h.get("max_depth"), "8");
  EXPECT_EQ(Hyperparameters::from_arguments({"--n_estimators=50", "--reg_lambda=2"}).n_estimators(), 50);
}

TEST(Hyperparameters, UnknownNameListsValidOnes) {
  Hyperparameters h;
  EXPECT_THROW_WITH(h.set("max_dept", "3"), InputError, "--max_dept", "unknown hyperparameter", "max_depth",
                    "learning_rate (eta)");
}

TEST(Hyperparameters, OutOfRangeStatesTheRange) {
  Hyperparameters h;
  EXPECT_THROW_WITH(h.set("learning_rate", "0"), InputError, "--learning_rate=0", "(0, 1]");
  EXPECT_THROW_WITH(h.set("subsample", "1.5"), InputError, "--subsample=1.5", "(0, 1]");
  EXPECT_THROW_WITH(h.set("max_depth", "2.5"), InputError, "--max_depth=2.5", "an integer");
  EXPECT_THROW_WITH(h.set("max_depth", "-1"), InputError, "[0, 64]");
  EXPECT_THROW_WITH(h.set("tree_method", "gpu_hist"), InputError, "one of hist, approx");
  EXPECT_THROW_WITH(h.set("gamma", "abc"), InputError, "--gamma=abc", "a number");
  EXPECT_THROW_WITH(Hyperparameters::from_arguments({"max_depth"}), InputError, "--name=value");
}

TEST(Hyperparameters, UnlimitedDepthNeedsLossguide) {
  Hyperparameters h;
  h.set("max_depth", "0");
  EXPECT_THROW_WITH(h.xgboost_params(), InputError, "lossguide");
  h.set("grow_policy", "lossguide");
  EXPECT_THROW_WITH(h.xgboost_params(), InputError, "--max_leaves above 0");  // still no bound at all
  h.set("max_leaves", "255");
  EXPECT_EQ(h.xgboost_params().at("max_leaves"), "255");
}
