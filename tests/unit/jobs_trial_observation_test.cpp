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
}

}  // namespace
}  // namespace treeline::jobs
