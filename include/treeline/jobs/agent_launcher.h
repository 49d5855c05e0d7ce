#pragma once
// Where the platform keeps its state beside an artifact store, and how a submitting command
// makes sure an agent is serving that store.
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

// Starts `treeline agent --exit-when-idle` in the background, detached from this terminal, when
// no live agent serves the job store. Returns true when it started one.
bool ensure_agent(JobStore& store, const PlatformPaths& paths, const std::string& self_executable,
                  double lease_seconds);

// The path of the running treeline binary (/proc/self/exe).
std::string self_executable();

}  // namespace treeline::jobs
