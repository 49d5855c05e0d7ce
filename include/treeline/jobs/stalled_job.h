#pragma once
// Why an unfinished job may not be moving, for `jobs describe`, `jobs wait` and `submit`: its
// agent is stopped (Ctrl-Z), busy, gone, or no agent serves the store at all. What a user needs
// to unstick it.
#include <optional>
#include <string>

#include "treeline/jobs/job.h"
#include "treeline/jobs/job_store.h"

namespace treeline::jobs {

// nullopt when the job has ended or an agent is (or will be) running it; otherwise what holds it
// and what to do, in one or two sentences.
std::optional<std::string> stalled_job_note(JobStore& store, const Job& job, double lease_seconds);

// Whether two notes say the same but for their numbers (the seconds of silence grow), so a
// waiting command prints a note again only when it changes.
bool same_note(const std::optional<std::string>& a, const std::optional<std::string>& b);

}  // namespace treeline::jobs
