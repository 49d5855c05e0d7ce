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
using treeline::testing::IdleChild;
using treeline::testing::register_and_claim;
using treeline::testing::queued_job;
using treeline::testing::TempDir;

constexpr double kLease = 10;

bool contains(const std::optional<StalledNote>& note, const std::string& part) {
  return note && note->text.find(part) != std::string::npos;
}

std::string text_of(const std::optional<StalledNote>& note) { return note ? note->text : "(none)"; }

// Waits until /proc shows `pid` stopped (or not), as signals are delivered asynchronously.
void wait_stopped(pid_t pid, bool stopped) {
  for (int i = 0; i < 200 && process_stopped(pid) != stopped; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// Queues `job` and has an agent of process `child` claim it, then fall silent `silent_seconds` ago.
AgentInfo silent_owner(SqliteJobStore& store, const std::string& job, const std::string& agent_id, pid_t child,
                       double silent_seconds) {
  store.create_job(queued_job(job));
  AgentInfo agent = agent_of_process(agent_id, child);
  EXPECT_EQ(register_and_claim(store, agent, kLease), std::vector<std::string>{job});
  agent.heartbeat = now_seconds() - silent_seconds;
  store.heartbeat(agent);
  return agent;
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
  IdleChild process;
  const pid_t child = process.pid();
  silent_owner(store, "study", "agent-stopped", child, 60);

  ::kill(child, SIGSTOP);
  wait_stopped(child, true);
  const auto stopped = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(stopped, "is stopped")) << text_of(stopped);
  EXPECT_TRUE(contains(stopped, "kill -CONT " + std::to_string(child))) << text_of(stopped);
  EXPECT_TRUE(contains(stopped, "nothing runs it until another agent starts")) << text_of(stopped);

  ::kill(child, SIGCONT);
  wait_stopped(child, false);
  const auto busy = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(busy, "is alive but has not renewed its lease")) << text_of(busy);

  process.end();
  const auto ended = stalled_job_note(store, *store.find_job("study"), kLease);
  EXPECT_TRUE(contains(ended, "has ended")) << text_of(ended);
  EXPECT_TRUE(contains(ended, "`treeline agent`")) << "no other agent is alive: " << text_of(ended);

  store.heartbeat(agent_named("agent-live"));
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "another agent takes the job over"));
}

TEST(StalledJob, SaysWhenNoAgentServesTheStore) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "no agent serves this job store"));

  // The only agent is stopped: it counts as alive (it keeps what it owns) but runs nothing new.
  IdleChild process;
  const pid_t child = process.pid();
  AgentInfo stopped = agent_of_process("agent-stopped", child);
  stopped.heartbeat = now_seconds() - 60;
  store.heartbeat(stopped);
  ::kill(child, SIGSTOP);
  wait_stopped(child, true);
  const auto note = stalled_job_note(store, *store.find_job("study"), kLease);
  process.end();
  EXPECT_TRUE(contains(note, "the only agent serving this job store (pid " + std::to_string(child) + ") is stopped"))
      << text_of(note);
  store.remove_agent(stopped.agent_id);

  // Owned by an agent that unregistered without releasing it.
  const AgentInfo agent = agent_named("agent-gone");
  ASSERT_EQ(register_and_claim(store, agent, kLease).size(), 1u);
  store.remove_agent(agent.agent_id);
  EXPECT_TRUE(contains(stalled_job_note(store, *store.find_job("study"), kLease), "(agent-gone) has ended"));
}

TEST(StalledJob, ANoteIsTheSameWhileItsCauseAndAgentAre) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const IdleChild child;
  AgentInfo agent = silent_owner(store, "study", "agent-busy", child.pid(), 30);
  const Job queued_copy = *store.find_job("study");
  store.set_job_state("study", agent.agent_id, JobState::kRunning, "");
  const auto busy = stalled_job_note(store, queued_copy, kLease);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->state, JobState::kRunning) << "the state read with the note, not the caller's older copy";
  agent.heartbeat = now_seconds() - 45;
  store.heartbeat(agent);
  const auto later = stalled_job_note(store, *store.find_job("study"), kLease);
  ASSERT_TRUE(busy && later);
  EXPECT_NE(busy->text, later->text) << "the seconds of silence grow";
  EXPECT_TRUE(same_cause(busy, later));
  EXPECT_FALSE(same_cause(busy, std::nullopt)) << "a note after none is new";
  EXPECT_TRUE(same_cause(std::nullopt, std::nullopt));

  // The same words about another agent are news.
  const IdleChild other_child;
  silent_owner(store, "second", "agent-busy-2", other_child.pid(), 30);
  const auto busy_other = stalled_job_note(store, *store.find_job("second"), kLease);
  ASSERT_TRUE(busy_other);
  EXPECT_FALSE(same_cause(busy, busy_other)) << text_of(busy) << " / " << text_of(busy_other);

  // Whether another agent would take over is news where the note says so, but not for a busy
  // owner, which keeps its job either way.
  store.heartbeat(agent_named("agent-live"));
  EXPECT_TRUE(same_cause(busy, stalled_job_note(store, *store.find_job("study"), kLease)));
  store.remove_agent("agent-live");
  ::kill(child.pid(), SIGSTOP);
  wait_stopped(child.pid(), true);
  const auto stopped = stalled_job_note(store, *store.find_job("study"), kLease);
  store.heartbeat(agent_named("agent-live"));
  const auto stopped_served = stalled_job_note(store, *store.find_job("study"), kLease);
  ASSERT_TRUE(stopped && stopped_served);
  EXPECT_FALSE(same_cause(busy, stopped));
  EXPECT_FALSE(same_cause(stopped, stopped_served)) << text_of(stopped) << " / " << text_of(stopped_served);
}

}  // namespace
}  // namespace treeline::jobs
