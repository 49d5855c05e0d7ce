// How `submit` waits for its jobs: what it says when nothing moves them.
#include <gtest/gtest.h>

#include "jobs_test_util.h"
#include "test_util.h"
#include "treeline/jobs/sqlite_job_store.h"
#include "treeline/pipeline/submit.h"

namespace treeline::pipeline {
namespace {

using treeline::testing::queued_job;
using treeline::testing::TempDir;

TEST(WaitForTunedModels, OneNoteForEveryJobOneCauseHolds) {
  TempDir dir;
  jobs::SqliteJobStore store(dir / "jobs.sqlite");
  const std::vector<SubmittedJobs> submitted = {{1, "tune_1", "final_1"}, {2, "tune_2", "final_2"}, {3, "tune_3", "final_3"}};
  for (const auto& s : submitted) store.create_job(queued_job(s.tuning_job_id));
  store.request_cancel("tune_3");  // ended: holds nothing

  struct Call {
    std::vector<std::string> jobs;
    std::string note;
  };
  std::vector<Call> calls;
  WaitOptions options;
  options.lease_seconds = 10;
  options.on_stalled = [&](const std::vector<jobs::Job>& held, const std::string& note) {
    Call call{{}, note};
    for (const auto& job : held) call.jobs.push_back(job.job_id);
    calls.push_back(call);
    // No agent serves the store: end the wait as a user would, by cancelling.
    for (const auto& job : held) store.request_cancel(job.job_id);
  };
  const auto results = wait_for_tuned_models(store, submitted, options);

  ASSERT_EQ(calls.size(), 1u) << "no agent serves either job: one cause, one note";
  EXPECT_EQ(calls[0].jobs, (std::vector<std::string>{"tune_1", "tune_2"}));
  EXPECT_NE(calls[0].note.find("no agent serves this job store"), std::string::npos) << calls[0].note;
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) EXPECT_EQ(r.state, "CANCELLED") << "cover type " << r.cover_type;
}

}  // namespace
}  // namespace treeline::pipeline
