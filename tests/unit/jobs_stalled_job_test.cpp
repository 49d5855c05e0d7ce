// What `jobs describe` says about an unfinished job nobody is moving: a stopped, busy or ended
// agent, or none at all; and nothing while a live agent renews its lease.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "jobs_test_util.h"
#include "test_util.h"
#include "treeline/common/host.h"
#include "treeline/jobs/sqlite_job_store.h"
#include "treeline/jobs/stalled_job.h"

namespace treeline::jobs {
namespace {

using treeline::testing::agent_named;
using treeline::testing::agent_of_process;
using treeline::testing::idle_child;
using treeline::testing::register_and_claim;
using treeline::testing::queued_job;
using treeline::testing::TempDir;

constexpr double kLease = 10;

bool contains(const std::optional<std::string>& note, const std::string& part) {
  return note && note->find(part) != std::string::npos;
}

// Waits until /proc shows `pid` stopped (or not), as signals are delivered asynchronously.
void wait_stopped(pid_t pid, bool stopped) {
  for (int i = 0; i < 200 && process_stopped(pid) != stopped; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TEST(StalledJob, NothingToSayWhileItsAgentRenewsItsLeaseOrOnceItEnded) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const AgentInfo agent = agent_named("agent-live");
  store.heartbeat(agent);
  EXPECT_EQ(stalled_job_note(store, *store.find_job("study"), kLease), std::nullopt)
      << "a live agent claims it when it has room";
  ASSERT_EQ(register_and_claim(store, agent, kLease).size(), 1u);
  EXPECT_EQ(stalled_job_note(store, *store.find_job("study"), kLease), std::nullopt);
  store.set_job_state("study", agent.agent_id, JobState::kSucceeded, "");
  EXPECT_EQ(stalled_job_note(store, *store.find_job("study"), kLease), std::nullopt);
}

TEST(StalledJob, NamesAStoppedAgentAndHowToResumeIt) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const pid_t child = idle_child();
  AgentInfo agent = agent_of_process("agent-stopped", child);
  ASSERT_EQ(register_and_claim(store, agent, kLease).size(), 1u);
  agent.heartbeat = now_seconds() - 60;  // silent for a minute
  store.heartbeat(agent);

  ::kill(child, SIGSTOP);
  wait_stopped(child, true);
  const auto stopped = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(stopped, "is stopped")) << stopped.value_or("(none)");
  EXPECT_TRUE(contains(stopped, "kill -CONT " + std::to_string(child))) << stopped.value_or("(none)");
  EXPECT_TRUE(contains(stopped, "nothing runs it until another agent starts")) << stopped.value_or("(none)");

  ::kill(child, SIGCONT);
  wait_stopped(child, false);
  const auto busy = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(busy, "is alive but has not renewed its lease")) << busy.value_or("(none)");

  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  const auto ended = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(ended, "has ended")) << ended.value_or("(none)");
  EXPECT_TRUE(contains(ended, "`treeline agent`")) << "no other agent is alive: " << ended.value_or("(none)");

  store.heartbeat(agent_named("agent-live"));
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "another agent takes the job over"));
}

TEST(StalledJob, SaysWhenNoAgentServesTheStore) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "no agent serves this job store"));

  // The only agent is stopped: it counts as alive (it keeps what it owns) but runs nothing new.
  const pid_t child = idle_child();
  AgentInfo stopped = agent_of_process("agent-stopped", child);
  stopped.heartbeat = now_seconds() - 60;
  store.heartbeat(stopped);
  ::kill(child, SIGSTOP);
  wait_stopped(child, true);
  const auto note = stalled_job_note(store, *store.find_job("study"), kLease);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(contains(note, "the only agent serving this job store (pid " + std::to_string(child) + ") is stopped"))
      << note.value_or("(none)");
  store.remove_agent(stopped.agent_id);

  // Owned by an agent that unregistered without releasing it.
  const AgentInfo agent = agent_named("agent-gone");
  ASSERT_EQ(register_and_claim(store, agent, kLease).size(), 1u);
  store.remove_agent(agent.agent_id);
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "(agent-gone) has ended"));
}

TEST(StalledJob, ANoteIsTheSameButForItsNumbers) {
  EXPECT_TRUE(same_note("silent for 12 s", "silent for 17 s")) << "the seconds of silence grow";
  EXPECT_FALSE(same_note("silent for 12 s", "has ended"));
  EXPECT_FALSE(same_note("has ended", std::nullopt)) << "a note after none is new";
  EXPECT_TRUE(same_note(std::nullopt, std::nullopt));
}

}  // namespace
}  // namespace treeline::jobs
