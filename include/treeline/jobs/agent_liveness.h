#pragma once
// Whether a registered agent still lives, and so keeps its jobs.
#include <vector>

#include "treeline/jobs/job_store.h"

namespace treeline::jobs {

// On this host the process answers for itself, by its identity in /proc: a live agent late with
// its heartbeat (stopped, suspended, waiting on a lock) is alive, since its trials may still run;
// another process under its pid, or an exited one awaiting reaping (a zombie), means it is gone.
// Without an identity to compare (/proc hidden, an agent from before identities) a vanished
// process is dead at once and any other once its lease runs out; an agent on another host is
// judged by its lease alone.
bool agent_alive(const AgentInfo& agent, double lease_seconds, double now);

// Whether any of `agents` (live ones) will run newly queued jobs: one stopped on this host
// (Ctrl-Z, SIGSTOP) keeps the jobs it owns but runs nothing until resumed.
bool any_agent_running(const std::vector<AgentInfo>& agents);

}  // namespace treeline::jobs
