#include "treeline/common/number_text.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "treeline/common/error.h"
#include "treeline/data/split.h"
#include "treeline/jobs/metric_file.h"
#include "treeline/model/hyperparameters.h"
#include "test_util.h"

namespace treeline {
namespace {

TEST(NumberText, IntegersAreTheWholeText) {
  EXPECT_EQ(parse_integer<int>("42"), 42);
  EXPECT_EQ(parse_integer<int>("+42"), 42);
  EXPECT_EQ(parse_integer<int>("-7"), -7);
  for (const char* bad : {"", "+", "+-1", "++1", " 1", "1 ", "1.0", "4x", "0x10", "99999999999"})
    EXPECT_FALSE(parse_integer<int>(bad)) << "'" << bad << "'";
  EXPECT_FALSE(parse_integer<std::uint64_t>("-1"));
  EXPECT_EQ(parse_integer<std::uint64_t>("18446744073709551615"), UINT64_MAX);
}

TEST(NumberText, RealsAreFiniteAndTheWholeText) {
  EXPECT_EQ(parse_double("0.25"), 0.25);
  EXPECT_EQ(parse_double("+1e-3"), 1e-3);
  EXPECT_EQ(parse_double(".5"), 0.5);
  EXPECT_EQ(parse_double("-3"), -3.0);
  for (const char* bad : {"", "nan", "inf", "-inf", "1e999", "0.5 ", " 0.5", "0,5", "1/2", "+-1", "e3"})
    EXPECT_FALSE(parse_double(bad)) << "'" << bad << "'";
  EXPECT_EQ(parse_real<float>("1.5"), 1.5f);
  EXPECT_FALSE(parse_real<float>("1e39"));  // beyond float: not a finite float
}

// The places that read numbers follow the one rule: a leading '+' is a number everywhere, trailing
// text nowhere.
TEST(NumberText, EveryReaderSharesTheRule) {
  EXPECT_EQ(data::parse_seed("+12", "--seed"), 12u);
  EXPECT_THROW(data::parse_seed("12 ", "--seed"), InputError);

  model::Hyperparameters h;
  h.set("n_estimators", "+300");
  EXPECT_EQ(h.n_estimators(), 300);
  h.set("learning_rate", "+0.2");
  EXPECT_EQ(h.get("learning_rate"), "0.2");  // XGBoost gets the number without the sign
  EXPECT_THROW(h.set("learning_rate", "nan"), InputError);
  EXPECT_THROW(h.set("max_depth", "6.5"), InputError);
  h.set("max_depth", "6.0");  // tuners propose integers as doubles
  EXPECT_EQ(h.get("max_depth"), "6");

  testing::TempDir dir;
  const auto file = dir.path() / "metrics.jsonl";
  testing::write_text(file, "{\"f1\": \"+0.75\", \"global_step\": \"10\"}\n{\"f1\": \"0.8 \"}\n");
  jobs::MetricFileFollower follower(file, "f1");
  follower.update(/*complete=*/true);
  const auto read = follower.contents();
  ASSERT_EQ(read.metrics.size(), 1u);
  EXPECT_EQ(read.metrics[0].objective_value, 0.75);
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_NE(read.problems[0].find("report 2"), std::string::npos) << read.problems[0];
}

}  // namespace
}  // namespace treeline
