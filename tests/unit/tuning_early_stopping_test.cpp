// Early stopping of tuning trials: the median, plateau and pace rules, and all of them together.
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

TEST(PlateauStoppingRule, StopsAFlatCurveBelowTheBestFinishedTrial) {
  const PlateauStoppingRule rule;  // flat over the last third of its steps, after 4 reports
  const std::vector<Curve> finished = {{{10, 0.5}, {20, 0.9}}, {{10, 0.7}, {20, 0.8}}};  // best 0.9
  // Its best, 0.8, came at step 30: at step 40 that is not yet a third of its steps ago; at 50 it
  // is (a later tie is no progress).
  EXPECT_FALSE(rule.should_stop({{10, 0.7}, {20, 0.75}, {30, 0.8}, {40, 0.79}}, finished, Goal::kMaximize));
  EXPECT_TRUE(rule.should_stop({{10, 0.7}, {20, 0.75}, {30, 0.8}, {40, 0.79}, {50, 0.8}}, finished, Goal::kMaximize));
  // Still climbing: no stop, however far below the best.
  EXPECT_FALSE(rule.should_stop({{10, 0.1}, {20, 0.2}, {30, 0.3}, {40, 0.4}, {50, 0.5}}, finished, Goal::kMaximize));
  // Flat but as good as the best: it may be the one chosen, so it runs to its end.
  EXPECT_FALSE(rule.should_stop({{10, 0.9}, {20, 0.9}, {30, 0.9}, {40, 0.9}, {50, 0.9}}, finished, Goal::kMaximize));
  // Too few reports, or nothing finished to compare with.
  EXPECT_FALSE(rule.should_stop({{10, 0.5}, {20, 0.5}, {30, 0.5}}, finished, Goal::kMaximize));
  EXPECT_FALSE(rule.should_stop({{10, 0.5}, {20, 0.5}, {30, 0.5}, {40, 0.5}}, {}, Goal::kMaximize));
  // Minimising: the best finished is the lowest value, 0.5.
  EXPECT_TRUE(rule.should_stop({{10, 0.7}, {20, 0.6}, {30, 0.6}, {40, 0.65}}, finished, Goal::kMinimize));
  EXPECT_FALSE(rule.should_stop({{10, 0.7}, {20, 0.6}, {30, 0.55}, {40, 0.52}}, finished, Goal::kMinimize));
}

TEST(PaceStoppingRule, StopsATrialTooSlowToCatchUpWithTheBestFinished) {
  const PaceStoppingRule rule;  // after 3 reports
  const std::vector<Curve> finished = {{{50, 0.6}, {100, 0.9}}, {{20, 0.7}, {40, 0.8}}};  // best 0.9, by step 100
  // At 0.005 a step (its faster recent interval), 0.58 reaches 0.93 by step 100: it runs on.
  EXPECT_FALSE(rule.should_stop({{10, 0.5}, {20, 0.55}, {30, 0.58}}, finished, Goal::kMaximize));
  // At 0.002 a step it reaches only 0.67.
  EXPECT_TRUE(rule.should_stop({{10, 0.5}, {20, 0.52}, {30, 0.53}}, finished, Goal::kMaximize));
  // The faster of the last two intervals sets the pace (0.01 a step: 1.31).
  EXPECT_FALSE(rule.should_stop({{10, 0.5}, {20, 0.6}, {30, 0.61}}, finished, Goal::kMaximize));
  // Past the longest finished trial's steps nothing tells how far it will go: it runs on.
  EXPECT_FALSE(rule.should_stop({{90, 0.5}, {100, 0.5}, {110, 0.5}}, finished, Goal::kMaximize));
  // Too few reports, or nothing finished to compare with.
  EXPECT_FALSE(rule.should_stop({{10, 0.1}, {20, 0.1}}, finished, Goal::kMaximize));
  EXPECT_FALSE(rule.should_stop({{10, 0.1}, {20, 0.1}, {30, 0.1}}, {}, Goal::kMaximize));
  // Minimising: the best finished is 0.1; going down 0.002 a step, 0.87 gets to 0.73 only.
  const std::vector<Curve> losses = {{{50, 0.3}, {100, 0.1}}};
  EXPECT_TRUE(rule.should_stop({{10, 0.9}, {20, 0.88}, {30, 0.87}}, losses, Goal::kMinimize));
  EXPECT_FALSE(rule.should_stop({{10, 0.9}, {20, 0.6}, {30, 0.5}}, losses, Goal::kMinimize));
}

TEST(AnyStoppingRule, StopsWhenEitherRuleWould) {
  const auto rule = make_default_stopping_rule();
  std::vector<Curve> finished = finished_with_values(5);  // median 3 at step 10; best 15 at step 20
  EXPECT_TRUE(rule->should_stop({{10, 2.9}}, finished, Goal::kMaximize));  // the median rule
  // Above the median at every step, but flat since step 10 and below the best finished (15).
  const Curve flat = {{5, 4}, {10, 12}, {12, 12}, {14, 12}, {16, 11}};
  EXPECT_FALSE(MedianStoppingRule().should_stop(flat, finished, Goal::kMaximize));
  EXPECT_TRUE(rule->should_stop(flat, finished, Goal::kMaximize));
  // Climbing and above the median, but at 0.05 a step it gets to 4.4 by step 20, far below 15.
  const Curve slow = {{2, 3.5}, {4, 3.6}, {6, 3.7}};
  EXPECT_FALSE(MedianStoppingRule().should_stop(slow, finished, Goal::kMaximize));
  EXPECT_FALSE(PlateauStoppingRule().should_stop(slow, finished, Goal::kMaximize));
  EXPECT_TRUE(rule->should_stop(slow, finished, Goal::kMaximize));
  EXPECT_FALSE(rule->should_stop({{5, 4}, {10, 12}, {12, 13}, {14, 14}, {16, 14.5}}, finished, Goal::kMaximize));
}

}  // namespace
}  // namespace treeline::tuning
