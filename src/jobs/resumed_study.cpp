#include "treeline/jobs/resumed_study.h"

#include <fmt/format.h>

#include "treeline/common/error.h"
#include "treeline/jobs/trial_observation.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::jobs {

std::vector<tuning::Observation> resumed_history(JobStore& store, const TrainingInput& input) {
  if (!input.hyperparameters || input.hyperparameters->resume_previous_job_id.empty()) return {};
  const HyperparameterSpec& spec = *input.hyperparameters;
  const std::string& id = spec.resume_previous_job_id;
  const std::string where = "trainingInput.hyperparameters.resumePreviousJobId";
  const auto earlier = store.find_job(id);
  if (!earlier) throw InputError(fmt::format("{}: no job {} in this job store", where, id));
  if (!is_terminal(earlier->state))
    throw InputError(fmt::format("{}: job {} is {}: a study is resumed once it has ended (treeline jobs wait {})",
                                 where, id, to_string(earlier->state), id));
  // Read as stored, not parsed again: the earlier job's config was checked when it was submitted.
  if (!earlier->training_input.contains("hyperparameters"))
    throw InputError(fmt::format("{}: job {} was a training job, not a tuning job: it has no study to resume", where, id));
  const tuning::UnitCube cube(spec.space);
  std::vector<tuning::Observation> history;
  for (const auto& t : store.trials(id)) {
    if (t.state != JobState::kSucceeded || !t.final_metric) continue;
    history.push_back(observation_of(t, input.step_parameter));
    try {
      (void)cube.encode(history.back().params);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: trial {} of job {} does not fit this job's params: {}; resume a study with "
                                   "the params it searched",
                                   where, t.trial_id, id, e.what()));
    }
  }
  return history;
}

}  // namespace treeline::jobs
