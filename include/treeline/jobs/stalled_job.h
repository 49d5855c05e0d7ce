#pragma once
// Why an unfinished job may not be moving, for `jobs describe`, `jobs wait` and `submit`: its
// agent is stopped (Ctrl-Z), busy, gone, or no agent serves the store at all. What a user needs
// to unstick it.
#include <optional>
#include <string>
#include <vector>

#include "treeline/jobs/job.h"
#include "treeline/jobs/job_store.h"

namespace treeline::jobs {

struct StalledNote {
  std::string text;  // what holds the job and what to do, in one or two sentences
  // The cause and the agent it names, without the seconds of silence that grow at every check:
  // equal causes need not be printed again.
  std::string cause;
  JobState state = JobState::kQueued;  // the job's, as read with the note (it may have moved since the caller's copy)
};

// nullopt when the job has ended or an agent is (or will be) running it.
std::optional<StalledNote> stalled_job_note(JobStore& store, const Job& job, double lease_seconds);

// The jobs among `jobs` that something holds, grouped by cause (the jobs of one agent share it),
// in the order of their first job; each job carries the state read with its note.
struct StalledGroup {
  StalledNote note;
  std::vector<Job> jobs;
};
std::vector<StalledGroup> stalled_groups(JobStore& store, const std::vector<Job>& jobs, double lease_seconds);

// Whether two notes name the same cause (both none counts as the same), so a waiting command
// prints a note again only when it changes: another agent, another state of it.
bool same_cause(const std::optional<StalledNote>& a, const std::optional<StalledNote>& b);

}  // namespace treeline::jobs
