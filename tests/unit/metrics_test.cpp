#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/metrics/hypertune_reporter.h"

using namespace treeline;
using namespace treeline::metrics;

TEST(BinaryMetrics, MatchesHandComputedValues) {
  const std::vector<float> labels = {1, 1, 1, 0, 0, 0, 0, 1};
  const std::vector<float> p = {0.9f, 0.8f, 0.3f, 0.6f, 0.2f, 0.1f, 0.4f, 0.7f};
  const auto m = evaluate_binary(labels, p);
  EXPECT_EQ(m.confusion.true_positives, 3u);
  EXPECT_EQ(m.confusion.false_negatives, 1u);
  EXPECT_EQ(m.confusion.false_positives, 1u);
  EXPECT_EQ(m.confusion.true_negatives, 3u);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(m.precision, 0.75);
  EXPECT_DOUBLE_EQ(m.recall, 0.75);
  EXPECT_DOUBLE_EQ(m.f1, 0.75);
  // Pairs (pos, neg) ranked correctly: 15 of 16 (0.3 < 0.4 and 0.6 are the misses: 2) -> 14/16.
  EXPECT_DOUBLE_EQ(m.roc_auc, 14.0 / 16.0);
  EXPECT_GT(m.log_loss, 0.0);
}

TEST(BinaryMetrics, TiesAndSingleClass) {
  const auto tied = evaluate_binary(std::vector<float>{1, 0}, std::vector<float>{0.5f, 0.5f});
  EXPECT_DOUBLE_EQ(tied.roc_auc, 0.5);
  const auto single = evaluate_binary(std::vector<float>{0, 0}, std::vector<float>{0.1f, 0.2f});
  EXPECT_TRUE(std::isnan(single.roc_auc));
  EXPECT_DOUBLE_EQ(single.f1, 0.0);
  EXPECT_TRUE(to_json(single)["roc_auc"].is_null());
}

TEST(BinaryMetrics, FindsMetricsByNameOrAlias) {
  EXPECT_EQ(find_metric("auc").name, "roc_auc");
  EXPECT_FALSE(find_metric("logloss").higher_is_better);
  EXPECT_THROW_WITH(find_metric("rmse"), InputError, "unknown metric 'rmse'", "f1");
}

TEST(HypertuneReporter, AppendsCloudmlHypertuneLines) {
  treeline::testing::TempDir dir;
  HypertuneReporter r(dir / "metrics.jsonl", "f1", "3");
  r.report(0.5, 10);
  r.report(0.8712, 100);
  std::ifstream in(dir / "metrics.jsonl");
  std::string line1, line2;
  std::getline(in, line1);
  std::getline(in, line2);
  const auto j = nlohmann::json::parse(line2);
  EXPECT_EQ(j["global_step"], "100");
  EXPECT_EQ(j["f1"], "0.8712");
  EXPECT_EQ(j["trial"], "3");
  EXPECT_TRUE(j["timestamp"].is_number());
  HypertuneReporter disabled(std::nullopt, "f1", "");
  EXPECT_FALSE(disabled.enabled());
  disabled.report(1.0, 1);  // no file, no error
}
