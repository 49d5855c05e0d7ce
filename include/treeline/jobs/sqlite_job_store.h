#pragma once
// The job store in one SQLite file in WAL mode with synchronous=FULL: a committed trial survives
// a crash of the agent or the machine. Many processes may open it at once.
#include <filesystem>

#include "treeline/common/sqlite.h"
#include "treeline/jobs/job_store.h"

namespace treeline::jobs {

class SqliteJobStore : public JobStore {
 public:
  // Refuses (InputError, nothing written) a file that is no SQLite database, or one whose tables
  // are another program's (a warehouse given to --jobs); with kExisting, also one without a store.
  explicit SqliteJobStore(const std::filesystem::path& path, StoreAccess access = StoreAccess::kCreate);

  void create_job(const Job& job) override;
  std::optional<Job> find_job(const std::string& job_id) override;
  std::optional<JobState> job_state(const std::string& job_id) override;
  std::vector<Job> list_jobs(std::optional<JobState> state) override;
  std::vector<Trial> trials(const std::string& job_id) override;
  JobState request_cancel(const std::string& job_id) override;

  void heartbeat(const AgentInfo& agent) override;
  void remove_agent(const std::string& agent_id) override;
  bool retire_agent_if_idle(const std::string& agent_id, double lease_seconds) override;
  std::vector<AgentInfo> live_agents(double lease_seconds) override;
  std::optional<AgentInfo> job_owner(const std::string& job_id) override;
  Claimed claim_jobs(const AgentInfo& agent, double lease_seconds) override;
  void release_job(const std::string& job_id, const std::string& agent_id) override;

  void set_job_state(const std::string& job_id, const std::string& agent_id, JobState state,
                     const std::string& error_message) override;
  bool complete_study(const std::string& job_id, const std::string& agent_id,
                      const std::optional<Job>& follow_up) override;
  std::optional<int> start_new_trial(const std::string& job_id, const std::string& agent_id,
                                     const tuning::Assignment& params, int max_trials) override;
  bool restart_trial(const std::string& job_id, const std::string& agent_id, int trial_id) override;
  void record_metrics(const std::string& job_id, const std::string& agent_id, int trial_id,
                      const std::vector<ReportedMetric>& all_metrics) override;
  void finish_trial(const std::string& job_id, const std::string& agent_id, const Trial& trial) override;

 private:
  // The job's state, once it is known to be the agent's and not ended.
  JobState check_owner(const std::string& job_id, const std::string& agent_id);
  // The store's mode, tables and migrations; repeatable.
  void set_up(StoreAccess access);
  // Inside the caller's transaction: false when the id is taken.
  bool insert_job(const Job& job);
  // Inside the caller's transaction, for a job that has ended.
  void cancel_queued_trials(const std::string& job_id, double now);
  // set_job_state's change, inside the caller's transaction once it has checked the owner.
  void write_state(const std::string& job_id, JobState state, const std::string& error_message);
  bool agent_alive(const std::string& agent_id, double lease_seconds, double now);
  // Unfinished jobs, oldest first, each with its owner, and whether `agent_id` may have it (it
  // is nobody's, its own already, or its owner is dead): what claim_jobs takes and
  // retire_agent_if_idle waits for.
  struct OpenJob {
    std::string job_id;
    std::optional<std::string> owner;
    bool claimable = false;
  };
  std::vector<OpenJob> open_jobs(const std::string& agent_id, double lease_seconds);
  SqliteDatabase db_;
};

}  // namespace treeline::jobs
