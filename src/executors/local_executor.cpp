#include "treeline/executors/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>

#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/common/unique_fd.h"

extern char** environ;

namespace treeline::executors {
namespace {

using Clock = std::chrono::steady_clock;

// Reads per poll() while the process runs: bounds the time one chatty trial can take from the
// others the agent watches; the pipe holds the rest until the next call.
constexpr int kReadsPerPoll = 16;
// Reads after the process has ended: what it wrote is already in the pipe.
constexpr int kFinalReads = 64;
constexpr std::size_t kReadChunk = 64 * 1024;

// The child dup2s onto 0..2, so the descriptors it still needs must live above them (they can
// land there when the agent runs with a closed stdin/stdout).
UniqueFd above_stdio(UniqueFd fd) {
  if (fd.get() > STDERR_FILENO) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  if (moved < 0) throw_errno("cannot duplicate a pipe descriptor");
  return UniqueFd(moved);
}

struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("cannot create a pipe");
  Pipe pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  pipe.read_end = above_stdio(std::move(pipe.read_end));
  pipe.write_end = above_stdio(std::move(pipe.write_end));
  return pipe;
}

// What the child reports through the status pipe when it cannot get as far as exec.
enum class ChildStage : int { kDeathSignal, kStdin, kOutput, kWorkingDirectory, kExec };
struct ChildFailure {
  ChildStage stage;
  int error;
};

// Everything the child needs, prepared before fork: after fork only async-signal-safe calls.
struct ChildPlan {
  char* const* argv;
  char** envp;
  const char* working_directory;  // nullptr: stay in the agent's directory
  int output_fd;
  int status_fd;
  pid_t agent_pid;
};

[[noreturn]] void fail_in_child(int status_fd, ChildStage stage) {
  const ChildFailure failure{stage, errno};
  [[maybe_unused]] const ssize_t written = ::write(status_fd, &failure, sizeof failure);
  ::_exit(127);
}

[[noreturn]] void run_child(const ChildPlan& plan) {
  // Its own group, so stopping the trial stops whatever the trainer started.
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail_in_child(plan.status_fd, ChildStage::kDeathSignal);
  // The agent may have died before prctl took effect; then no signal would ever come.
  if (::getppid() != plan.agent_pid) ::_exit(127);

  // Handlers vanish at exec, but ignored signals and the blocked mask would be inherited.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int signal_number = 1; signal_number < NSIG; ++signal_number)
    ::sigaction(signal_number, &default_action, nullptr);  // fails harmlessly for KILL, STOP
  sigset_t no_signals;
  sigemptyset(&no_signals);
  ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);

  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd < 0) fail_in_child(plan.status_fd, ChildStage::kStdin);
  if (null_fd != STDIN_FILENO) {
    if (::dup2(null_fd, STDIN_FILENO) < 0) fail_in_child(plan.status_fd, ChildStage::kStdin);
    ::close(null_fd);
  }
  if (::dup2(plan.output_fd, STDOUT_FILENO) < 0 || ::dup2(plan.output_fd, STDERR_FILENO) < 0)
    fail_in_child(plan.status_fd, ChildStage::kOutput);
  // Descriptors the agent opened without O_CLOEXEC (libraries do) must not leak into trials.
  ::close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);

  if (plan.working_directory != nullptr && ::chdir(plan.working_directory) != 0)
    fail_in_child(plan.status_fd, ChildStage::kWorkingDirectory);
  // execvp searches the PATH of `environ`, so a launch that overrides PATH is honoured.
  environ = plan.envp;
  ::execvp(plan.argv[0], plan.argv);
  fail_in_child(plan.status_fd, ChildStage::kExec);
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!overrides.contains(std::string(text.substr(0, text.find('='))))) entries.emplace_back(text);
  }
  for (const auto& [name, value] : overrides) {
    if (name.empty() || name.find('=') != std::string::npos)
      throw InputError("invalid environment variable name '" + name + "'");
    entries.push_back(name + "=" + value);
  }
  return entries;
}

void create_directories(const std::filesystem::path& directory, const char* what) {
  if (directory.empty()) return;
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) throw SystemError("cannot create " + std::string(what) + " " + directory.string() + ": " + error.message());
}

// "600", "0.2": seconds without trailing zeros.
std::string seconds_text(std::chrono::milliseconds duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(duration.count()) / 1000.0);
  std::string result(text);
  result.erase(result.find_last_not_of('0') + 1);
  if (result.back() == '.') result.pop_back();
  return result;
}

// glibc 2.36 declares pidfd_open without C linkage, so call the kernel directly.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::string signal_text(int signal_number) {
  std::string text = "killed by signal " + std::to_string(signal_number);
  if (const char* name = ::sigabbrev_np(signal_number)) text += " (SIG" + std::string(name) + ")";
  return text;
}

class LocalProcess final : public RunningProcess {
 public:
  LocalProcess(const Launch& launch, UniqueFd log)
      : log_(std::move(log)),
        max_log_bytes_(launch.max_log_bytes),
        timeout_(launch.timeout),
        grace_period_(launch.grace_period) {}

  ~LocalProcess() override {
    if (pid_ <= 0 || reaped_) return;
    signal_group(SIGKILL);
    reap();
  }

  LocalProcess(const LocalProcess&) = delete;
  LocalProcess& operator=(const LocalProcess&) = delete;

  // Takes charge of the forked child; must not throw, or the child would be left unowned.
  void adopt(pid_t pid, UniqueFd output) noexcept {
    pid_ = pid;
    output_ = std::move(output);
    started_ = Clock::now();
  }

  // The child reported it could not exec: it has _exited; reap it and keep the reason.
  void fail_to_start(int error, std::string message) {
    reap();
    output_.reset();
    write_to_log("[treeline: " + message + "]\n");
    log_.reset();
    outcome_ = Outcome{Outcome::Kind::kFailedToStart, error, std::move(message)};
  }

  std::optional<Outcome> poll() override {
    if (outcome_) return outcome_;
    drain_output(kReadsPerPoll);
    if (has_exited()) {
      outcome_ = finish();
      return outcome_;
    }
    const Clock::time_point now = Clock::now();
    if (stop_reason_ == StopReason::kNone && timeout_ && now - started_ >= *timeout_)
      stop(StopReason::kTimedOut, now);
    if (stop_reason_ != StopReason::kNone && !kill_sent_ && now >= kill_at_) {
      signal_group(SIGKILL);
      kill_sent_ = true;
    }
    return std::nullopt;
  }

  void terminate() override {
    if (outcome_ || stop_reason_ != StopReason::kNone) return;
    if (has_exited()) return;  // it ended on its own; poll() reports how
    stop(StopReason::kTerminated, Clock::now());
  }

  int pid() const override { return pid_; }

  int wait_fd() const override {
    if (outcome_) return -1;
    return output_ ? output_.get() : exit_fd_.get();
  }

 private:
  enum class StopReason { kNone, kTimedOut, kTerminated };

  void stop(StopReason reason, Clock::time_point now) {
    stop_reason_ = reason;
    signal_group(SIGTERM);
    signal_group(SIGCONT);  // a stopped process would otherwise sit on its SIGTERM
    kill_at_ = now + grace_period_;
  }

  // Safe from pid reuse: until we reap the leader, its pid (the group id) stays allocated.
  void signal_group(int signal_number) const {
    if (::kill(-pid_, signal_number) != 0 && errno == ESRCH) ::kill(pid_, signal_number);
  }

  // Exited without reaping (WNOWAIT), so the group can still be signalled safely.
  bool has_exited() const {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return errno == ECHILD;  // reaped by someone else (SIGCHLD ignored): nothing left to wait for
    return info.si_pid != 0;
  }

  // The wait status, or nothing when the child was reaped elsewhere.
  std::optional<int> reap() {
    reaped_ = true;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0)
      if (errno != EINTR) return std::nullopt;
    return status;
  }

  Outcome finish() {
    // Stragglers (a trainer's background children) go with the trial; they also may hold the
    // pipe open, so the final drain stops at "empty" rather than waiting for end of file.
    signal_group(SIGKILL);
    const std::optional<int> status = reap();
    drain_output(kFinalReads);
    output_.reset();
    exit_fd_.reset();
    log_.reset();
    return describe(status);
  }

  Outcome describe(std::optional<int> status) const {
    const bool signaled = status && WIFSIGNALED(*status);
    const int code = !status ? -1 : signaled ? WTERMSIG(*status) : WEXITSTATUS(*status);
    switch (stop_reason_) {
      case StopReason::kTimedOut:
        return {Outcome::Kind::kTimedOut, code, "timed out after " + seconds_text(*timeout_) + " s"};
      case StopReason::kTerminated:
        return {Outcome::Kind::kTerminated, code,
                kill_sent_ && signaled && code == SIGKILL ? "killed after the grace period" : "stopped: SIGTERM"};
      case StopReason::kNone:
        break;
    }
    if (!status) return {Outcome::Kind::kExited, -1, "exit status unavailable (reaped elsewhere)"};
    if (signaled) return {Outcome::Kind::kSignaled, code, signal_text(code)};
    return {Outcome::Kind::kExited, code, "exited with status " + std::to_string(code)};
  }

  void drain_output(int max_reads) {
    char buffer[kReadChunk];
    for (int i = 0; output_ && i < max_reads; ++i) {
      const ssize_t n = ::read(output_.get(), buffer, sizeof buffer);
      if (n > 0) {
        append_output(buffer, static_cast<std::size_t>(n));
      } else if (n == 0) {
        output_.reset();
        // Nothing more to read; the agent now waits for the exit itself (-1 if pidfds are missing).
        if (!reaped_) exit_fd_.reset(open_pidfd(pid_));
      } else if (errno != EINTR) {
        if (errno != EAGAIN) output_.reset();
        return;
      }
    }
  }

  void append_output(const char* data, std::size_t size) {
    if (log_capped_) return;
    const std::size_t kept = static_cast<std::size_t>(std::min<std::uint64_t>(size, max_log_bytes_ - logged_bytes_));
    if (kept > 0) {
      write_to_log(std::string_view(data, kept));
      logged_bytes_ += kept;
      last_logged_byte_ = data[kept - 1];
    }
    if (kept < size) {
      log_capped_ = true;
      write_to_log(std::string(last_logged_byte_ == '\n' ? "" : "\n") + "[treeline: output beyond " +
                   std::to_string(max_log_bytes_) + " bytes dropped]\n");
    }
  }

  // A log that cannot be written (disk full) must not stop the trial: logging just ends.
  void write_to_log(std::string_view text) {
    while (log_ && !text.empty()) {
      const ssize_t n = ::write(log_.get(), text.data(), text.size());
      if (n > 0) {
        text.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && errno != EINTR) {
        log_.reset();
      }
    }
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd output_;   // read end of the child's stdout+stderr, non-blocking
  UniqueFd exit_fd_;  // pidfd, once the output pipe has closed but the child has not been reaped
  UniqueFd log_;
  std::uint64_t max_log_bytes_;
  std::uint64_t logged_bytes_ = 0;
  bool log_capped_ = false;
  char last_logged_byte_ = '\n';
  std::optional<std::chrono::milliseconds> timeout_;
  std::chrono::milliseconds grace_period_;
  Clock::time_point started_;
  StopReason stop_reason_ = StopReason::kNone;
  Clock::time_point kill_at_;
  bool kill_sent_ = false;
  std::optional<Outcome> outcome_;
};

std::string failure_message(const Launch& launch, const ChildFailure& failure) {
  const std::string reason = std::strerror(failure.error);
  std::string message = "cannot run '" + launch.argv.front() + "': ";
  switch (failure.stage) {
    case ChildStage::kDeathSignal:
      return message + "cannot set the parent-death signal: " + reason;
    case ChildStage::kStdin:
      return message + "cannot open /dev/null: " + reason;
    case ChildStage::kOutput:
      return message + "cannot redirect output: " + reason;
    case ChildStage::kWorkingDirectory:
      return message + "cannot enter working directory " + launch.working_directory.string() + ": " + reason;
    case ChildStage::kExec:
      break;
  }
  return message + reason;
}

}  // namespace

LocalExecutor::LocalExecutor() {
  struct sigaction current {};
  if (::sigaction(SIGCHLD, nullptr, &current) != 0) return;
  if (current.sa_handler == SIG_IGN || (current.sa_flags & SA_NOCLDWAIT) != 0) {
    struct sigaction waitable = current;  // a handler of the caller's own stays
    if (waitable.sa_handler == SIG_IGN) waitable.sa_handler = SIG_DFL;
    waitable.sa_flags &= ~SA_NOCLDWAIT;
    ::sigaction(SIGCHLD, &waitable, nullptr);
  }
}

std::unique_ptr<RunningProcess> LocalExecutor::start(const Launch& launch) {
  if (launch.argv.empty()) throw InputError("a launch needs a command (argv is empty)");

  create_directories(launch.working_directory, "working directory");
  UniqueFd log;
  if (!launch.log_file.empty()) {
    create_directories(launch.log_file.parent_path(), "log directory");
    log.reset(::open(launch.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!log) throw_errno("cannot open log file " + launch.log_file.string());
  }

  std::vector<char*> argv;
  for (const std::string& argument : launch.argv) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::map<std::string, std::string> env = launch.env;
  env[kWorkDirVariable] = launch.working_directory.string();
  std::vector<std::string> environment = merged_environment(env);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  Pipe output = make_pipe();
  if (::fcntl(output.read_end.get(), F_SETFL, O_NONBLOCK) != 0) throw_errno("cannot make the output pipe non-blocking");
  Pipe status = make_pipe();
  // Allocated before fork so nothing can throw between fork and the child having an owner.
  auto process = std::make_unique<LocalProcess>(launch, std::move(log));

  const ChildPlan plan{argv.data(),
                       envp.data(),
                       launch.working_directory.empty() ? nullptr : launch.working_directory.c_str(),
                       output.write_end.get(),
                       status.write_end.get(),
                       ::getpid()};
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("cannot fork to run '" + launch.argv.front() + "'");
  if (pid == 0) run_child(plan);

  process->adopt(pid, std::move(output.read_end));
  output.write_end.reset();
  status.write_end.reset();

  // End of file: exec succeeded and closed the CLOEXEC write end. A record: the child failed.
  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(status.read_end.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) process->fail_to_start(failure.error, failure_message(launch, failure));
  return process;
}

void LocalExecutor::stop_leftovers(const std::filesystem::path& working_directory) {
  const std::string prefix = std::string(kWorkDirVariable) + "=";
  // The same folder may have been reached another way (a store given through a symlink, then
  // by its real path): folders are compared as files.
  auto is_wanted = [&](std::string_view value) {
    std::error_code ec;
    return value == working_directory.string() ||
           std::filesystem::equivalent(std::filesystem::path(value), working_directory, ec);
  };
  const std::string own = std::to_string(::getpid());
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0])) || pid == own) continue;
    // Readable for this user's processes only; others (and those gone meanwhile) are skipped.
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    if (!in) continue;
    const std::string environment((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string_view rest(environment);
    while (!rest.empty()) {
      const std::size_t end = std::min(rest.find('\0'), rest.size());
      if (const std::string_view entry_text = rest.substr(0, end); entry_text.starts_with(prefix)) {
        if (is_wanted(entry_text.substr(prefix.size())))
          if (const auto id = parse_integer<pid_t>(pid)) ::kill(*id, SIGKILL);
        break;
      }
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
  }
}

}  // namespace treeline::executors
