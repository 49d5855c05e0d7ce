#include "treeline/jobs/stalled_job.h"

#include <fmt/format.h>

#include <algorithm>

#include "treeline/common/host.h"
#include "treeline/jobs/agent_liveness.h"

namespace treeline::jobs {
namespace {

constexpr const char* kStartOne = "`treeline agent` (with the same --store or --jobs) runs its jobs";

std::string who(const AgentInfo& agent) {
  if (agent.pid == 0) return agent.agent_id;
  if (agent.host == host_name()) return fmt::format("pid {}", agent.pid);
  return fmt::format("pid {} on {}", agent.pid, agent.host);
}

std::string stopped_owner(long pid, const std::string& then) {
  return fmt::format(
      "its agent (pid {0}) is stopped (Ctrl-Z or SIGSTOP); it keeps its jobs, so that no trial runs twice. Resume "
      "it (`kill -CONT {0}`, or `fg` in its shell), or end it (`kill {0}; kill -CONT {0}`) and {1}",
      pid, then);
}

}  // namespace

std::optional<StalledNote> stalled_job_note(JobStore& store, const Job& job, double lease_seconds) {
  if (is_terminal(job.state)) return std::nullopt;
  const auto owner = store.job_owner(job.job_id);
  // Read after the owner: a job that ended meanwhile (and whose agent left) needs no note.
  const auto state = store.job_state(job.job_id);
  if (!state || is_terminal(*state)) return std::nullopt;
  auto make_note = [&](std::string text, std::string cause) {
    return StalledNote{std::move(text), std::move(cause), *state};
  };
  const double now = now_seconds();
  // The healthy case, which waiting commands meet at every check, reads no other agent.
  const bool owner_alive = owner && owner->pid != 0 && agent_alive(*owner, lease_seconds, now);
  if (owner_alive && now - owner->heartbeat <= lease_seconds) return std::nullopt;
  const auto live = store.live_agents(lease_seconds);
  // What follows once the owner is gone, after "and": another agent alive and renewing its lease
  // takes the job.
  const bool serving = std::any_of(live.begin(), live.end(), [&](const AgentInfo& a) {
    return (!owner || a.agent_id != owner->agent_id) && now - a.heartbeat <= lease_seconds;
  });
  const std::string then = serving ? "another agent takes the job over at its next claim"
                                   : "nothing runs it until another agent starts: `treeline agent` (with the "
                                     "same --store or --jobs)";
  // The cause of an owned job names the owner and, where the note says what follows (`then`),
  // whether another agent would take over.
  auto owned = [&](const char* kind, bool says_then = true) {
    return fmt::format("{} {}{}", kind, owner->agent_id, !says_then ? "" : serving ? " served" : " unserved");
  };
  if (!owner) {
    // Claimed when a running agent has room (a busy one too, once it renews its lease).
    if (any_agent_running(live)) return std::nullopt;
    if (!live.empty())  // every one of them stopped on this host
      return make_note(
          fmt::format("the only agent serving this job store (pid {0}) is stopped (Ctrl-Z or SIGSTOP) and runs "
                      "nothing new: resume it (`kill -CONT {0}`, or `fg` in its shell), or start another: {1}",
                      live.front().pid, kStartOne),
          "only-agent-stopped " + live.front().agent_id);
    return make_note(std::string("no agent serves this job store now: ") + kStartOne, "no-agent");
  }
  const double silent = now - owner->heartbeat;
  if (!owner_alive) {
    const bool remote = owner->pid != 0 && owner->host != host_name();
    const std::string what = remote ? fmt::format("has not renewed its lease for {:.0f} s", silent) : "has ended";
    return make_note(fmt::format("its agent ({}) {}, and {}", who(*owner), what, then),
                     owned(remote ? "owner-silent-elsewhere" : "owner-ended"));
  }
  // Alive on this host (elsewhere a silent agent is not alive), yet silent past its lease.
  if (process_stopped(owner->pid)) return make_note(stopped_owner(owner->pid, then), owned("owner-stopped"));
  return make_note(fmt::format("its agent (pid {}) is alive but has not renewed its lease for {:.0f} s (busy, or "
                               "waiting for the job store's lock); it keeps the job while it lives",
                               owner->pid, silent),
                   owned("owner-busy", false));
}

std::vector<StalledGroup> stalled_groups(JobStore& store, const std::vector<Job>& jobs, double lease_seconds) {
  std::vector<StalledGroup> groups;
  for (Job job : jobs) {
    auto note = stalled_job_note(store, job, lease_seconds);
    if (!note) continue;
    job.state = note->state;
    auto same = std::find_if(groups.begin(), groups.end(), [&](const StalledGroup& g) { return g.note.cause == note->cause; });
    if (same == groups.end()) groups.push_back({std::move(*note), {std::move(job)}});
    else same->jobs.push_back(std::move(job));
  }
  return groups;
}

bool same_cause(const std::optional<StalledNote>& a, const std::optional<StalledNote>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->cause == b->cause;
}

}  // namespace treeline::jobs
