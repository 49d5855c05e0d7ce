#pragma once
// Runs trials as child processes of the agent on this machine: each in its own process group
// (so a trainer's children are stopped with it), killed if the agent dies (PR_SET_PDEATHSIG),
// output piped through the agent into the log with a size cap.
#include "treeline/executors/executor.h"

namespace treeline::executors {

// Set in every launched process's environment to its launch's working directory: how what it
// leaves behind is found again.
inline constexpr const char* kWorkDirVariable = "TREELINE_WORK_DIR";

class LocalExecutor : public Executor {
 public:
  // Makes this process's children waitable again if it inherited SIGCHLD ignored (or
  // SA_NOCLDWAIT): the kernel would reap each trial at once, and its exit status, on which a
  // trial's success rests, would be gone.
  LocalExecutor();
  std::unique_ptr<RunningProcess> start(const Launch& launch) override;
  // SIGKILLs this user's processes whose kWorkDirVariable is `working_directory`: every process a
  // launch starts inherits it, however deep.
  void stop_leftovers(const std::filesystem::path& working_directory) override;
};

}  // namespace treeline::executors
