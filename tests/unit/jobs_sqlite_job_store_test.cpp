// The SQLite job store: job ids, leases, trials within maxTrials, and what a second connection
// (another agent, or the same store after a restart) sees.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/common/host.h"
#include "treeline/jobs/sqlite_job_store.h"

namespace treeline::jobs {
namespace {

using treeline::testing::TempDir;

Job queued_job(const std::string& id) {
  Job job;
  job.job_id = id;
  job.create_time = now_seconds();
  job.training_input = {{"hyperparameters", {{"goal", "MAXIMIZE"}, {"maxTrials", 2}}}};
  return job;
}

AgentInfo agent_named(const std::string& id) {
  AgentInfo agent;
  agent.agent_id = id;
  agent.pid = ::getpid();
  agent.host = host_name();
  agent.started = agent.heartbeat = now_seconds();
  return agent;
}

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
  EXPECT_EQ(store.claim_jobs(a, 30), std::vector<std::string>{"study"});
  EXPECT_TRUE(other_connection.claim_jobs(b, 30).empty()) << "a live agent's job is not taken";
  EXPECT_THROW(other_connection.start_new_trial("study", b.agent_id, {}, 2), LeaseLost);

  EXPECT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 1.0}}, 2), 1);
  EXPECT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 2.0}}, 2), 2);
  EXPECT_FALSE(store.start_new_trial("study", a.agent_id, {{"x", 3.0}}, 2));
  Trial done = store.trials("study").front();
  done.state = JobState::kSucceeded;
  done.final_metric = ReportedMetric{100, 0.75};
  done.end_time = now_seconds();
  store.finish_trial("study", a.agent_id, done);

  // The other connection sees the finished trial as stored, and the running one as running.
  const auto seen = other_connection.trials("study");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].state, JobState::kSucceeded);
  ASSERT_TRUE(seen[0].final_metric);
  EXPECT_DOUBLE_EQ(seen[0].final_metric->objective_value, 0.75);
  EXPECT_EQ(seen[1].state, JobState::kRunning);
}

TEST(SqliteJobStore, TakesOverTheJobsOfAnAgentWhoseProcessIsGone) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  AgentInfo dead = agent_named("agent-dead");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  dead.pid = child;  // its heartbeat is fresh, but its process has exited
  store.heartbeat(dead);
  ASSERT_EQ(store.claim_jobs(dead, 30).size(), 1u);
  ASSERT_EQ(store.start_new_trial("study", dead.agent_id, {{"x", 1.0}}, 2), 1);

  const AgentInfo next = agent_named("agent-next");
  store.heartbeat(next);
  EXPECT_EQ(store.claim_jobs(next, 30), std::vector<std::string>{"study"}) << "no wait for the lease to run out";
  EXPECT_EQ(store.trials("study").at(0).state, JobState::kQueued) << "the interrupted trial runs again";
  EXPECT_THROW(store.start_new_trial("study", dead.agent_id, {}, 2), LeaseLost);
}

}  // namespace
}  // namespace treeline::jobs
