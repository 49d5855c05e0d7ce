#pragma once
// Where jobs and trials live, durably. Agents own jobs through leases that they renew; a job
// whose agent died (its lease ran out, or its process is gone on this host) is taken over by
// another agent. Every change to a job's trials checks the caller still owns the job, so two
// agents never run the same trial. SQLite is the embedded default; PostgreSQL will follow.
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "treeline/common/error.h"
#include "treeline/jobs/job.h"

namespace treeline::jobs {

struct AgentInfo {
  std::string agent_id;
  long pid = 0;
  std::string host;
  double started = 0;
  double heartbeat = 0;
  // process_identity() of the agent's process: on its host, whether the agent lives is read from
  // /proc rather than from its heartbeat. Empty: judged by the heartbeat alone.
  std::string process_key;
};

// Thrown when an agent acts on a job it no longer owns; it must drop the job.
class LeaseLost : public Error {
 public:
  using Error::Error;
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Jobs. create_job throws InputError when the id is taken.
  virtual void create_job(const Job& job) = 0;
  virtual std::optional<Job> find_job(const std::string& job_id) = 0;
  // Only the state: what a running agent polls for, without reading the whole job.
  virtual std::optional<JobState> job_state(const std::string& job_id) = 0;
  virtual std::vector<Job> list_jobs(std::optional<JobState> state) = 0;
  virtual std::vector<Trial> trials(const std::string& job_id) = 0;
  // QUEUED jobs become CANCELLED at once, running ones CANCELLING (the agent finishes it).
  // Throws InputError for an unknown or already finished job. Returns the new state.
  virtual JobState request_cancel(const std::string& job_id) = 0;

  // Agents.
  virtual void heartbeat(const AgentInfo& agent) = 0;
  virtual void remove_agent(const std::string& agent_id) = 0;
  // Removes the agent unless a job is waiting that it could claim, in one step: a job created
  // meanwhile is either seen here or created after the agent is gone (so its submitter starts
  // another). Returns whether the agent was removed.
  virtual bool retire_agent_if_idle(const std::string& agent_id, double lease_seconds) = 0;
  virtual std::vector<AgentInfo> live_agents(double lease_seconds) = 0;
  // The agent that owns an unfinished job as it last registered, alive or not (pid 0 when it has
  // unregistered since); nullopt when nobody owns the job.
  virtual std::optional<AgentInfo> job_owner(const std::string& job_id) = 0;
  // Takes unfinished jobs that nobody (alive) owns; their interrupted trials are put back in
  // the queue to run again. Renews the leases of jobs already held.
  struct Claimed {
    std::vector<std::string> held;   // every job the agent now owns
    std::vector<std::string> taken;  // those of them it took just now (their trials requeued)
  };
  virtual Claimed claim_jobs(const AgentInfo& agent, double lease_seconds) = 0;
  virtual void release_job(const std::string& job_id, const std::string& agent_id) = 0;

  // Within an owned job (each throws LeaseLost when the job is not the caller's any more, or
  // has ended meanwhile, e.g. cancelled while still queued).
  // A cancel is never undone: a job the user moved to CANCELLING stays there when the agent,
  // unaware yet, moves it on to PREPARING or RUNNING; it leaves only for an end state.
  virtual void set_job_state(const std::string& job_id, const std::string& agent_id, JobState state,
                             const std::string& error_message = "") = 0;
  // Ends a study that ran all its trials: queues `follow_up` (a submit's final training; kept if
  // it exists already) and marks the job SUCCEEDED, in one step; or, when the job is being
  // cancelled (a cancel that came as the last trial ended), marks it CANCELLED, queues nothing
  // and returns false.
  virtual bool complete_study(const std::string& job_id, const std::string& agent_id,
                              const std::optional<Job>& follow_up) = 0;
  // Adds trial N+1 as RUNNING with `params`, unless the job already has `max_trials` trials or
  // is being cancelled (the agent may not have seen the cancel yet).
  virtual std::optional<int> start_new_trial(const std::string& job_id, const std::string& agent_id,
                                             const tuning::Assignment& params, int max_trials) = 0;
  // Moves a QUEUED (interrupted) trial to RUNNING again; false, changing nothing, when the job
  // is being cancelled.
  virtual bool restart_trial(const std::string& job_id, const std::string& agent_id, int trial_id) = 0;
  // Records intermediate metrics of a running trial.
  virtual void record_metrics(const std::string& job_id, const std::string& agent_id, int trial_id,
                              const std::vector<ReportedMetric>& all_metrics) = 0;
  // Records the end of a RUNNING trial (state, metrics, error, stopped_early, end_time).
  virtual void finish_trial(const std::string& job_id, const std::string& agent_id, const Trial& trial) = 0;
};

// Whether opening may create the store. Commands that queue or run jobs create it; those that
// read or act on jobs already submitted (list, describe, wait, logs, cancel) need it to exist, so
// that a mistyped --store is an error rather than an empty store left behind.
enum class StoreAccess { kCreate, kExisting };

// "sqlite:PATH" or a plain path -> the store (SQLite is the one kind so far; the default lives in
// the artifact store). Callers hold the interface, so another kind is a new branch here. Throws
// InputError for another scheme (postgres://...), or with kExisting when there is no store.
std::unique_ptr<JobStore> open_job_store(const std::string& spec, StoreAccess access = StoreAccess::kCreate);

}  // namespace treeline::jobs
