#pragma once
// What is left of an interrupted trial on this machine. Its trainer dies with its agent
// (PR_SET_PDEATHSIG), but processes a custom trainer started may outlive both; they still carry
// the trial's environment, which is how the agent that takes the trial over finds them.
#include <string_view>

namespace treeline::executors {

// Sends SIGKILL to every process of this user (but this one) whose environment sets `variable`
// to a value starting with `prefix`. Returns how many it signalled.
int kill_processes_by_environment(std::string_view variable, std::string_view prefix);

}  // namespace treeline::executors
