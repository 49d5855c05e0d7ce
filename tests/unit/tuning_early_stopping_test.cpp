// Early stopping of tuning trials: the median rule.
#include <gtest/gtest.h>

#include "treeline/tuning/early_stopping.h"

namespace treeline::tuning {
namespace {

using Curve = std::vector<IntermediateValue>;

// Finished trials whose best values by step 10 are 1, 2, ..., n.
std::vector<Curve> finished_with_values(int n) {
  std::vector<Curve> out;
  for (int v = 1; v <= n; ++v) out.push_back({{5, v - 0.5}, {10, static_cast<double>(v)}, {20, v + 10.0}});
  return out;
}

TEST(MedianStoppingRule, StopsBelowTheMedianOfFinishedTrialsAtTheSameStep) {
  const MedianStoppingRule rule;
  const auto odd = finished_with_values(5);  // median 3 at step 10
  EXPECT_TRUE(rule.should_stop({{10, 2.9}}, odd, Goal::kMaximize));
  EXPECT_FALSE(rule.should_stop({{10, 3.0}}, odd, Goal::kMaximize));
  // The trial's best so far counts, not its last report.
  EXPECT_FALSE(rule.should_stop({{5, 3.5}, {10, 1.0}}, odd, Goal::kMaximize));
  const auto even = finished_with_values(4);  // median 2.5
  EXPECT_TRUE(rule.should_stop({{10, 2.4}}, even, Goal::kMaximize));
  EXPECT_FALSE(rule.should_stop({{10, 2.6}}, even, Goal::kMaximize));
  // Minimising, lower is better: the best by step 10 is each trial's lowest so far, 0.5 .. 4.5.
  EXPECT_TRUE(rule.should_stop({{10, 2.6}}, odd, Goal::kMinimize));
  EXPECT_FALSE(rule.should_stop({{10, 2.4}}, odd, Goal::kMinimize));
}

TEST(MedianStoppingRule, ComparesOnlyWhatOthersHadReachedByThatStep) {
  const MedianStoppingRule rule;
  // At step 5 the finished trials had 0.5 .. 4.5; their later, larger values do not count.
  EXPECT_FALSE(rule.should_stop({{5, 2.6}}, finished_with_values(5), Goal::kMaximize));
  // Trials that had not reported by then are left out, and too few others never stop anything.
  std::vector<Curve> late = {{{50, 9}}, {{50, 9}}, {{50, 9}}, {{1, 0}}, {{1, 0}}};
  EXPECT_FALSE(rule.should_stop({{10, 1}}, late, Goal::kMaximize));
  EXPECT_FALSE(rule.should_stop({}, finished_with_values(5), Goal::kMaximize));
}

}  // namespace
}  // namespace treeline::tuning
