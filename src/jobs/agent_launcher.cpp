#include "treeline/jobs/agent_launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/file.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"
#include "treeline/jobs/agent_liveness.h"

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

AgentStart ensure_agent(JobStore& store, const PlatformPaths& paths, const std::string& self, double lease_seconds,
                        std::chrono::milliseconds registration_wait) {
  // A stopped agent counts as alive (it keeps its jobs) but runs nothing new: start another.
  if (any_agent_running(store.live_agents(lease_seconds))) return AgentStart::kAlreadyServed;
  fs::create_directories(paths.store_root);
  // Submissions in quick succession must not each start an agent before the first one has
  // registered: whoever holds this lock starts one and waits until it shows up in the store.
  const fs::path lock_path = paths.store_root / "agent.lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock) throw_errno("cannot open " + lock_path.string());
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) throw_errno("cannot lock " + lock_path.string());
  if (any_agent_running(store.live_agents(lease_seconds))) return AgentStart::kAlreadyServed;

  std::vector<std::string> args = {self, "agent", "--store", paths.store_root.string(), "--jobs", paths.jobs_spec,
                                   "--exit-when-idle"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  UniqueFd log(::open(paths.agent_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log) throw_errno("cannot open " + paths.agent_log.string());
  const pid_t child = ::fork();
  if (child < 0) throw_errno("cannot start an agent");
  if (child == 0) {
    // Double fork: the agent belongs to no terminal and is not our child, so it outlives us.
    ::setsid();
    const pid_t agent = ::fork();
    if (agent != 0) ::_exit(agent > 0 ? 0 : 1);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(log.get(), 1);
    ::dup2(log.get(), 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  log.close();
  int status = 0;
  bool reaped = true;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno == ECHILD) {  // SIGCHLD ignored (inherited): the launcher was reaped for us
      reaped = false;
      break;
    }
    if (errno != EINTR) throw_errno("cannot start an agent: waiting for its launcher");
  }
  if (reaped && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
    throw SystemError("cannot start an agent: its launcher could not fork (too many processes?)");
  // Hold the lock until the agent has registered (or clearly failed to: its log says why).
  const auto deadline = std::chrono::steady_clock::now() + registration_wait;
  while (!any_agent_running(store.live_agents(lease_seconds))) {
    if (std::chrono::steady_clock::now() >= deadline) return AgentStart::kNotRegistered;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return AgentStart::kStarted;
}

}  // namespace treeline::jobs
