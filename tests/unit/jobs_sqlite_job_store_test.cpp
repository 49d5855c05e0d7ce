// The SQLite job store: job ids, leases, trials within maxTrials, and what a second connection
// (another agent, or the same store after a restart) sees.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

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

// The default VFS, wrapped to count the syncs SQLite asks of the files it opens (the WAL's
// among them), made the default while it lives.
class SyncCountingVfs {
 public:
  SyncCountingVfs() : inner_(sqlite3_vfs_find(nullptr)) {
    vfs_ = *inner_;
    vfs_.zName = "sync_counting";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + inner_->szOsFile;
    vfs_.pAppData = this;
    vfs_.xOpen = &SyncCountingVfs::open;
    sqlite3_vfs_register(&vfs_, /*makeDflt=*/1);
  }
  ~SyncCountingVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(inner_, 1);
  }
  int syncs() const { return syncs_.load(); }

 private:
  // Our file, with the inner VFS's file right behind it in the same allocation.
  struct File {
    sqlite3_file base;
    SyncCountingVfs* owner;
    sqlite3_file* inner() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };
  static int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    auto* self = static_cast<SyncCountingVfs*>(vfs->pAppData);
    auto* f = reinterpret_cast<File*>(file);
    f->owner = self;
    const int rc = self->inner_->xOpen(self->inner_, name, f->inner(), flags, out_flags);
    if (rc != SQLITE_OK || f->inner()->pMethods == nullptr) {
      f->base.pMethods = nullptr;
      return rc;
    }
    // The inner file's methods, with xSync counted; one table per inner table (files of one VFS share it).
    self->methods_ = *f->inner()->pMethods;
    self->methods_.xSync = [](sqlite3_file* file, int sync_flags) {
      auto* f = reinterpret_cast<File*>(file);
      ++f->owner->syncs_;
      return f->inner()->pMethods->xSync(f->inner(), sync_flags);
    };
    forward_all(self->methods_);
    f->base.pMethods = &self->methods_;
    return rc;
  }
  // Every other method calls the inner file's.
  static void forward_all(sqlite3_io_methods& m) {
    m.xClose = [](sqlite3_file* f) { return inner(f)->pMethods->xClose(inner(f)); };
    m.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return inner(f)->pMethods->xRead(inner(f), b, n, o); };
    m.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      return inner(f)->pMethods->xWrite(inner(f), b, n, o);
    };
    m.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) { return inner(f)->pMethods->xTruncate(inner(f), n); };
    m.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) { return inner(f)->pMethods->xFileSize(inner(f), n); };
    m.xLock = [](sqlite3_file* f, int l) { return inner(f)->pMethods->xLock(inner(f), l); };
    m.xUnlock = [](sqlite3_file* f, int l) { return inner(f)->pMethods->xUnlock(inner(f), l); };
    m.xCheckReservedLock = [](sqlite3_file* f, int* r) { return inner(f)->pMethods->xCheckReservedLock(inner(f), r); };
    m.xFileControl = [](sqlite3_file* f, int op, void* a) { return inner(f)->pMethods->xFileControl(inner(f), op, a); };
    m.xSectorSize = [](sqlite3_file* f) { return inner(f)->pMethods->xSectorSize(inner(f)); };
    m.xDeviceCharacteristics = [](sqlite3_file* f) { return inner(f)->pMethods->xDeviceCharacteristics(inner(f)); };
    m.xShmMap = [](sqlite3_file* f, int r, int s, int e, void volatile** p) {
      return inner(f)->pMethods->xShmMap(inner(f), r, s, e, p);
    };
    m.xShmLock = [](sqlite3_file* f, int o, int n, int fl) { return inner(f)->pMethods->xShmLock(inner(f), o, n, fl); };
    m.xShmBarrier = [](sqlite3_file* f) { inner(f)->pMethods->xShmBarrier(inner(f)); };
    m.xShmUnmap = [](sqlite3_file* f, int d) { return inner(f)->pMethods->xShmUnmap(inner(f), d); };
    m.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return inner(f)->pMethods->xFetch(inner(f), o, n, p); };
    m.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) { return inner(f)->pMethods->xUnfetch(inner(f), o, p); };
  }
  static sqlite3_file* inner(sqlite3_file* f) { return reinterpret_cast<File*>(f)->inner(); }

  sqlite3_vfs* inner_;
  sqlite3_vfs vfs_{};
  sqlite3_io_methods methods_{};
  std::atomic<int> syncs_{0};
};

TEST(SqliteJobStore, AFinishedTrialIsOnDiskWhenFinishTrialReturns) {
  // "Never loses a finished trial" holds through a power cut only if the commit is synced to
  // the disk before finish_trial returns; so is a submitted job and a job's end.
  SyncCountingVfs counting;
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const AgentInfo agent = agent_named("agent");
  int before = counting.syncs();
  store.create_job(queued_job("study"));
  EXPECT_GT(counting.syncs(), before) << "a submitted job is synced";
  ASSERT_EQ(register_and_claim(store, agent, 30), std::vector<std::string>{"study"});
  const auto id = store.start_new_trial("study", agent.agent_id, {{"x", 1.0}}, 5);
  ASSERT_TRUE(id.has_value());
  Trial done;
  done.trial_id = *id;
  done.state = JobState::kSucceeded;
  done.final_metric = ReportedMetric{20, 0.7};
  before = counting.syncs();
  store.finish_trial("study", agent.agent_id, done);
  EXPECT_GT(counting.syncs(), before) << "a finished trial is";
  before = counting.syncs();
  store.set_job_state("study", agent.agent_id, JobState::kSucceeded, "");
  EXPECT_GT(counting.syncs(), before) << "a job's end is";
  SqliteJobStore other(dir / "jobs.sqlite");
  EXPECT_EQ(other.trials("study").at(0).final_metric->objective_value, 0.7);
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

TEST(SqliteJobStore, AnExitedAgentNotYetReapedIsDeadAtOnce) {
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
  // Its parent (init, for a real agent) may take a while to reap it; submit must not wait for
  // its lease to run out before starting another agent.
  const auto live = store.live_agents(30);
  EXPECT_TRUE(std::none_of(live.begin(), live.end(), [](const AgentInfo& a) { return a.agent_id == "agent-zombie"; }));
  const AgentInfo next = agent_named("agent-next");
  store.heartbeat(next);
  EXPECT_EQ(store.claim_jobs(next, 30).held, std::vector<std::string>{"study"}) << "its lease still runs, but it exited";
  ::waitpid(child, nullptr, 0);
}

TEST(SqliteJobStore, OpensAStoreMadeBeforeAgentsHadAnIdentity) {
  TempDir dir;
  {
    treeline::testing::make_store_without_process_key(dir / "jobs.sqlite");
    SqliteDatabase old(dir / "jobs.sqlite", SqliteDatabase::Mode::kReadWriteCreate);
    old.execute("INSERT INTO agents VALUES ('agent-old', 1, 'elsewhere', 0, 0)");
  }
  SqliteJobStore store(dir / "jobs.sqlite");
  store.heartbeat(agent_named("agent-new"));
  const auto live = store.live_agents(30);
  ASSERT_EQ(live.size(), 1u) << "the old row's lease ran out long ago";
  EXPECT_EQ(live[0].agent_id, "agent-new");
}

TEST(SqliteJobStore, ProcessesOpeningAnOldStoreAtOnceAddItsColumnOnce) {
  // Before the look and the ALTER shared a write lock, two openers could both find the column
  // missing, and the second failed with "duplicate column name". (The store here is in rollback
  // mode, as a new file is: its switch to WAL races the others' writes too.)
  TempDir dir;
  for (int round = 0; round < 10; ++round) {
    const auto path = dir / ("old-" + std::to_string(round) + ".sqlite");
    treeline::testing::make_store_without_process_key(path);
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::string first_failure;
    std::vector<std::thread> openers;
    for (int i = 0; i < 6; ++i)
      openers.emplace_back([&] {
        try {
          SqliteJobStore store(path);
        } catch (const std::exception& e) {
          ++failures;
          const std::lock_guard lock(mutex);
          first_failure = e.what();
        }
      });
    for (auto& t : openers) t.join();
    EXPECT_EQ(failures.load(), 0) << path << ": " << first_failure;
  }
}

TEST(SqliteJobStore, RefusesAnotherProgramsFileWithoutWritingToIt) {
  TempDir dir;
  const auto warehouse = dir / "warehouse.db";
  {
    SqliteDatabase db(warehouse, SqliteDatabase::Mode::kReadWriteCreate);
    db.execute("CREATE TABLE covertype (Elevation INTEGER); INSERT INTO covertype VALUES (2596)");
  }
  const auto before = treeline::testing::read_text(warehouse);
  for (StoreAccess access : {StoreAccess::kCreate, StoreAccess::kExisting})
    EXPECT_THROW_WITH(SqliteJobStore(warehouse, access), InputError,
                      "a SQLite database of something else (tables: covertype), not a treeline job store");
  EXPECT_EQ(treeline::testing::read_text(warehouse), before) << "no table added, journal mode unchanged";
  EXPECT_FALSE(std::filesystem::exists(dir / "warehouse.db-wal"));

  std::ofstream(dir / "rows.csv") << "Elevation\n2596\n";
  EXPECT_THROW_WITH(SqliteJobStore(dir / "rows.csv"), InputError, "rows.csv: not a SQLite database file");
  // An empty database is a new store to a submit, and nothing submitted to a reader.
  SqliteDatabase(dir / "empty.sqlite", SqliteDatabase::Mode::kReadWriteCreate);
  EXPECT_THROW_WITH(SqliteJobStore(dir / "empty.sqlite", StoreAccess::kExisting), InputError, "holds no jobs");
  EXPECT_NO_THROW(SqliteJobStore(dir / "empty.sqlite", StoreAccess::kCreate));
  EXPECT_NO_THROW(SqliteJobStore(dir / "empty.sqlite", StoreAccess::kExisting)) << "made by the submit above";
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
  EXPECT_EQ(store.find_job("study")->error_message, kCancelledByTheUser) << "jobs wait says why it ended";
  EXPECT_TRUE(store.claim_jobs(a, 30).held.empty());
}

TEST(SqliteJobStore, AStudyCompletesWithItsFollowUpUnlessACancelCameFirst) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  const AgentInfo a = agent_named("agent-a");
  for (const std::string id : {"done", "cancelled"}) {
    store.create_job(queued_job(id));
    ASSERT_FALSE(register_and_claim(store, a, 30).empty());
    store.set_job_state(id, a.agent_id, JobState::kRunning, "");
  }
  // A cancel that came as the last trial ended, after the agent's last look: no final training
  // is queued, and the job ends CANCELLED.
  ASSERT_EQ(store.request_cancel("cancelled"), JobState::kCancelling);
  EXPECT_FALSE(store.complete_study("cancelled", a.agent_id, queued_job("cancelled_final")));
  EXPECT_FALSE(store.find_job("cancelled_final").has_value());
  EXPECT_EQ(store.job_state("cancelled"), JobState::kCancelled);
  EXPECT_EQ(store.find_job("cancelled")->error_message, kCancelledByTheUser);

  EXPECT_TRUE(store.complete_study("done", a.agent_id, queued_job("done_final")));
  EXPECT_EQ(store.job_state("done"), JobState::kSucceeded);
  EXPECT_TRUE(store.find_job("done")->end_time.has_value());
  EXPECT_EQ(store.job_state("done_final"), JobState::kQueued);
  EXPECT_THROW(store.complete_study("done", a.agent_id, std::nullopt), LeaseLost) << "it has ended";
}

TEST(SqliteJobStore, ACancelOfAPreparingJobIsNotUndoneByItsAgentMovingOn) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  const AgentInfo a = agent_named("agent-a");
  ASSERT_EQ(register_and_claim(store, a, 30).size(), 1u);
  store.set_job_state("study", a.agent_id, JobState::kPreparing, "");
  EXPECT_TRUE(store.find_job("study")->start_time.has_value()) << "processing starts with PREPARING";
  EXPECT_EQ(store.request_cancel("study"), JobState::kCancelling) << "its agent stops what it started";
  EXPECT_FALSE(store.start_new_trial("study", a.agent_id, {}, 5).has_value()) << "nor does it start another";
  // The agent, not yet aware, starts the first trial and moves the job on.
  store.set_job_state("study", a.agent_id, JobState::kRunning, "");
  EXPECT_EQ(store.job_state("study"), JobState::kCancelling);
  store.set_job_state("study", a.agent_id, JobState::kCancelled, "cancelled by the user");
  EXPECT_EQ(store.job_state("study"), JobState::kCancelled);
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

TEST(SqliteJobStore, AnInterruptedTrialOfACancelledJobIsNotRunAgainAndEndsCancelled) {
  TempDir dir;
  SqliteJobStore store(dir / "jobs.sqlite");
  store.create_job(queued_job("study"));
  AgentInfo a = agent_named("agent-a");
  a.pid = exited_pid();  // dies with trial 1 running
  store.heartbeat(a);
  store.claim_jobs(a, 30);
  store.set_job_state("study", a.agent_id, JobState::kRunning, "");
  ASSERT_EQ(store.start_new_trial("study", a.agent_id, {{"x", 1.0}}, 2), 1);
  const AgentInfo b = agent_named("agent-b");
  store.heartbeat(b);
  ASSERT_EQ(store.claim_jobs(b, 30).taken, std::vector<std::string>{"study"});
  ASSERT_EQ(store.trials("study").front().state, JobState::kQueued) << "interrupted: to run again";
  EXPECT_EQ(store.request_cancel("study"), JobState::kCancelling);
  EXPECT_FALSE(store.restart_trial("study", b.agent_id, 1)) << "not in a job being cancelled";
  EXPECT_EQ(store.trials("study").front().state, JobState::kQueued);
  store.set_job_state("study", b.agent_id, JobState::kCancelled, "cancelled by the user");
  const Trial left = store.trials("study").front();
  EXPECT_EQ(left.state, JobState::kCancelled) << "a finished job holds no trial waiting to run";
  EXPECT_EQ(left.error_message, "the job ended before it ran again");
  EXPECT_TRUE(left.end_time.has_value());
}

}  // namespace
}  // namespace treeline::jobs
