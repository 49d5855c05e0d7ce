#include "treeline/jobs/resumed_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "treeline/common/error.h"
#include "treeline/jobs/trial_observation.h"
#include "treeline/tuning/unit_cube.h"

namespace treeline::jobs {
namespace {

// A job's succeeded trials as a search learns them, or why one of them does not fit `cube`.
struct StudyTrials {
  std::vector<tuning::Observation> observations;
  std::optional<std::string> misfit;
};

StudyTrials succeeded_trials(JobStore& store, const std::string& job_id, const tuning::UnitCube& cube,
                             const std::string& step_parameter) {
  StudyTrials out;
  for (const auto& t : store.trials(job_id)) {
    if (t.state != JobState::kSucceeded || !t.final_metric) continue;
    out.observations.push_back(observation_of(t, step_parameter));
    try {
      (void)cube.encode(out.observations.back().params);
    } catch (const InputError& e) {
      out.misfit = fmt::format("trial {} of job {} does not fit this job's params: {}", t.trial_id, job_id, e.what());
      return out;
    }
  }
  return out;
}

}  // namespace

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
  // The study goes back through every job it resumed: a job that resumed another carries that
  // one's trials on too. Oldest first, as the trials were run.
  std::vector<std::string> chain = {id};
  for (std::optional<Job> job = earlier; job;) {
    const auto& hp = job->training_input.value("hyperparameters", nlohmann::json::object());
    const std::string previous = hp.is_object() ? hp.value("resumePreviousJobId", std::string()) : std::string();
    if (previous.empty() || std::ranges::find(chain, previous) != chain.end()) break;
    job = store.find_job(previous);
    if (job) chain.push_back(previous);
  }
  // Each job's trials, newest job first. The job named must fit this space; an older one that
  // does not (a category dropped since) is left out, and so are the jobs it resumed.
  std::vector<std::vector<tuning::Observation>> studies;
  for (const std::string& link : chain) {
    StudyTrials trials = succeeded_trials(store, link, cube, input.step_parameter);
    if (trials.misfit && link == id)
      throw InputError(fmt::format("{}: {}; resume a study with the params it searched", where, *trials.misfit));
    if (trials.misfit) break;
    studies.push_back(std::move(trials.observations));
  }
  std::vector<tuning::Observation> history;
  for (auto study = studies.rbegin(); study != studies.rend(); ++study)
    history.insert(history.end(), study->begin(), study->end());
  return history;
}

}  // namespace treeline::jobs
