// What a search learns from a trial (jobs::observation_of): the value and cost of a trial that
// ran to its end, of a stopped one where it was measured, and nothing of a running or failed one.
#include <gtest/gtest.h>

#include "treeline/jobs/trial_observation.h"

namespace treeline::jobs {
namespace {

Trial succeeded_trial(long steps, double value, bool stopped_early) {
  Trial t;
  t.trial_id = 3;
  t.hyperparameters = {{"n_estimators", std::int64_t{800}}, {"learning_rate", 0.05}};
  t.state = JobState::kSucceeded;
  t.final_metric = ReportedMetric{.training_step = steps, .objective_value = value};
  t.stopped_early = stopped_early;
  t.start_time = 100.0;
  t.end_time = 104.5;
  return t;
}

TEST(TrialObservation, ATrialThatRanToItsEndIsLearntWhereItWasProposed) {
  const tuning::Observation o = observation_of(succeeded_trial(800, 0.92, false), "n_estimators");
  EXPECT_EQ(o.value, 0.92);
  EXPECT_EQ(o.cost_seconds, 4.5);
  EXPECT_FALSE(o.cost_is_lower_bound);
  EXPECT_FALSE(o.measured_at.has_value());
  EXPECT_FALSE(o.running);
}

TEST(TrialObservation, AStoppedTrialIsLearntAtTheStepItReached) {
  const Trial t = succeeded_trial(90, 0.81, true);
  const tuning::Observation o = observation_of(t, "n_estimators");
  ASSERT_TRUE(o.measured_at.has_value());
  EXPECT_EQ(std::get<std::int64_t>(o.measured_at->at("n_estimators")), 90);
  EXPECT_EQ(std::get<double>(o.measured_at->at("learning_rate")), 0.05);
  EXPECT_EQ(o.params, t.hyperparameters);  // still the point that was proposed
  EXPECT_EQ(o.value, 0.81);
  EXPECT_EQ(o.cost_seconds, 4.5);
  EXPECT_FALSE(o.cost_is_lower_bound);  // 90 rounds cost what they cost

  // Without a step parameter (or one the trial does not set) the stop says only that the
  // proposed point costs at least that much.
  for (const std::string step_parameter : {"", "rounds"}) {
    const tuning::Observation plain = observation_of(t, step_parameter);
    EXPECT_FALSE(plain.measured_at.has_value());
    EXPECT_TRUE(plain.cost_is_lower_bound);
    EXPECT_EQ(plain.value, 0.81);
  }
}

TEST(TrialObservation, TheReportsBeforeTheLastAreShorterModelsOfTheSameKind) {
  Trial t = succeeded_trial(300, 0.93, true);
  t.all_metrics = {{.training_step = 100, .objective_value = 0.90, .timestamp = 101.5},
                   {.training_step = 200, .objective_value = 0.92},                     // no time written
                   {.training_step = 250, .objective_value = 0.925, .timestamp = 99.0},  // before the start
                   {.training_step = 300, .objective_value = 0.93, .timestamp = 104.0}};
  const tuning::Observation o = observation_of(t, "n_estimators");
  ASSERT_EQ(o.partial.size(), 3u);  // the last report is the final value, not a partial one
  const std::int64_t steps[] = {100, 200, 250};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(std::get<std::int64_t>(o.partial[i].at.at("n_estimators")), steps[i]);
    EXPECT_EQ(std::get<double>(o.partial[i].at.at("learning_rate")), 0.05);
    EXPECT_EQ(o.partial[i].value, t.all_metrics[i].objective_value);
  }
  // 1.5 s to its report, and the 0.5 s the trial took after its last report (at 104.0 of 104.5).
  EXPECT_EQ(o.partial[0].cost_seconds, 2.0);
  EXPECT_FALSE(o.partial[1].cost_seconds.has_value());
  EXPECT_FALSE(o.partial[2].cost_seconds.has_value());  // a clock that disagrees teaches no price

  // A trial that ran to its end: every report but the last, whatever its final step.
  Trial full = succeeded_trial(800, 0.94, false);
  full.all_metrics = {{.training_step = 400, .objective_value = 0.93, .timestamp = 102.0},
                      {.training_step = 600, .objective_value = 0.935, .timestamp = 105.0},  // after the end
                      {.training_step = 800, .objective_value = 0.94}};  // no time: no tail either
  const tuning::Observation whole = observation_of(full, "n_estimators");
  ASSERT_EQ(whole.partial.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(whole.partial[1].at.at("n_estimators")), 600);
  EXPECT_EQ(whole.partial[0].cost_seconds, 2.0);
  EXPECT_FALSE(whole.partial[1].cost_seconds.has_value());

  // Without a step parameter a report says nothing about any other point.
  EXPECT_TRUE(observation_of(t, "").partial.empty());
  EXPECT_TRUE(observation_of(t, "rounds").partial.empty());
}

TEST(TrialObservation, RunningAndFailedTrialsTeachNoValue) {
  Trial running = succeeded_trial(10, 0.5, false);
  running.state = JobState::kRunning;
  running.final_metric.reset();
  running.end_time.reset();
  const tuning::Observation pending = observation_of(running, "n_estimators");
  EXPECT_TRUE(pending.running);
  EXPECT_FALSE(pending.value.has_value());
  EXPECT_FALSE(seconds_run(running).has_value());

  Trial failed = succeeded_trial(10, 0.5, false);
  failed.state = JobState::kFailed;
  const tuning::Observation nothing = observation_of(failed, "n_estimators");
  EXPECT_FALSE(nothing.value.has_value());
  EXPECT_FALSE(nothing.cost_seconds.has_value());
  EXPECT_FALSE(nothing.running);
  failed.all_metrics = {{.training_step = 5, .objective_value = 0.4, .timestamp = 101.0}};
  EXPECT_TRUE(observation_of(failed, "n_estimators").partial.empty());
}

}  // namespace
}  // namespace treeline::jobs
