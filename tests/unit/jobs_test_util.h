#pragma once
// Jobs and agent registrations for job-store tests.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "treeline/common/host.h"
#include "treeline/common/sqlite.h"
#include "treeline/jobs/job.h"
#include "treeline/jobs/job_store.h"

namespace treeline::testing {

inline jobs::Job queued_job(const std::string& id) {
  jobs::Job job;
  job.job_id = id;
  job.create_time = jobs::now_seconds();
  job.training_input = {{"hyperparameters", {{"goal", "MAXIMIZE"}, {"maxTrials", 2}}}};
  return job;
}

// A store as treeline made it before agents recorded their process identity (no
// agents.process_key), in SQLite's default rollback mode as a new file starts.
inline void make_store_without_process_key(const std::filesystem::path& path) {
  SqliteDatabase old(path, SqliteDatabase::Mode::kReadWriteCreate);
  old.execute("CREATE TABLE jobs (job_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, create_time REAL NOT NULL, "
              "start_time REAL, end_time REAL, state TEXT NOT NULL, error_message TEXT NOT NULL DEFAULT '', "
              "training_input TEXT NOT NULL, labels TEXT NOT NULL DEFAULT '{}', owner TEXT, lease_until REAL)");
  old.execute("CREATE TABLE agents (agent_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, "
              "started REAL NOT NULL, heartbeat REAL NOT NULL)");
}

// An agent registration for this test's own (live) process.
inline jobs::AgentInfo agent_named(const std::string& id) {
  jobs::AgentInfo agent;
  agent.agent_id = id;
  agent.pid = ::getpid();
  agent.host = host_name();
  agent.started = agent.heartbeat = jobs::now_seconds();
  agent.process_key = process_identity(agent.pid).value_or("");
  return agent;
}

// The same for another live process of this host (a child the test controls).
inline jobs::AgentInfo agent_of_process(const std::string& id, pid_t pid) {
  jobs::AgentInfo agent = agent_named(id);
  agent.pid = pid;
  agent.process_key = process_identity(pid).value_or("");
  return agent;
}

// A child process that waits for signals; the test kills and reaps it.
inline pid_t idle_child() {
  const pid_t child = ::fork();
  if (child == 0) {
    for (;;) ::pause();
  }
  return child;
}

// An idle child that is killed and reaped when the test ends, however it ends (a failed ASSERT
// returns early, and a child left behind would hold ctest's output pipe open).
class IdleChild {
 public:
  IdleChild() : pid_(idle_child()) {}
  IdleChild(const IdleChild&) = delete;
  IdleChild& operator=(const IdleChild&) = delete;
  ~IdleChild() { end(); }
  pid_t pid() const { return pid_; }
  // Kills and reaps it now (once: a reaped pid may be another process's).
  void end() {
    if (ended_) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    ended_ = true;
  }

 private:
  pid_t pid_;
  bool ended_ = false;
};

// Registers `agent` (as of its heartbeat) and lets it claim what it may; returns the jobs it holds.
inline std::vector<std::string> register_and_claim(jobs::JobStore& store, const jobs::AgentInfo& agent,
                                                   double lease_seconds) {
  store.heartbeat(agent);
  return store.claim_jobs(agent, lease_seconds).held;
}

// The pid of a process that has exited (and been reaped).
inline long exited_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

}  // namespace treeline::testing
