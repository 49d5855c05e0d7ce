#include "treeline/jobs/stalled_job.h"

#include <fmt/format.h>

#include "treeline/common/host.h"
#include "treeline/jobs/agent_liveness.h"

namespace treeline::jobs {
namespace {

constexpr const char* kNoAgent =
    "no agent serves this job store now: `treeline agent` (with the same --store or --jobs) runs its jobs";

std::string who(const AgentInfo& agent) {
  if (agent.pid == 0) return agent.agent_id;
  if (agent.host == host_name()) return fmt::format("pid {}", agent.pid);
  return fmt::format("pid {} on {}", agent.pid, agent.host);
}

}  // namespace

std::optional<std::string> stalled_job_note(JobStore& store, const Job& job, double lease_seconds) {
  if (is_terminal(job.state)) return std::nullopt;
  const bool others = !store.live_agents(lease_seconds).empty();
  const auto owner = store.job_owner(job.job_id);
  // Unowned: a live agent claims it when it has room.
  if (!owner) return others ? std::nullopt : std::optional<std::string>(kNoAgent);
  const double now = now_seconds();
  const double silent = now - owner->heartbeat;
  if (owner->pid == 0 || !agent_alive(*owner, lease_seconds, now)) {
    const std::string what = owner->pid != 0 && owner->host != host_name()
                                 ? fmt::format("has not renewed its lease for {:.0f} s", silent)
                                 : "has ended";
    return fmt::format("its agent ({}) {}; {}", who(*owner), what,
                       others ? "another agent takes the job over at its next claim" : kNoAgent);
  }
  if (silent <= lease_seconds) return std::nullopt;
  // Alive on this host (elsewhere a silent agent is not alive), yet silent past its lease.
  if (process_stopped(owner->pid))
    return fmt::format(
        "its agent (pid {0}) is stopped (Ctrl-Z or SIGSTOP) and has not renewed its lease for {1:.0f} s; it keeps "
        "the job, so that no trial runs twice. Resume it (`kill -CONT {0}`, or `fg` in its shell), or end it "
        "(`kill {0}; kill -CONT {0}`) and another agent takes the job over",
        owner->pid, silent);
  return fmt::format(
      "its agent (pid {}) is alive but has not renewed its lease for {:.0f} s (busy, or waiting for the job "
      "store's lock); it keeps the job while it lives",
      owner->pid, silent);
}

}  // namespace treeline::jobs
