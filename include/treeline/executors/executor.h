#pragma once
// Executors start trial processes and watch them. The local executor forks on this machine; a
// Slurm executor will submit the same launch description to a cluster.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace treeline::executors {

struct Launch {
  std::vector<std::string> argv;               // argv[0] is looked up on PATH when it has no slash
  std::map<std::string, std::string> env;      // added to (or overriding) the agent's environment
  std::filesystem::path working_directory;     // created if missing
  std::filesystem::path log_file;              // stdout and stderr, appended
  std::uint64_t max_log_bytes = 16 << 20;      // output beyond this is dropped, with a note in the log
  std::optional<std::chrono::milliseconds> timeout;  // from start; then terminated
  std::chrono::milliseconds grace_period{5000};      // between SIGTERM and SIGKILL
};

struct Outcome {
  enum class Kind { kExited, kSignaled, kTimedOut, kTerminated, kFailedToStart };
  Kind kind = Kind::kExited;
  int code = 0;           // exit status or signal number
  std::string message;    // for people: "exited with status 3", "killed by signal 9", "timed out after 600 s"
  bool success() const { return kind == Kind::kExited && code == 0; }
};

// A started process. Not thread-safe; the agent polls it from one thread.
class RunningProcess {
 public:
  virtual ~RunningProcess() = default;
  // Does the work due now (drains output, enforces timeout and grace period) without blocking;
  // returns the outcome once the process has ended.
  virtual std::optional<Outcome> poll() = 0;
  // Asks the process to stop: SIGTERM to its process group now, SIGKILL after the grace period
  // (driven by poll()). The outcome then says kTerminated.
  virtual void terminate() = 0;
  virtual int pid() const = 0;
  // A file descriptor to wait on (output pipe), or -1; lets the agent sleep in poll(2).
  virtual int wait_fd() const = 0;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::unique_ptr<RunningProcess> start(const Launch& launch) = 0;
  // Stops what a launch in `working_directory` left running after whoever watched it died: the
  // trainer dies with its agent, but processes it started may not. Called before an interrupted
  // trial runs again, so they do not run beside the rerun.
  virtual void stop_leftovers(const std::filesystem::path& working_directory) = 0;
};

}  // namespace treeline::executors
