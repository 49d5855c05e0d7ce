#pragma once
// Runs trials as child processes of the agent on this machine: each in its own process group
// (so a trainer's children are stopped with it), killed if the agent dies (PR_SET_PDEATHSIG),
// output piped through the agent into the log with a size cap.
#include "treeline/executors/executor.h"

namespace treeline::executors {

class LocalExecutor : public Executor {
 public:
  std::unique_ptr<RunningProcess> start(const Launch& launch) override;
};

}  // namespace treeline::executors
