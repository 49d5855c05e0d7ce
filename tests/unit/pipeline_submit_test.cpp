// How `submit` waits for its jobs: what it says when nothing moves them.
#include <gtest/gtest.h>

#include <algorithm>

#include "jobs_test_util.h"
#include "test_util.h"
#include "treeline/data/csv_source.h"
#include "treeline/jobs/sqlite_job_store.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/pipeline/submit.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {
namespace {

using treeline::testing::agent_named;
using treeline::testing::queued_job;
using treeline::testing::register_and_claim;
using treeline::testing::TempDir;

TEST(WaitForTunedModels, OneNotePerCauseNamingEveryJobItHoldsOnlyWhenNew) {
  TempDir dir;
  jobs::SqliteJobStore store(dir / "jobs.sqlite");
  const std::vector<SubmittedJobs> submitted = {{1, "tune_1", "final_1"},
                                                {2, "tune_2", "final_2"},
                                                {3, "tune_3", "final_3"},
                                                {4, "tune_4", "final_4"},
                                                {5, "tune_5", "final_5"}};
  for (const auto& s : submitted) store.create_job(queued_job(s.tuning_job_id));
  store.request_cancel("tune_4");  // ended: holds nothing
  // tune_3's agent unregistered without releasing it: another cause than "no agent".
  const jobs::AgentInfo gone = agent_named("agent-gone");
  // tune_5 stays queued with tune_1 and tune_2 until the second check, when that agent takes it
  // over too before it goes: the cause already reported then holds a new job, news again.
  auto claim_by_gone = [&](const std::vector<std::string>& keep) {
    for (const auto& id : register_and_claim(store, gone, 10))
      if (std::find(keep.begin(), keep.end(), id) == keep.end()) store.release_job(id, gone.agent_id);
    store.remove_agent(gone.agent_id);
  };
  claim_by_gone({"tune_3"});

  std::vector<std::vector<std::string>> calls;  // the jobs of each note, in order
  std::string no_agent_note;
  int checks = 0;
  WaitOptions options;
  options.poll_interval = std::chrono::milliseconds(1);
  // Called once per check, before the notes: ends the wait at the third check, as a user would by
  // cancelling. Should the wait go on, a fourth check throws (the jobs have ended): no hang.
  options.keep_agent = [&] {
    if (++checks == 2) claim_by_gone({"tune_3", "tune_5"});
    if (checks >= 3) {
      store.request_cancel("tune_1");
      store.request_cancel("tune_2");
      for (const char* id : {"tune_3", "tune_5"}) store.set_job_state(id, gone.agent_id, jobs::JobState::kCancelled, "");
    }
  };
  options.on_stalled = [&](const std::vector<jobs::Job>& held, const std::string& note) {
    std::vector<std::string> ids;
    for (const auto& job : held) ids.push_back(job.job_id);
    if (ids.front() == "tune_1") no_agent_note = note;
    calls.push_back(ids);
  };
  const auto results = wait_for_tuned_models(store, submitted, options);

  EXPECT_EQ(checks, 3);
  const std::vector<std::vector<std::string>> expected = {
      {"tune_1", "tune_2", "tune_5"}, {"tune_3"},  // the first check: one note per cause
      {"tune_3", "tune_5"}};                       // the second: tune_5 moved to a reported cause
  EXPECT_EQ(calls, expected) << "a note only for a cause holding a job it did not hold before";
  EXPECT_NE(no_agent_note.find("no agent serves this job store"), std::string::npos) << no_agent_note;
  ASSERT_EQ(results.size(), 5u);
  for (const auto& r : results) EXPECT_EQ(r.state, "CANCELLED") << "cover type " << r.cover_type;
}

}  // namespace
}  // namespace treeline::pipeline

namespace treeline::pipeline {
namespace {

// `jobs submit-*` builds its job here, checked before any store is touched.
// A store with the sample's datasets prepared as project p, name n.
jobs::PlatformPaths prepared_store(const TempDir& dir) {
  data::CsvDataSource source(treeline::testing::sample_data());
  store::DirectoryStore store(dir / "store");
  prepare_datasets(source, store, "p/n");
  return jobs::platform_paths(dir / "store", "");
}

TEST(MakeJob, AppendsTheUsersArgsAndWhatTheDefaultTrainerNeeds) {
  TempDir dir;
  const auto paths = prepared_store(dir);
  const std::string store = "--store=" + paths.store_root.string();
  const auto tuning = jobs::parse_training_input(
      "args: ['--nthread=1', '--name=n']\nhyperparameters:\n  goal: MAXIMIZE\n  params:\n"
      "    - {parameterName: max_depth, type: INTEGER, minValue: 3, maxValue: 9}\n",
      "c.yaml");
  const jobs::Job job = make_job("study_1", tuning, "c.yaml", {"--project=p", "--cover-type=2", "--gamma=1"}, true, paths);
  EXPECT_EQ(job.job_id, "study_1");
  EXPECT_EQ(job.training_input["args"], nlohmann::json({"--nthread=1", "--name=n", "--project=p", "--cover-type=2",
                                                        "--gamma=1", store, "--validation-fraction=0.2"}));
  EXPECT_THROW_WITH(make_job("study_1", tuning, "c.yaml", {"--project=p", "--cover-type=2", "--max_depth=4"}, true, paths),
                    InputError, "trainer argument 3 after --: --max_depth=4 sets max_depth",
                    "params[0] (max_depth) searches");
  EXPECT_THROW_WITH(make_job("bad-id", tuning, "c.yaml", {}, true, paths), InputError, "JOB");

  const auto training = jobs::parse_training_input("scaleTier: BASIC\n", "t.yaml");
  const std::vector<std::string> args = {"--project=p", "--name=n", "--cover-type=7"};
  EXPECT_THROW_WITH(make_job("run_1", training, "t.yaml", args, true, paths), InputError,
                    "t.yaml: trainingInput.hyperparameters is missing: a tuning job needs it");
  EXPECT_EQ(make_job("run_1", training, "t.yaml", args, false, paths).training_input["args"],
            nlohmann::json({"--project=p", "--name=n", "--cover-type=7", store}));
}

TEST(MakeJob, RefusesTrainerArgsEveryTrialWouldFailOn) {
  // Queued, each would run every trial to the same failure.
  TempDir dir;
  const auto paths = prepared_store(dir);
  const auto training = jobs::parse_training_input("scaleTier: BASIC\n", "t.yaml");
  auto submit = [&](std::vector<std::string> args) { return make_job("run_1", training, "t.yaml", args, false, paths); };
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type=0"}), InputError,
                    "trainer argument 3 after --: --cover-type=0", "expected a whole number from 1 to 7, found '0'");
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type", "two"}), InputError,
                    "trainer argument 3 after --: --cover-type", "found 'two'");
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type=1", "--test-fraction=1.5"}), InputError,
                    "--test-fraction");
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type=1", "--decision-threshold=high"}), InputError,
                    "--decision-threshold");
  EXPECT_THROW_WITH(submit({"--project=p", "--cover-type=1"}), InputError, "needs --name to know which prepared dataset",
                    "-- --project=mlops-workshop --name=run1 --cover-type=1");
  EXPECT_THROW_WITH(submit({}), InputError, "needs --project, --name, --cover-type");
  EXPECT_THROW_WITH(submit({"--project=", "--name=n", "--cover-type=1"}), InputError,
                    "trainer argument 1 after --: --project=: no value after '='");
  EXPECT_THROW_WITH(submit({"project=p", "--name=n", "--cover-type=1"}), InputError,
                    "trainer argument 1 after --: 'project=p': treeline's trainer (train-evaluate) takes no such "
                    "argument, only flags as --name=value; did you mean --project=p?");
  EXPECT_THROW_WITH(submit({"--project=p", "--name=nope", "--cover-type=1"}), InputError, "p/nope/datasets/cover_type_1",
                    "no prepared dataset for cover type 1", "treeline prepare");
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type=1", "--store=relative/store"}), InputError,
                    "trainer argument 4 after --: --store=relative/store: give the trainer an absolute path");
  const auto relative_in_config = jobs::parse_training_input("scaleTier: BASIC\nargs: ['--store=rel']\n", "t.yaml");
  EXPECT_THROW_WITH(make_job("run_1", relative_in_config, "t.yaml", {"--project=p", "--name=n", "--cover-type=1"},
                             false, paths),
                    InputError, "t.yaml: trainingInput.args[0]: --store=rel: give the trainer an absolute path");
  const auto with_project = jobs::parse_training_input("scaleTier: BASIC\nargs: ['--project=p']\n", "t.yaml");
  EXPECT_THROW_WITH(make_job("run_1", with_project, "t.yaml", {"--project=p", "--name=n", "--cover-type=1"}, false, paths),
                    InputError, "trainer argument 1 after --: --project=p sets --project, as t.yaml: trainingInput.args[0]",
                    "give it once");
  // The trainer reads the store its args name, and the job is checked against that one.
  EXPECT_THROW_WITH(submit({"--project=p", "--name=n", "--cover-type=1", "--store=" + (dir / "elsewhere").string()}),
                    InputError, "elsewhere/p/n/datasets/cover_type_1");
}

}  // namespace
}  // namespace treeline::pipeline
