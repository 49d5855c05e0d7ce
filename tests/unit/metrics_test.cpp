#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/common/random.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/metrics/decision_threshold.h"
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

const ThresholdGuard kNoGuard{.resamples = 0};  // the sweep's own choice

TEST(DecisionThreshold, FindsTheF1OptimalCutBetweenDistinctProbabilities) {
  const std::vector<float> labels = {1, 1, 0, 1, 0, 0};
  const std::vector<float> p = {0.9f, 0.4f, 0.35f, 0.3f, 0.2f, 0.1f};
  EXPECT_DOUBLE_EQ(evaluate_binary(labels, p).f1, 0.5);  // at 0.5 only the first row is positive
  // F1 for the top 1..6 rows predicted positive: 2/4, 4/5, 4/6, 6/7, 6/8, 6/9.
  const TunedThreshold tuned = tune_threshold(labels, p, find_metric("f1"), kNoGuard);
  EXPECT_NEAR(tuned.threshold, (0.3 + 0.2) / 2, 1e-7);
  EXPECT_DOUBLE_EQ(tuned.metrics.f1, 6.0 / 7.0);
  EXPECT_EQ(tuned.metrics.confusion.false_positives, 1u);
  EXPECT_EQ(tuned.metrics.rows, 6u);
  EXPECT_GT(tuned.metrics.roc_auc, 0.0);  // the full metrics at that threshold, not only F1's
}

TEST(DecisionThreshold, TiesGoToTheCutNearestHalfAndEqualProbabilitiesMoveTogether) {
  // Recall is 1 at every cut that takes in the last positive (0.3): the nearest to 0.5 wins.
  const std::vector<float> labels = {1, 1, 0, 1, 0, 0};
  const std::vector<float> p = {0.9f, 0.4f, 0.35f, 0.3f, 0.2f, 0.1f};
  EXPECT_NEAR(tune_threshold(labels, p, find_metric("recall"), kNoGuard).threshold, 0.25, 1e-7);
  // Tied probabilities cannot be split: both rows at 0.6 are in or out together.
  const std::vector<float> tied_labels = {1, 0, 1, 0};
  const std::vector<float> tied = {0.6f, 0.6f, 0.6f, 0.1f};
  const TunedThreshold t = tune_threshold(tied_labels, tied, find_metric("accuracy"), kNoGuard);
  EXPECT_DOUBLE_EQ(t.metrics.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(t.threshold, 0.5);  // the best gap, (0.1, 0.6], holds 0.5
  // No positives predicted is a candidate too: with no positive rows, accuracy is best there.
  EXPECT_GT(tune_threshold(std::vector<float>{0, 0}, std::vector<float>{0.7f, 0.2f}, find_metric("accuracy"), kNoGuard).threshold,
            0.7);
}

TEST(DecisionThreshold, IsTheBestOfEveryCutOnRandomTiedScores) {
  // Scores on a coarse grid (many ties), 0 and 1 included, as XGBoost gives for large margins.
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = 1 + rng() % 40;
    std::vector<float> labels(n), p(n);
    for (std::size_t i = 0; i < n; ++i) {
      labels[i] = static_cast<float>(rng() % 3 == 0);
      p[i] = static_cast<float>(rng() % 11) / 10.0f;
    }
    for (const char* name : {"f1", "accuracy", "recall", "precision"}) {
      const MetricDefinition& metric = find_metric(name);
      const TunedThreshold tuned = tune_threshold(labels, p, metric, kNoGuard);
      // The metrics returned are those at the threshold returned ...
      EXPECT_EQ(metric.value(tuned.metrics), metric.value(evaluate_binary(labels, p, tuned.threshold)));
      // ... and no cut does better: every threshold between the grid's values, and 1 (all
      // negative when no score reaches 1; a threshold above 1 is never returned).
      for (int k = 0; k <= 11; ++k) {
        const double cut = k <= 10 ? k / 10.0 - 0.05 : 1.0;
        EXPECT_GE(metric.value(tuned.metrics), metric.value(evaluate_binary(labels, p, cut)) - 1e-12)
            << name << " round " << round << " cut " << cut;
      }
      // What a trial's decision_threshold.json may hold (read_decision_threshold): [0, 1).
      EXPECT_GE(tuned.threshold, 0.0);
      EXPECT_LT(tuned.threshold, 1.0);
    }
  }
}

TEST(DecisionThreshold, KeepsHalfWhenTheBestGapHoldsIt) {
  // Any cut in (0.2, 0.9] is best; 0.5 lies in it, so the usual cut stays.
  EXPECT_DOUBLE_EQ(tune_threshold(std::vector<float>{1, 0}, std::vector<float>{0.9f, 0.2f}, find_metric("f1"), kNoGuard).threshold,
                   0.5);
}

TEST(DecisionThreshold, KeepsHalfUnlessTheTunedCutWinsOnAlmostEveryResample) {
  // Six rows: the best cut (0.25) wins on these rows, but resamples without the row at 0.3 tie.
  const std::vector<float> few_labels = {1, 1, 0, 1, 0, 0};
  const std::vector<float> few = {0.9f, 0.4f, 0.35f, 0.3f, 0.2f, 0.1f};
  EXPECT_DOUBLE_EQ(tune_threshold(few_labels, few, find_metric("f1")).threshold, 0.5);
  // 2000 rows whose positives mostly score 0.3-0.45 and negatives 0-0.25: a cut near 0.28 beats
  // 0.5 on every resample.
  Random random(3);
  std::vector<float> labels, p;
  for (int i = 0; i < 2000; ++i) {
    const bool positive = i % 10 == 0;
    labels.push_back(positive);
    p.push_back(static_cast<float>(positive ? random.uniform(0.3, 0.45) + (i % 30 == 0) * 0.5 : random.uniform(0, 0.25)));
  }
  const TunedThreshold tuned = tune_threshold(labels, p, find_metric("f1"));
  EXPECT_GT(tuned.threshold, 0.25);
  EXPECT_LT(tuned.threshold, 0.3);
  EXPECT_DOUBLE_EQ(tuned.metrics.f1, 1.0);
  // A guard that wants more than every resample can give keeps 0.5.
  EXPECT_DOUBLE_EQ(tune_threshold(labels, p, find_metric("f1"), {.confidence = 1.01}).threshold, 0.5);
}

TEST(DecisionThreshold, CrossFittingCreditsACutOnlyForWhatItGivesOnRowsItWasNotTunedOn) {
  // Scores that know nothing of the labels: the cut tuned on the rows still finds an accuracy
  // above the half that every cut gets on new rows, by fitting their noise; cross-fitted, it does
  // not. Averaged over 20 draws of 400 rows.
  const MetricDefinition& accuracy = find_metric("accuracy");
  Random random(11);
  std::vector<float> labels, p;
  double in_sample = 0, held_out = 0;
  for (int draw = 0; draw < 20; ++draw) {
    labels.clear(), p.clear();
    for (int i = 0; i < 400; ++i) {
      labels.push_back(static_cast<float>(i % 2));
      p.push_back(static_cast<float>(random.uniform()));
    }
    in_sample += tune_threshold(labels, p, accuracy, kNoGuard).metrics.accuracy / 20;
    const auto m = cross_fitted_metrics(labels, p, accuracy);
    ASSERT_TRUE(m.has_value());
    held_out += m->accuracy / 20;
    EXPECT_EQ(m->rows, 400u);
    EXPECT_EQ(m->positives, 200u);
  }
  EXPECT_GT(in_sample, 0.52);
  EXPECT_NEAR(held_out, 0.5, 0.01);

  // A cut that is real (a rare class scoring 0.3-0.45, the rest 0-0.25) keeps its worth held out,
  // far above 0.5's; ROC AUC and log loss, which no cut changes, are those of all rows.
  labels.clear(), p.clear();
  for (int i = 0; i < 2000; ++i) {
    const bool positive = i % 10 == 0;
    labels.push_back(positive);
    p.push_back(static_cast<float>(positive ? random.uniform(0.3, 0.45) : random.uniform(0, 0.25)));
  }
  const MetricDefinition& f1 = find_metric("f1");
  const BinaryMetrics real = cross_fitted_metrics(labels, p, f1).value();
  EXPECT_DOUBLE_EQ(real.f1, 1.0);
  EXPECT_DOUBLE_EQ(evaluate_binary(labels, p).f1, 0.0);
  EXPECT_DOUBLE_EQ(real.roc_auc, evaluate_binary(labels, p).roc_auc);
  EXPECT_DOUBLE_EQ(real.log_loss, evaluate_binary(labels, p).log_loss);

  // One positive cannot be held out.
  const std::vector<float> one_positive = {1, 0, 0, 0};
  const std::vector<float> scores = {0.4f, 0.3f, 0.2f, 0.1f};
  EXPECT_FALSE(cross_fitted_metrics(one_positive, scores, f1).has_value());
  EXPECT_THROW_WITH(cross_fitted_metrics(labels, p, find_metric("roc_auc")), InputError, "roc_auc does not depend");
  EXPECT_THROW_WITH(cross_fitted_metrics(labels, scores, f1), InputError, "2000 labels but 4 probabilities");
}

TEST(DecisionThreshold, RefusesMetricsOfTheProbabilitiesAlone) {
  const std::vector<float> labels = {1, 0};
  const std::vector<float> p = {0.6f, 0.4f};
  EXPECT_THROW_WITH(tune_threshold(labels, p, find_metric("log_loss")), InputError, "log_loss does not depend");
  EXPECT_THROW_WITH(tune_threshold(std::vector<float>{}, std::vector<float>{}, find_metric("f1")), InputError, "no rows");
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
  r.report(std::nan(""), 110);  // e.g. no positives in the validation split: as Python's str() writes it
  std::string line3;
  std::getline(in, line3);
  EXPECT_EQ(nlohmann::json::parse(line3)["f1"], "nan");
  HypertuneReporter disabled(std::nullopt, "f1", "");
  EXPECT_FALSE(disabled.enabled());
  disabled.report(1.0, 1);  // no file, no error
}
