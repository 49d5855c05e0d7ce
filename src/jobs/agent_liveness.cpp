#include "treeline/jobs/agent_liveness.h"

#include <signal.h>

#include <cerrno>

#include "treeline/common/host.h"

namespace treeline::jobs {

bool agent_alive(const AgentInfo& agent, double lease_seconds, double now) {
  const bool heartbeat_fresh = agent.heartbeat + lease_seconds >= now;
  if (agent.host != host_name() || agent.pid <= 0) return heartbeat_fresh;
  const auto identity = process_identity(agent.pid);
  if (identity && !agent.process_key.empty()) return *identity == agent.process_key;
  // A zombie under its pid is the agent that exited (its trials die with it) or, had it been
  // reaped, a later process: either way the agent is gone, however slowly its parent reaps.
  if (process_exited(agent.pid)) return false;
  if (::kill(static_cast<pid_t>(agent.pid), 0) != 0 && errno == ESRCH) return false;
  return heartbeat_fresh;
}

bool any_agent_running(const std::vector<AgentInfo>& agents) {
  const std::string here = host_name();
  for (const auto& a : agents)
    if (a.host != here || !process_stopped(a.pid)) return true;
  return false;
}

}  // namespace treeline::jobs
