#pragma once
// Where the platform keeps its state beside an artifact store, and how a submitting command
// makes sure an agent is serving that store.
#include <chrono>
#include <filesystem>
#include <string>

#include "treeline/jobs/job_store.h"

namespace treeline::jobs {

struct PlatformPaths {
  std::filesystem::path store_root;  // absolute
  std::string jobs_spec;             // sqlite:PATH (default STORE/jobs.sqlite)
  std::filesystem::path jobs_root;   // STORE/jobs: one folder per job
  std::filesystem::path agent_log;   // STORE/agent.log
};

PlatformPaths platform_paths(const std::filesystem::path& store_root, const std::string& jobs_spec);

enum class AgentStart {
  kAlreadyServed,  // a live agent serves the store: none started
  kStarted,        // started, and registered in the store
  kNotRegistered,  // started, but not registered within the wait: it failed (STORE/agent.log says
                   // why) or the machine is slow
};

// Starts `treeline agent --exit-when-idle` in the background, detached from this terminal, when
// no live agent serves the job store, and waits up to `registration_wait` for it to register.
inline constexpr std::chrono::seconds kAgentRegistrationWait{5};
AgentStart ensure_agent(JobStore& store, const PlatformPaths& paths, const std::string& self_executable,
                        double lease_seconds, std::chrono::milliseconds registration_wait = kAgentRegistrationWait);

// The path of the running treeline binary (/proc/self/exe).
std::string self_executable();

}  // namespace treeline::jobs
