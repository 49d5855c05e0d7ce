#include "treeline/jobs/trial_observation.h"

namespace treeline::jobs {

std::optional<double> seconds_run(const Trial& t) {
  if (t.state != JobState::kSucceeded || !t.final_metric || !t.start_time || !t.end_time) return std::nullopt;
  return *t.end_time - *t.start_time;
}

tuning::Observation observation_of(const Trial& t, const std::string& step_parameter) {
  tuning::Observation o{.params = t.hyperparameters, .running = t.state == JobState::kRunning};
  if (t.state != JobState::kSucceeded || !t.final_metric) return o;
  o.value = t.final_metric->objective_value;
  o.cost_seconds = seconds_run(t);
  o.cost_is_lower_bound = t.stopped_early;
  o.stopped_early = t.stopped_early;
  if (t.stopped_early && !step_parameter.empty() && t.hyperparameters.contains(step_parameter) &&
      t.final_metric->training_step > 0) {
    o.measured_at = t.hyperparameters;
    (*o.measured_at)[step_parameter] = static_cast<std::int64_t>(t.final_metric->training_step);
    o.cost_is_lower_bound = false;
  }
  // Every report before the last is a shorter model of the same kind, measured as the last one is.
  if (!step_parameter.empty() && t.hyperparameters.contains(step_parameter)) {
    // Its price: the seconds to its report, plus what the trial took after its last report (the
    // final evaluation, storing the model, exiting), which a trial of that length pays too.
    const auto on_the_clock = [&](const ReportedMetric& m) {
      return m.timestamp && t.start_time && t.end_time && *m.timestamp > *t.start_time && *m.timestamp <= *t.end_time;
    };
    const ReportedMetric* last = t.all_metrics.empty() ? nullptr : &t.all_metrics.back();
    const double tail = last && on_the_clock(*last) ? *t.end_time - *last->timestamp : 0.0;
    for (const ReportedMetric& m : t.all_metrics) {
      if (m.training_step <= 0 || m.training_step >= t.final_metric->training_step) continue;
      tuning::PartialMeasurement p{.at = t.hyperparameters, .value = m.objective_value};
      p.at[step_parameter] = static_cast<std::int64_t>(m.training_step);
      if (on_the_clock(m)) p.cost_seconds = *m.timestamp - *t.start_time + tail;
      o.partial.push_back(std::move(p));
    }
  }
  return o;
}

}  // namespace treeline::jobs
