#pragma once
// Jobs and agent registrations for job-store tests.
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "treeline/common/host.h"
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

// The pid of a process that has exited (and been reaped).
inline long exited_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

}  // namespace treeline::testing
