#pragma once
// The agent runs the jobs of one job store: it claims queued (or orphaned) jobs, asks each
// job's search algorithm for hyperparameters, starts trial processes through an executor within
// the job's maxParallelTrials and the machine-wide cap, reads their metric files, stops
// unpromising trials early, records every finished trial durably, and ends each job.
#include <atomic>
#include <functional>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "treeline/executors/executor.h"
#include "treeline/executors/machine_slots.h"
#include "treeline/jobs/job_store.h"
#include "treeline/tuning/sampler.h"
#include "treeline/tuning/sampler_registry.h"

namespace treeline::jobs {

struct AgentOptions {
  std::filesystem::path jobs_root;        // each job's files go to JOBS_ROOT/JOB_ID/
  std::string self_executable;            // runs `train-evaluate`, the default trainer
  double lease_seconds = 10;              // a job whose agent is silent this long is taken over
  bool exit_when_idle = false;            // stop once no job is left (agents started by submit)
  double idle_grace_seconds = 3;          // ... after waiting this long for new ones
  int max_processes = 0;                  // machine-wide cap on trial processes; 0: the cores
  std::filesystem::path slots_directory;  // empty: MachineSlots::default_directory()
  // Makes a tuning job's search algorithm from its config's name and settings; empty:
  // tuning::make_sampler, the registered ones. Tests pass one that watches what the search is told.
  std::function<std::unique_ptr<tuning::Sampler>(const std::string&, const tuning::SamplerSettings&)> make_sampler;
  // What the agent does, one line each: a job taken up, a trial started or ended, a job ended
  // (for its log: `treeline agent` prints them on stderr, a background agent's go to
  // STORE/agent.log). Empty: nothing is said.
  std::function<void(const std::string&)> on_event;
};

class Agent {
 public:
  Agent(JobStore& store, executors::Executor& executor, AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs until `stop` becomes true or, with exit_when_idle, no job is left. Running trials are
  // stopped when it returns, also by an exception (a failing store); their jobs are released for
  // another agent.
  void run(const std::atomic<bool>& stop);
  const std::string& agent_id() const { return info_.agent_id; }

 private:
  struct ActiveJob;
  struct RunningTrial;

  // Runs `step` on each active job (in `order` when given), dropping jobs whose lease was lost.
  void for_each_job(const std::function<void(ActiveJob&)>& step, std::vector<std::string> order = {});
  void serve(const std::atomic<bool>& stop);
  // Stops every trial, then releases the jobs and unregisters the agent.
  void shut_down();
  void claim();
  void activate(const std::string& job_id);
  void poll_trials(ActiveJob& job);
  void refresh_state(ActiveJob& job);
  void follow_metrics(ActiveJob& job);
  // Starts at most one trial of `job` (a re-run first); false when it has none to start or no slot is free.
  bool launch_next_trial(ActiveJob& job);
  // False when the trial could not start (it is recorded FAILED).
  bool launch(ActiveJob& job, int trial_id, const tuning::Assignment& params,
              std::unique_ptr<executors::MachineSlot> slot);
  // Marks the job failing once maxFailedTrials of its trials have failed (asked as a trial fails,
  // and when a job is taken up): no trial starts after.
  void check_failed_trials(ActiveJob& job);
  void finish(ActiveJob& job, RunningTrial& running, const executors::Outcome& outcome);
  void maybe_complete(ActiveJob& job);
  // The job a study queues when it succeeds (a submit's final training with the best trial), if
  // its labels name one and a trial is fit to pick.
  std::optional<Job> follow_up_job(ActiveJob& job);
  // Where a trial's --job-dir is (trainer_directory); for a training job, trial_id is ignored.
  std::filesystem::path job_directory(const ActiveJob& job, int trial_id) const;
  void drop(const std::string& job_id);
  int threads_per_trial(const ActiveJob& job) const;
  // Divides the cores among the running trials each round (a trial's share file is rewritten only
  // when its share changes), so a trial left alone takes up the cores its peers freed
  // (see executors/thread_share.h).
  void share_cores();
  void wait_for_events(double seconds);
  void tell(const std::string& event) const {
    if (options_.on_event) options_.on_event(event);
  }

  JobStore& store_;
  executors::Executor& executor_;
  AgentOptions options_;
  AgentInfo info_;
  executors::MachineSlots slots_;
  std::map<std::string, std::unique_ptr<ActiveJob>> active_;
  double last_claim_ = 0;
  bool slot_freed_ = false;  // a trial ended since the last claim: look for new jobs before reusing its slot
  double last_refresh_ = 0;
  double idle_since_ = 0;
  std::size_t turn_ = 0;  // rotates which job launches first
  int held_elsewhere_ = 0;  // machine slots other agents held at the last probe
  double last_held_probe_ = 0;
};

}  // namespace treeline::jobs
