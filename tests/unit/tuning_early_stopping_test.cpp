// Early stopping of tuning trials: the median rule, the plateau rule and the two together.
#include <gtest/gtest.h>

#include "treeline/tuning/any_stopping_rule.h"
#include "treeline/tuning/early_stopping.h"
#include "treeline/tuning/median_stopping_rule.h"
#include "treeline/tuning/plateau_stopping_rule.h"

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
  // Minimising: the best finished is the lowest final value, 0.8.
  EXPECT_TRUE(rule.should_stop({{10, 0.9}, {20, 0.85}, {30, 0.85}, {40, 0.88}}, finished, Goal::kMinimize));
  EXPECT_FALSE(rule.should_stop({{10, 0.9}, {20, 0.8}, {30, 0.75}, {40, 0.72}}, finished, Goal::kMinimize));
}

TEST(PlateauStoppingRule, TheBarIsTheBestFinalValueNotAPeakOnTheWay) {
  const PlateauStoppingRule rule;
  // A finished trial that passed through 0.95 (noise) and ended at 0.85.
  const std::vector<Curve> finished = {{{10, 0.5}, {20, 0.95}, {30, 0.85}}};
  const Curve flat_at_090 = {{10, 0.9}, {20, 0.9}, {30, 0.9}, {40, 0.9}, {50, 0.89}};
  EXPECT_FALSE(rule.should_stop(flat_at_090, finished, Goal::kMaximize)) << "it would be chosen over 0.85";
  const Curve flat_at_080 = {{10, 0.8}, {20, 0.8}, {30, 0.8}, {40, 0.8}, {50, 0.79}};
  EXPECT_TRUE(rule.should_stop(flat_at_080, finished, Goal::kMaximize));
}

TEST(AnyStoppingRule, StopsWhenEitherRuleWould) {
  const auto rule = make_default_stopping_rule();
  std::vector<Curve> finished = finished_with_values(5);  // median 3 at step 10; best 15 at step 20
  EXPECT_TRUE(rule->should_stop({{10, 2.9}}, finished, Goal::kMaximize));  // the median rule
  // Above the median at every step, but flat since step 10 and below the best finished (15).
  const Curve flat = {{5, 4}, {10, 12}, {12, 12}, {14, 12}, {16, 11}};
  EXPECT_FALSE(MedianStoppingRule().should_stop(flat, finished, Goal::kMaximize));
  EXPECT_TRUE(rule->should_stop(flat, finished, Goal::kMaximize));
  EXPECT_FALSE(rule->should_stop({{5, 4}, {10, 12}, {12, 13}, {14, 14}, {16, 14.5}}, finished, Goal::kMaximize));
}

}  // namespace
}  // namespace treeline::tuning
