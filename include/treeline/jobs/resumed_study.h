#pragma once
// resumePreviousJobId: a tuning job that continues an earlier study learns from its trials, and
// from those of the jobs that one resumed in turn, as far back as they fit its search space.
#include <string>
#include <vector>

#include "treeline/jobs/job_store.h"
#include "treeline/jobs/training_input.h"
#include "treeline/tuning/search_space.h"

namespace treeline::jobs {

// The earlier job's succeeded trials as `input`'s search learns them (observation_of), or an
// InputError naming trainingInput.hyperparameters.resumePreviousJobId when they cannot be: no
// such job, one that has not ended (its study is not whole yet), one that was no tuning job, or
// a trial without a value of this search space (a parameter added since, or a category dropped)
// which no algorithm could place. Checked when a job is submitted and again when an agent takes
// it up; empty when the input resumes nothing.
std::vector<tuning::Observation> resumed_history(JobStore& store, const TrainingInput& input);

}  // namespace treeline::jobs
