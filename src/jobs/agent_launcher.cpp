#include "treeline/jobs/agent_launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "treeline/common/error.h"

namespace treeline::jobs {
namespace fs = std::filesystem;

PlatformPaths platform_paths(const fs::path& store_root, const std::string& jobs_spec) {
  PlatformPaths p;
  p.store_root = fs::absolute(store_root).lexically_normal();
  p.jobs_spec = jobs_spec.empty() ? "sqlite:" + (p.store_root / "jobs.sqlite").string() : jobs_spec;
  p.jobs_root = p.store_root / "jobs";
  p.agent_log = p.store_root / "agent.log";
  return p;
}

std::string self_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw SystemError("cannot find the treeline binary: /proc/self/exe: " + ec.message());
  return exe.string();
}

bool ensure_agent(JobStore& store, const PlatformPaths& paths, const std::string& self, double lease_seconds) {
  if (!store.live_agents(lease_seconds).empty()) return false;
  fs::create_directories(paths.store_root);
  std::vector<std::string> args = {self, "agent", "--store", paths.store_root.string(), "--jobs", paths.jobs_spec,
                                   "--exit-when-idle"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = ::open(paths.agent_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw_errno("cannot open " + paths.agent_log.string());
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(log);
    throw_errno("cannot start an agent");
  }
  if (child == 0) {
    // Double fork: the agent belongs to no terminal and is not our child, so it outlives us.
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  int status = 0;
  ::waitpid(child, &status, 0);
  return true;
}

}  // namespace treeline::jobs
