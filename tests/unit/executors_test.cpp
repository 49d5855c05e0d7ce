// The local executor (exit status, signals, logs, timeouts, process groups), the machine-wide
// slots, and the thread share the agent publishes to running trials.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/executors/local_executor.h"
#include "treeline/executors/machine_slots.h"
#include "treeline/executors/thread_share.h"

using namespace treeline::executors;
using namespace std::chrono_literals;
using treeline::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

Launch shell(const std::string& script, const TempDir& dir) {
  Launch launch;
  launch.argv = {"/bin/sh", "-c", script};
  launch.working_directory = dir / "work";
  launch.log_file = dir / "trial.log";
  return launch;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls as the agent does: sleeping in poll(2) on wait_fd() between calls.
Outcome run_to_end(RunningProcess& process, std::chrono::milliseconds limit = 8s) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    if (auto outcome = process.poll()) return *outcome;
    if (Clock::now() > deadline) {
      ADD_FAILURE() << "process " << process.pid() << " still running after " << limit.count() << " ms";
      return Outcome{Outcome::Kind::kExited, -1, "test gave up"};
    }
    pollfd fd{process.wait_fd(), POLLIN, 0};
    ::poll(&fd, 1, 20);
  }
}

// Keeps polling until `ready` holds (e.g. the child has printed "ready").
template <typename Predicate>
bool poll_until(RunningProcess& process, Predicate ready, std::chrono::milliseconds limit = 5s) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (ready()) return true;
    if (process.poll()) return ready();
    pollfd fd{process.wait_fd(), POLLIN, 0};
    ::poll(&fd, 1, 10);
  }
  return false;
}

// Gone, or a zombie nobody has reaped yet (orphans go to init, which may be slow to reap).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto name_end = line.rfind(')');
  return name_end == std::string::npos || name_end + 2 >= line.size() || line[name_end + 2] == 'Z' ||
         line[name_end + 2] == 'X';
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!process_gone(pid)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

pid_t read_pid(const std::filesystem::path& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                                                std::filesystem::directory_iterator{}));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(LocalExecutor, ReportsExitStatus) {
  TempDir dir;
  LocalExecutor executor;
  auto ok = executor.start(shell("exit 0", dir));
  const Outcome success = run_to_end(*ok);
  EXPECT_TRUE(success.success());
  EXPECT_EQ(success.message, "exited with status 0");
  EXPECT_EQ(ok->wait_fd(), -1);

  auto failing = executor.start(shell("exit 3", dir));
  const Outcome failure = run_to_end(*failing);
  EXPECT_EQ(failure.kind, Outcome::Kind::kExited);
  EXPECT_EQ(failure.code, 3);
  EXPECT_FALSE(failure.success());
  EXPECT_EQ(failure.message, "exited with status 3");
  // The outcome is kept once known.
  ASSERT_TRUE(failing->poll());
  EXPECT_EQ(failing->poll()->code, 3);
}

TEST(LocalExecutor, ChildrenStayWaitableWhenTheAgentInheritedSigchldIgnored) {
  // A parent that ignores SIGCHLD passes that on across exec; the kernel would then reap each
  // trial itself, and a trainer that exited 0 would read as "exit status unavailable".
  struct sigaction ignore {}, before {};
  ignore.sa_handler = SIG_IGN;
  ::sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(::sigaction(SIGCHLD, &ignore, &before), 0);
  TempDir dir;
  LocalExecutor executor;
  auto process = executor.start(shell("exit 0", dir));
  const Outcome outcome = run_to_end(*process);
  ::sigaction(SIGCHLD, &before, nullptr);
  EXPECT_TRUE(outcome.success()) << outcome.message;
  EXPECT_EQ(outcome.message, "exited with status 0");
}

TEST(LocalExecutor, ReportsDeathBySignal) {
  TempDir dir;
  LocalExecutor executor;
  auto process = executor.start(shell("kill -9 $$", dir));
  const Outcome outcome = run_to_end(*process);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kSignaled);
  EXPECT_EQ(outcome.code, SIGKILL);
  EXPECT_EQ(outcome.message, "killed by signal 9 (SIGKILL)");
}

TEST(LocalExecutor, PassesEnvironmentAndWorkingDirectory) {
  TempDir dir;
  ::setenv("TREELINE_TEST_INHERITED", "from-agent", 1);
  ::setenv("TREELINE_TEST_OVERRIDDEN", "old", 1);
  Launch launch = shell("echo \"$TREELINE_TEST_INHERITED|$TREELINE_TEST_OVERRIDDEN|$TREELINE_TEST_ADDED\"; pwd", dir);
  launch.working_directory = dir / "nested" / "work";  // created on start
  launch.env = {{"TREELINE_TEST_OVERRIDDEN", "new"}, {"TREELINE_TEST_ADDED", "a b=c"}};
  LocalExecutor executor;
  auto process = executor.start(launch);
  ::unsetenv("TREELINE_TEST_INHERITED");
  ::unsetenv("TREELINE_TEST_OVERRIDDEN");
  EXPECT_TRUE(run_to_end(*process).success());
  const std::string expected = "from-agent|new|a b=c\n" +
                               std::filesystem::canonical(dir / "nested" / "work").string() + "\n";
  EXPECT_EQ(read_file(launch.log_file), expected);
}

TEST(LocalExecutor, AppendsStdoutAndStderrToTheLog) {
  TempDir dir;
  LocalExecutor executor;
  Launch launch = shell("echo to-stdout; echo to-stderr >&2; read line || echo stdin-is-empty", dir);
  EXPECT_TRUE(run_to_end(*executor.start(launch)).success());
  launch.argv = {"/bin/sh", "-c", "echo second-run"};
  EXPECT_TRUE(run_to_end(*executor.start(launch)).success());
  EXPECT_EQ(read_file(launch.log_file), "to-stdout\nto-stderr\nstdin-is-empty\nsecond-run\n");
}

TEST(LocalExecutor, CapsTheLogWithoutBlockingTheChild) {
  TempDir dir;
  LocalExecutor executor;
  Launch launch = shell("head -c 5000000 /dev/zero; echo done >&2", dir);
  launch.max_log_bytes = 64 * 1024;
  const auto started = Clock::now();
  const Outcome outcome = run_to_end(*executor.start(launch));
  EXPECT_LT(Clock::now() - started, 5s);
  EXPECT_TRUE(outcome.success()) << outcome.message;
  const std::string log = read_file(launch.log_file);
  const std::string note = "\n[treeline: output beyond 65536 bytes dropped]\n";
  ASSERT_EQ(log.size(), 64u * 1024 + note.size());
  EXPECT_EQ(log.substr(64 * 1024), note);
  EXPECT_EQ(log.find_first_not_of('\0'), 64u * 1024);
}

TEST(LocalExecutor, TimesOut) {
  TempDir dir;
  Launch launch = shell("", dir);
  launch.argv = {"sleep", "30"};
  launch.timeout = 200ms;
  LocalExecutor executor;
  const auto started = Clock::now();
  auto process = executor.start(launch);
  const Outcome outcome = run_to_end(*process);
  const auto elapsed = Clock::now() - started;
  EXPECT_EQ(outcome.kind, Outcome::Kind::kTimedOut);
  EXPECT_EQ(outcome.message, "timed out after 0.2 s");
  EXPECT_EQ(outcome.code, SIGTERM);
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_TRUE(process_gone(process->pid()));
}

TEST(LocalExecutor, TerminateStopsWithSigterm) {
  TempDir dir;
  LocalExecutor executor;
  Launch launch = shell("", dir);
  launch.argv = {"sleep", "30"};
  auto process = executor.start(launch);
  EXPECT_FALSE(process->poll());
  process->terminate();
  const Outcome outcome = run_to_end(*process, 3s);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kTerminated);
  EXPECT_EQ(outcome.message, "stopped: SIGTERM");
}

TEST(LocalExecutor, TerminateKillsAfterTheGracePeriod) {
  TempDir dir;
  Launch launch = shell("trap '' TERM; echo ready; sleep 30", dir);
  launch.grace_period = 200ms;
  LocalExecutor executor;
  auto process = executor.start(launch);
  ASSERT_TRUE(poll_until(*process, [&] { return contains(read_file(launch.log_file), "ready"); }));
  const auto terminated = Clock::now();
  process->terminate();
  const Outcome outcome = run_to_end(*process);
  const auto elapsed = Clock::now() - terminated;
  EXPECT_EQ(outcome.kind, Outcome::Kind::kTerminated);
  EXPECT_EQ(outcome.code, SIGKILL);
  EXPECT_EQ(outcome.message, "killed after the grace period");
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
}

TEST(LocalExecutor, StopsTheWholeProcessGroup) {
  TempDir dir;
  Launch launch = shell("sleep 30 & echo $! > grandchild.pid; wait", dir);
  LocalExecutor executor;
  auto process = executor.start(launch);
  const auto pid_file = dir / "work" / "grandchild.pid";
  ASSERT_TRUE(poll_until(*process, [&] { return read_pid(pid_file) > 0; }));
  const pid_t grandchild = read_pid(pid_file);
  EXPECT_FALSE(process_gone(grandchild));
  process->terminate();
  EXPECT_EQ(run_to_end(*process).kind, Outcome::Kind::kTerminated);
  EXPECT_TRUE(gone_within(grandchild, 2s));
}

TEST(LocalExecutor, KillsStragglersWhenTheTrialExits) {
  TempDir dir;
  // The background sleep keeps the output pipe open; the outcome must not wait for it.
  Launch launch = shell("sleep 30 & echo $! > grandchild.pid; echo bye", dir);
  LocalExecutor executor;
  const auto started = Clock::now();
  auto process = executor.start(launch);
  const Outcome outcome = run_to_end(*process);
  EXPECT_TRUE(outcome.success()) << outcome.message;
  EXPECT_LT(Clock::now() - started, 3s);
  EXPECT_EQ(read_file(launch.log_file), "bye\n");
  EXPECT_TRUE(gone_within(read_pid(dir / "work" / "grandchild.pid"), 2s));
}

TEST(LocalExecutor, ReportsACommandThatCannotStart) {
  TempDir dir;
  Launch launch = shell("", dir);
  launch.argv = {"treeline-no-such-command", "--flag"};
  LocalExecutor executor;
  auto process = executor.start(launch);
  const Outcome outcome = run_to_end(*process);
  EXPECT_EQ(outcome.kind, Outcome::Kind::kFailedToStart);
  EXPECT_EQ(outcome.code, ENOENT);
  EXPECT_TRUE(contains(outcome.message, "treeline-no-such-command")) << outcome.message;
  EXPECT_TRUE(contains(outcome.message, std::strerror(ENOENT))) << outcome.message;
  EXPECT_EQ(process->wait_fd(), -1);
  EXPECT_TRUE(contains(read_file(launch.log_file), "treeline-no-such-command"));
}

TEST(LocalExecutor, DestructorKillsARunningProcess) {
  TempDir dir;
  Launch launch = shell("", dir);
  launch.argv = {"sleep", "30"};
  pid_t pid = 0;
  {
    LocalExecutor executor;
    auto process = executor.start(launch);
    pid = process->pid();
    EXPECT_FALSE(process_gone(pid));
  }
  // Reaped by the destructor: not even a zombie is left.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_TRUE(process_gone(pid));
}

TEST(LocalExecutor, ChildDiesWithTheAgent) {
  TempDir dir;
  const auto pid_file = dir / "trial.pid";
  const pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    // Plays an agent that dies abruptly: starts a trial, publishes its pid, exits without cleanup.
    try {
      Launch launch = shell("", dir);
      launch.argv = {"sleep", "30"};
      LocalExecutor executor;
      auto process = executor.start(launch);
      std::ofstream(pid_file) << process->pid();
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(agent, &status, 0), agent);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const pid_t trial = read_pid(pid_file);
  ASSERT_GT(trial, 0);
  EXPECT_TRUE(gone_within(trial, 2s));
}

TEST(LocalExecutor, StartsTrivialTrialsQuickly) {
  TempDir dir;
  Launch launch = shell("", dir);
  launch.argv = {"true"};
  LocalExecutor executor;
  constexpr int kTrials = 200;
  const std::size_t descriptors_before = open_descriptors();
  const auto started = Clock::now();
  for (int i = 0; i < kTrials; ++i) ASSERT_TRUE(run_to_end(*executor.start(launch)).success());
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  EXPECT_LT(elapsed, 5s);
  EXPECT_EQ(open_descriptors(), descriptors_before);  // no pipe, log or pidfd left behind
  std::cout << kTrials << " sequential trials in " << elapsed.count() << " ms\n";
}

TEST(MachineSlots, CapsHeldSlots) {
  TempDir dir;
  MachineSlots slots(dir / "slots", 2);
  EXPECT_EQ(slots.capacity(), 2);
  EXPECT_EQ(slots.held(), 0);
  auto first = slots.try_acquire();
  auto second = slots.try_acquire();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_NE(first->index(), second->index());
  EXPECT_EQ(slots.held(), 2);
  EXPECT_FALSE(slots.try_acquire());
  EXPECT_TRUE(std::filesystem::exists(dir / "slots" / "slot-0"));
  EXPECT_TRUE(std::filesystem::exists(dir / "slots" / "slot-1"));

  const int freed = first->index();
  first.reset();
  EXPECT_EQ(slots.held(), 1);
  auto again = slots.try_acquire();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->index(), freed);
}

TEST(MachineSlots, DefaultsToTheMachine) {
  TempDir dir;
  EXPECT_EQ(MachineSlots(dir / "slots", 0).capacity(),
            std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_EQ(MachineSlots::default_directory(), "/tmp/treeline-slots-" + std::to_string(::getuid()));
}

TEST(MachineSlots, SeesSlotsHeldByOtherProcesses) {
  TempDir dir;
  const auto directory = dir / "slots";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t other_agent = ::fork();
  ASSERT_GE(other_agent, 0);
  if (other_agent == 0) {
    ::close(ready[0]);
    MachineSlots slots(directory, 2);
    auto slot = slots.try_acquire();
    const char index = slot ? static_cast<char>('0' + slot->index()) : '-';
    [[maybe_unused]] const auto written = ::write(ready[1], &index, 1);
    ::pause();  // holds the slot until killed
    ::_exit(0);
  }
  ::close(ready[1]);
  char index = 0;
  ASSERT_EQ(::read(ready[0], &index, 1), 1);
  ::close(ready[0]);
  EXPECT_EQ(index, '0');

  MachineSlots slots(directory, 2);
  EXPECT_EQ(slots.held(), 1);
  auto mine = slots.try_acquire();
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->index(), 1);
  EXPECT_FALSE(slots.try_acquire());
  EXPECT_EQ(slots.held(), 2);

  // The kernel drops a dead process's locks: a killed agent leaks no slots.
  ::kill(other_agent, SIGKILL);
  ASSERT_EQ(::waitpid(other_agent, nullptr, 0), other_agent);
  EXPECT_EQ(slots.held(), 1);
  auto freed = slots.try_acquire();
  ASSERT_TRUE(freed);
  EXPECT_EQ(freed->index(), 0);
}

TEST(ThreadShare, PublishedNumbersAreReadWhole) {
  TempDir dir;
  const auto file = dir / "threads";
  EXPECT_FALSE(read_thread_share(file)) << "no file yet";
  publish_thread_share(file, 3);
  EXPECT_EQ(read_thread_share(file), 3);
  publish_thread_share(file, 1);
  EXPECT_EQ(read_thread_share(file), 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "threads.tmp"));
  for (const char* garbage : {"", "two\n", "0\n", "-4\n", "3x\n"}) {
    treeline::testing::write_text(file, garbage);
    EXPECT_FALSE(read_thread_share(file)) << "'" << garbage << "'";
  }
}

TEST(ThreadShare, WatcherReportsEachChangeOnce) {
  TempDir dir;
  const auto file = dir / "threads";
  ThreadShareWatcher watcher(file, std::nullopt, /*interval_seconds=*/0);
  EXPECT_FALSE(watcher.poll()) << "nothing published yet";
  publish_thread_share(file, 1);
  EXPECT_EQ(watcher.poll(), 1);
  EXPECT_FALSE(watcher.poll()) << "unchanged";
  publish_thread_share(file, 2);
  EXPECT_EQ(watcher.poll(), 2);
  treeline::testing::write_text(file, "garbage\n");
  EXPECT_FALSE(watcher.poll()) << "a bad file leaves the threads as they are";

  ThreadShareWatcher started_with_two(file, 2, 0);
  publish_thread_share(file, 2);
  EXPECT_FALSE(started_with_two.poll()) << "the threads it started with are no change";
  publish_thread_share(file, 1);
  EXPECT_EQ(started_with_two.poll(), 1);

  ThreadShareWatcher slow(file, std::nullopt, /*interval_seconds=*/60);
  publish_thread_share(file, 4);
  EXPECT_EQ(slow.poll(), 4);
  publish_thread_share(file, 1);
  EXPECT_FALSE(slow.poll()) << "looked at most once per interval";
}

TEST(ThreadShare, FileGoesWithItsOwner) {
  TempDir dir;
  const auto path = dir / "threads";
  {
    ThreadShareFile share(path, 2);
    EXPECT_EQ(read_thread_share(path), 2);
    share.set(1);
    EXPECT_EQ(read_thread_share(path), 1);
    EXPECT_EQ(share.threads(), 1);
    ThreadShareFile moved(std::move(share));
    EXPECT_TRUE(std::filesystem::exists(path)) << "a move keeps the file";
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_THROW(ThreadShareFile(dir / "no-such-dir" / "threads", 1), treeline::SystemError);
}

TEST(ThreadShare, FromTheEnvironment) {
  TempDir dir;
  ::unsetenv(kThreadShareVariable);
  EXPECT_FALSE(thread_share_updates_from_environment(1)) << "run by hand: no updates";
  ::setenv(kThreadShareVariable, "", 1);
  EXPECT_FALSE(thread_share_updates_from_environment(1)) << "blanked: no updates";
  publish_thread_share(dir / "threads", 2);
  ::setenv(kThreadShareVariable, (dir / "threads").c_str(), 1);
  auto updates = thread_share_updates_from_environment(1);
  auto unchanged = thread_share_updates_from_environment(2);
  ::unsetenv(kThreadShareVariable);
  ASSERT_TRUE(updates);
  EXPECT_EQ(updates(), 2);
  EXPECT_FALSE(unchanged()) << "started with the published share";
}

TEST(LocalExecutor, StopsWhatALaunchLeftBehindAndNothingElse) {
  TempDir dir;
  LocalExecutor executor;
  // Every process a launch starts carries its working directory.
  Launch echo;
  echo.argv = {"/bin/sh", "-c", "echo \"$TREELINE_WORK_DIR\""};
  echo.working_directory = dir / "jobs/j/trials/1";
  echo.log_file = dir / "echo.log";
  auto process = executor.start(echo);
  while (!process->poll()) std::this_thread::sleep_for(10ms);
  std::ifstream log(dir / "echo.log");
  std::string line;
  std::getline(log, line);
  EXPECT_EQ(line, echo.working_directory.string());

  // Two leftovers, as a dead agent's trials' children would be: only trial 1's is stopped.
  auto spawn = [](const std::filesystem::path& work_dir) {
    const pid_t child = ::fork();
    if (child == 0) {
      ::setenv(kWorkDirVariable, work_dir.c_str(), 1);
      ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return child;
  };
  const pid_t leftover = spawn(dir / "jobs/j/trials/1");
  const pid_t other_trial = spawn(dir / "jobs/j/trials/10");
  // The same trial's folder reached through a symlink (a store given as a link, then by its real
  // path) is the same folder.
  std::filesystem::create_directory_symlink(dir / "jobs", dir / "link");
  const pid_t through_link = spawn(dir / "link/j/trials/1");
  // Each has exec'd once its environment (what stop_leftovers reads) shows the variable.
  for (const pid_t pid : {leftover, other_trial, through_link}) {
    const auto deadline = Clock::now() + 10s;
    while (!contains(read_file("/proc/" + std::to_string(pid) + "/environ"), kWorkDirVariable) &&
           Clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
  }
  executor.stop_leftovers(dir / "jobs/j/trials/1");
  int status = 0;
  ASSERT_EQ(::waitpid(leftover, &status, 0), leftover);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_EQ(::waitpid(through_link, &status, 0), through_link);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_EQ(::waitpid(other_trial, &status, WNOHANG), 0) << "trial 10 is not trial 1";
  ::kill(other_trial, SIGKILL);
  ::waitpid(other_trial, &status, 0);
}
