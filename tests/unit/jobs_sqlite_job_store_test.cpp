// The SQLite job store: job ids, leases, trials within maxTrials, and what a second connection
// (another agent, or the same store after a restart) sees.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs_test_util.h"
#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/common/host.h"
#include "treeline/common/sqlite.h"
#include "treeline/jobs/sqlite_job_store.h"

namespace treeline::jobs {
namespace {

using treeline::testing::TempDir;
using treeline::testing::agent_named;
using treeline::testing::agent_of_process;
using treeline::testing::idle_child;
using treeline::testing::register_and_claim;
using treeline::testing::exited_pid;
using treeline::testing::queued_job;

TEST(JobIds, FollowAiPlatformsRule) {
  EXPECT_NO_THROW(validate_job_id("census_v2_1", "JOB"));
  EXPECT_THROW_WITH(validate_job_id("", "JOB"), InputError, "JOB ''", "starts with a letter");
  EXPECT_THROW_WITH(validate_job_id("2nd_run", "JOB"), InputError, "JOB '2nd_run'", "starts with a letter");
  EXPECT_THROW_WITH(validate_job_id("my-job", "job id"), InputError, "job id 'my-job'",
                    "only letters, digits and underscores");
  EXPECT_EQ(job_id_part("my-project.v2"), "my_project_v2");
  EXPECT_EQ(job_id_part("2026"), "j_2026");
  EXPECT_NO_THROW(validate_job_id(job_id_part("--"), "job id"));
}

TEST(SqliteJobStore, RefusesTakenAndInvalidIdsWithoutTouchingStoredJobs) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("first"));
  EXPECT_THROW_WITH(store.create_job(queued_job("first")), InputError, "job first already exists");
  EXPECT_THROW_WITH(store.create_job(queued_job("bad-id")), InputError, "job id 'bad-id'");
  const auto jobs = store.list_jobs(std::nullopt);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].job_id, "first");
  EXPECT_EQ(store.job_state("first"), JobState::kQueued);
  EXPECT_FALSE(store.find_job("bad-id"));
}

TEST(SqliteJobStore, OneOwnerPerJobAndNoMoreTrialsThanMaxTrials) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  SqliteJobStore other_connection(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const AgentInfo a = agent_named("agent-a");
  const AgentInfo b = agent_named("agent-b");
  store.heartbeat(a);
  other_connection.heartbeat(b);
  EXPECT_EQ(store.claim_jobs(a, 30).held, std::vector<std::string>{"study"});
  EXPECT_TRUE(other_connection.claim_jobs(b, 30).held.empty()) << "a live agent's job is not taken";
  EXPECT_THROW(other_connection.start_new_trial("study", b.agent_id, {}, 2), LeaseLost);

  EXPECT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 1.0}}, 2), 1);
  EXPECT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 2.0}}, 2), 2);
  EXPECT_FALSE(store.start_new_trial("study", a.agent_id, {{"x", 3.0}}, 2));
  Trial done = store.trials("study").front();
  done.state = JobState::kSucceeded;
  done.final_metric = ReportedMetric{100, 0.75};
  done.all_metrics = {{50, 0.7, 1795849387.25}, {100, 0.75}};
  done.end_time = now_seconds();
  store.finish_trial("study", a.agent_id, done);

  // The other connection sees the finished trial as stored, and the running one as running.
  const auto seen = other_connection.trials("study");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].state, JobState::kSucceeded);
  ASSERT_TRUE(seen[0].final_metric);
  EXPECT_DOUBLE_EQ(seen[0].final_metric->objective_value, 0.75);
  // Report times are kept where the trainer wrote them (a search learns the price of steps).
  ASSERT_EQ(seen[0].all_metrics.size(), 2u);
  EXPECT_EQ(seen[0].all_metrics[0].timestamp, 1795849387.25);
  EXPECT_FALSE(seen[0].all_metrics[1].timestamp.has_value());
  EXPECT_EQ(seen[1].state, JobState::kRunning);
}

TEST(SqliteJobStore, TakesOverTheJobsOfAnAgentWhoseProcessIsGone) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  AgentInfo dead = agent_named("agent-dead");
  dead.pid = exited_pid();  // its heartbeat is fresh, but its process has exited
  store.heartbeat(dead);
  ASSERT_EQ(store.claim_jobs(dead, 30).held.size(), 1u);
  ASSERT_EQ(store.start_new_trial("study", dead.agent_id, {{"x", 1.0}}, 2), 1);

  const AgentInfo next = agent_named("agent-next");
  store.heartbeat(next);
  const auto claimed = store.claim_jobs(next, 30);
  EXPECT_EQ(claimed.held, std::vector<std::string>{"study"}) << "no wait for the lease to run out";
  EXPECT_EQ(claimed.taken, std::vector<std::string>{"study"});
  EXPECT_EQ(store.trials("study").at(0).state, JobState::kQueued) << "the interrupted trial runs again";
  EXPECT_THROW(store.start_new_trial("study", dead.agent_id, {}, 2), LeaseLost);
}

TEST(SqliteJobStore, ALiveAgentOnThisHostKeepsItsJobsHoweverLateItsHeartbeat) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  AgentInfo slow = agent_named("agent-slow");  // this test's own process: alive
  slow.heartbeat = now_seconds() - 3600;        // stopped for an hour, say
  store.heartbeat(slow);
  ASSERT_EQ(store.claim_jobs(slow, 30).held.size(), 1u);
  const AgentInfo next = agent_named("agent-next");
  store.heartbeat(next);
  EXPECT_TRUE(store.claim_jobs(next, 30).held.empty()) << "its trials may still be running";

  // The same pid with another process's identity is a reused pid: that agent is gone.
  AgentInfo reused = agent_named("agent-reused");
  reused.process_key = "another-boot:12345";
  store.create_job(queued_job("other"));
  store.heartbeat(reused);
  ASSERT_EQ(store.claim_jobs(reused, 30).held, std::vector<std::string>{"other"});
  EXPECT_EQ(store.claim_jobs(next, 30).held, std::vector<std::string>{"other"});
}

TEST(SqliteJobStore, AnExitedAgentNotYetReapedIsDeadOnceItsLeaseRunsOut) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const pid_t child = idle_child();
  const AgentInfo zombie = agent_of_process("agent-zombie", child);
  ASSERT_FALSE(zombie.process_key.empty());
  ASSERT_EQ(register_and_claim(store, zombie, 30).size(), 1u);
  ::kill(child, SIGKILL);  // exits, but stays a zombie until reaped below
  for (int i = 0; i < 200 && process_identity(child); ++i) ::usleep(10000);
  ASSERT_FALSE(process_identity(child)) << "a zombie has no identity";
  const AgentInfo next = agent_named("agent-next");
  store.heartbeat(next);
  EXPECT_TRUE(store.claim_jobs(next, 30).held.empty()) << "its lease still runs";
  EXPECT_EQ(store.claim_jobs(next, 0).held, std::vector<std::string>{"study"}) << "a lease of 0 has run out";
  ::waitpid(child, nullptr, 0);
}

TEST(SqliteJobStore, OpensAStoreMadeBeforeAgentsHadAnIdentity) {
  TempDir dir;
  {
    SqliteDatabase old(dir / "jobs.sqlite", SqliteDatabase::Mode::kReadWriteCreate);
    old.execute("CREATE TABLE agents (agent_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, "
                "started REAL NOT NULL, heartbeat REAL NOT NULL)");
    old.execute("INSERT INTO agents VALUES ('agent-old', 1, 'elsewhere', 0, 0)");
  }
  SqliteJobStore store(dir / "jobs.sqlite");
  store.heartbeat(agent_named("agent-new"));
  const auto live = store.live_agents(30);
  ASSERT_EQ(live.size(), 1u) << "the old row's lease ran out long ago";
  EXPECT_EQ(live[0].agent_id, "agent-new");
}

TEST(SqliteJobStore, AJobCancelledWhileQueuedCannotBeStartedByItsClaimer) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const AgentInfo a = agent_named("agent-a");
  ASSERT_EQ(register_and_claim(store, a, 30).size(), 1u);  // claimed, still QUEUED
  EXPECT_EQ(store.request_cancel("study"), JobState::kCancelled);
  EXPECT_THROW(store.set_job_state("study", a.agent_id, JobState::kRunning, ""), LeaseLost);
  EXPECT_EQ(store.job_state("study"), JobState::kCancelled);
  EXPECT_TRUE(store.claim_jobs(a, 30).held.empty());
}

TEST(SqliteJobStore, AnAgentLeavesOnlyWhenNoJobIsWaiting) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const AgentInfo a = agent_named("agent-a");
  store.heartbeat(a);
  store.create_job(queued_job("study"));
  EXPECT_FALSE(store.retire_agent_if_idle(a.agent_id, 30)) << "a queued job waits for it";
  EXPECT_EQ(store.live_agents(30).size(), 1u);
  ASSERT_EQ(store.claim_jobs(a, 30).held.size(), 1u);
  EXPECT_FALSE(store.retire_agent_if_idle(a.agent_id, 30)) << "it holds the job";
  EXPECT_EQ(store.request_cancel("study"), JobState::kCancelled);
  EXPECT_TRUE(store.retire_agent_if_idle(a.agent_id, 30));
  EXPECT_TRUE(store.live_agents(30).empty());
}

TEST(SqliteJobStore, TrialUpdatesFromAStaleViewAreRefused) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  // Two agents that each look dead to the other (their pids are gone), so the job goes from
  // a to b and back to a, as when a stalls and b, taking over, dies.
  AgentInfo a = agent_named("agent-a");
  AgentInfo b = agent_named("agent-b");
  a.pid = b.pid = exited_pid();
  store.heartbeat(a);
  store.heartbeat(b);
  store.claim_jobs(a, 30);
  ASSERT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 1.0}}, 2), 1);
  Trial finished = store.trials("study").front();  // a's view: trial 1 running
  ASSERT_EQ(store.claim_jobs(b, 30).taken, std::vector<std::string>{"study"});
  ASSERT_EQ(store.claim_jobs(a, 30).taken, std::vector<std::string>{"study"});
  finished.state = JobState::kSucceeded;
  finished.final_metric = ReportedMetric{10, 0.5};
  EXPECT_THROW(store.finish_trial("study", a.agent_id, finished), LeaseLost);
  EXPECT_THROW(store.record_metrics("study", a.agent_id, 1, {{1, 0.1}}), LeaseLost);
  EXPECT_EQ(store.trials("study").front().state, JobState::kQueued);
}

}  // namespace
}  // namespace treeline::jobs
