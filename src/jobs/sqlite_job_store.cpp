#include "treeline/jobs/sqlite_job_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "treeline/common/error.h"
#include "treeline/jobs/agent_liveness.h"

namespace treeline::jobs {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS jobs (
  job_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  create_time REAL NOT NULL,
  start_time REAL,
  end_time REAL,
  state TEXT NOT NULL,
  error_message TEXT NOT NULL DEFAULT '',
  training_input TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '{}',
  owner TEXT,
  lease_until REAL
);
CREATE TABLE IF NOT EXISTS trials (
  job_id TEXT NOT NULL REFERENCES jobs(job_id),
  trial_id INTEGER NOT NULL,
  hyperparameters TEXT NOT NULL,
  state TEXT NOT NULL,
  final_step INTEGER,
  final_value REAL,
  all_metrics TEXT NOT NULL DEFAULT '[]',
  stopped_early INTEGER NOT NULL DEFAULT 0,
  start_time REAL,
  end_time REAL,
  error_message TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id, trial_id)
);
CREATE TABLE IF NOT EXISTS agents (
  agent_id TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started REAL NOT NULL,
  heartbeat REAL NOT NULL,
  process_key TEXT NOT NULL DEFAULT ''
);
)";

std::optional<double> optional_real(const SqliteStatement& s, int i) {
  if (s.is_null(i)) return std::nullopt;
  return s.column_double(i);
}

Job job_from_row(const SqliteStatement& s) {
  Job j;
  j.job_id = std::string(s.column_text(0));
  j.create_time = s.column_double(1);
  j.start_time = optional_real(s, 2);
  j.end_time = optional_real(s, 3);
  j.state = parse_job_state(std::string(s.column_text(4)));
  j.error_message = std::string(s.column_text(5));
  j.training_input = nlohmann::json::parse(s.column_text(6));
  j.labels = nlohmann::json::parse(s.column_text(7));
  return j;
}

constexpr const char* kJobColumns =
    "job_id, create_time, start_time, end_time, state, error_message, training_input, labels";

std::vector<ReportedMetric> metrics_from_json(std::string_view text) {
  std::vector<ReportedMetric> out;
  // [step, value] or [step, value, timestamp] (stores written before timestamps were kept have none).
  for (const auto& m : nlohmann::json::parse(text)) {
    ReportedMetric r{m.at(0).get<long>(), m.at(1).get<double>()};
    if (m.size() > 2 && m.at(2).is_number()) r.timestamp = m.at(2).get<double>();
    out.push_back(r);
  }
  return out;
}

std::string metrics_to_json(const std::vector<ReportedMetric>& metrics) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& m : metrics) {
    nlohmann::json row = {m.training_step, m.objective_value};
    if (m.timestamp) row.push_back(*m.timestamp);
    j.push_back(std::move(row));
  }
  return j.dump();
}

// The agents columns, in the order agent_from_row reads them.
constexpr const char* kAgentColumns =
    "agents.agent_id, agents.pid, agents.host, agents.started, agents.heartbeat, agents.process_key";

AgentInfo agent_from_row(const SqliteStatement& s) {
  return {std::string(s.column_text(0)), static_cast<long>(s.column_int(1)), std::string(s.column_text(2)),
          s.column_double(3),            s.column_double(4),                 std::string(s.column_text(5))};
}

// The folder the database goes in, made if missing; a path through a file (--store /etc/passwd)
// or without permission is the caller's input at fault.
const std::filesystem::path& with_folder(const std::filesystem::path& path) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw InputError(fmt::format("job store {}: cannot create the folder {}: {}", path.string(), folder.string(), ec.message()));
  return path;
}

// With kExisting nothing is made: a missing store is refused before its folder or file exist.
const std::filesystem::path& existing_or_new(const std::filesystem::path& path, StoreAccess access) {
  if (access == StoreAccess::kCreate) return with_folder(path);
  if (std::error_code ec; !std::filesystem::exists(path, ec))
    throw InputError(fmt::format("no job store at {}: nothing was submitted there. Check --store (the default, "
                                 "treeline-store, is relative to the current folder) or --jobs",
                                 path.string()));
  return path;
}

// SQLite opens any file and fails only at the first statement; a file that is not a database
// is named as such before anything is tried on it.
const std::filesystem::path& sqlite_or_new(const std::filesystem::path& path) {
  if (is_other_than_sqlite(path))
    throw InputError(fmt::format("job store {}: not a SQLite database file; check --store or --jobs", path.string()));
  return path;
}

// A database with tables but no `jobs` among them belongs to something else (a warehouse made by
// `data load`): adding the store's tables and WAL mode to it would change another program's file.
void check_is_job_store(SqliteDatabase& db, StoreAccess access) {
  std::vector<std::string> tables;
  bool has_jobs = false;
  for (auto s = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); s.step();) {
    tables.emplace_back(s.column_text(0));
    has_jobs |= tables.back() == "jobs";
  }
  if (has_jobs) return;
  if (!tables.empty())
    throw InputError(fmt::format("job store {}: a SQLite database of something else (tables: {}), not a treeline job "
                                 "store; give --jobs a file of its own",
                                 db.path().string(), fmt::join(tables, ", ")));
  if (access == StoreAccess::kExisting)
    throw InputError(fmt::format("job store {}: holds no jobs: nothing was submitted there. Check --store or --jobs",
                                 db.path().string()));
}

}  // namespace

SqliteJobStore::SqliteJobStore(const std::filesystem::path& path, StoreAccess access)
    : db_(sqlite_or_new(existing_or_new(path, access)), SqliteDatabase::Mode::kReadWriteCreate) {
  // Processes opening one store at once (the first submits, old stores) may find SQLite refusing
  // one of them at once where waiting could deadlock (one switching to WAL while another writes
  // the schema): every step of the setup can be repeated, so it starts over.
  for (int attempt = 1;; ++attempt) {
    try {
      set_up(access);
      return;
    } catch (const SqliteBusy&) {
      if (attempt == 20) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }
}

void SqliteJobStore::set_up(StoreAccess access) {
  check_is_job_store(db_, access);
  db_.execute("PRAGMA journal_mode=WAL");
  db_.execute("PRAGMA synchronous=FULL");
  db_.execute("PRAGMA foreign_keys=ON");
  db_.execute(kSchema);
  // A store made before agents recorded their process identity: add the column (old rows keep
  // '' and are judged by their heartbeat). Looked at again under the write lock before adding,
  // or two processes opening the old store at once would both add it.
  const auto has_process_key = [this] {
    for (auto info = db_.prepare("PRAGMA table_info(agents)"); info.step();)
      if (info.column_text(1) == "process_key") return true;
    return false;
  };
  if (!has_process_key()) {
    SqliteTransaction tx(db_);
    if (!has_process_key()) db_.execute("ALTER TABLE agents ADD COLUMN process_key TEXT NOT NULL DEFAULT ''");
    tx.commit();
  }
}

void SqliteJobStore::create_job(const Job& job) {
  validate_job_id(job.job_id, "job id");
  SqliteTransaction tx(db_);
  if (!insert_job(job)) throw InputError(fmt::format("job {} already exists; choose another job id", job.job_id));
  tx.commit();
}

bool SqliteJobStore::insert_job(const Job& job) {
  auto exists = db_.prepare("SELECT 1 FROM jobs WHERE job_id = ?");
  exists.bind(1, std::string_view(job.job_id));
  if (exists.step()) return false;
  auto insert = db_.prepare(
      "INSERT INTO jobs (job_id, seq, create_time, state, training_input, labels) "
      "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, ?, ?, ?)");
  insert.bind(1, std::string_view(job.job_id))
      .bind(2, job.create_time)
      .bind(3, std::string_view(to_string(job.state)))
      .bind(4, std::string_view(job.training_input.dump()))
      .bind(5, std::string_view(job.labels.dump()));
  insert.step();
  return true;
}

std::optional<Job> SqliteJobStore::find_job(const std::string& job_id) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM jobs WHERE job_id = ?", kJobColumns));
  s.bind(1, std::string_view(job_id));
  if (!s.step()) return std::nullopt;
  return job_from_row(s);
}

std::optional<JobState> SqliteJobStore::job_state(const std::string& job_id) {
  auto s = db_.prepare("SELECT state FROM jobs WHERE job_id = ?");
  s.bind(1, std::string_view(job_id));
  if (!s.step()) return std::nullopt;
  return parse_job_state(std::string(s.column_text(0)));
}

std::vector<Job> SqliteJobStore::list_jobs(std::optional<JobState> state) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM jobs WHERE ?1 IS NULL OR state = ?1 ORDER BY seq", kJobColumns));
  if (state) s.bind(1, std::string_view(to_string(*state)));
  else s.bind_null(1);
  std::vector<Job> out;
  while (s.step()) out.push_back(job_from_row(s));
  return out;
}

std::vector<Trial> SqliteJobStore::trials(const std::string& job_id) {
  auto s = db_.prepare(
      "SELECT trial_id, hyperparameters, state, final_step, final_value, all_metrics, stopped_early, start_time, "
      "end_time, error_message, attempts FROM trials WHERE job_id = ? ORDER BY trial_id");
  s.bind(1, std::string_view(job_id));
  std::vector<Trial> out;
  while (s.step()) {
    Trial t;
    t.trial_id = static_cast<int>(s.column_int(0));
    t.hyperparameters = assignment_from_json(nlohmann::json::parse(s.column_text(1)));
    t.state = parse_job_state(std::string(s.column_text(2)));
    if (!s.is_null(3) && !s.is_null(4)) t.final_metric = ReportedMetric{s.column_int(3), s.column_double(4)};
    t.all_metrics = metrics_from_json(s.column_text(5));
    t.stopped_early = s.column_int(6) != 0;
    t.start_time = optional_real(s, 7);
    t.end_time = optional_real(s, 8);
    t.error_message = std::string(s.column_text(9));
    t.attempts = static_cast<int>(s.column_int(10));
    out.push_back(std::move(t));
  }
  return out;
}

JobState SqliteJobStore::request_cancel(const std::string& job_id) {
  SqliteTransaction tx(db_);
  auto s = db_.prepare("SELECT state FROM jobs WHERE job_id = ?");
  s.bind(1, std::string_view(job_id));
  if (!s.step()) throw InputError(fmt::format("job {}: no such job in this job store", job_id));
  const JobState state = parse_job_state(std::string(s.column_text(0)));
  if (is_terminal(state))
    throw InputError(fmt::format("job {} already ended ({}); there is nothing to cancel", job_id, to_string(state)));
  const JobState next = state == JobState::kQueued ? JobState::kCancelled : JobState::kCancelling;
  if (state != JobState::kCancelling) {
    // A job cancelled before it ran belongs to nobody: an agent that had just claimed it must
    // not start it (its next step finds the job gone).
    auto u = db_.prepare(
        "UPDATE jobs SET state = ?1, end_time = CASE WHEN ?2 THEN ?3 ELSE end_time END, "
        "error_message = CASE WHEN ?2 THEN ?5 ELSE error_message END, "
        "owner = CASE WHEN ?2 THEN NULL ELSE owner END, lease_until = CASE WHEN ?2 THEN NULL ELSE lease_until END "
        "WHERE job_id = ?4");
    u.bind(1, std::string_view(to_string(next)))
        .bind(2, static_cast<std::int64_t>(next == JobState::kCancelled))
        .bind(3, now_seconds())
        .bind(4, std::string_view(job_id))
        .bind(5, std::string_view(kCancelledByTheUser));
    u.step();
  }
  tx.commit();
  return next;
}

void SqliteJobStore::heartbeat(const AgentInfo& agent) {
  auto s = db_.prepare(
      "INSERT INTO agents (agent_id, pid, host, started, heartbeat, process_key) VALUES (?, ?, ?, ?, ?, ?) "
      "ON CONFLICT(agent_id) DO UPDATE SET heartbeat = excluded.heartbeat");
  s.bind(1, std::string_view(agent.agent_id))
      .bind(2, static_cast<std::int64_t>(agent.pid))
      .bind(3, std::string_view(agent.host))
      .bind(4, agent.started)
      .bind(5, agent.heartbeat)
      .bind(6, std::string_view(agent.process_key));
  s.step();
}

void SqliteJobStore::remove_agent(const std::string& agent_id) {
  auto s = db_.prepare("DELETE FROM agents WHERE agent_id = ?");
  s.bind(1, std::string_view(agent_id));
  s.step();
}

std::vector<SqliteJobStore::OpenJob> SqliteJobStore::open_jobs(const std::string& agent_id, double lease_seconds) {
  const double now = now_seconds();
  auto s = db_.prepare(
      "SELECT job_id, owner FROM jobs WHERE state IN ('QUEUED', 'PREPARING', 'RUNNING', 'CANCELLING') ORDER BY seq");
  std::vector<OpenJob> jobs;
  while (s.step()) jobs.push_back({std::string(s.column_text(0)), s.column_optional_text(1)});
  for (auto& job : jobs)
    job.claimable = !job.owner || *job.owner == agent_id || !agent_alive(*job.owner, lease_seconds, now);
  return jobs;
}

bool SqliteJobStore::retire_agent_if_idle(const std::string& agent_id, double lease_seconds) {
  SqliteTransaction tx(db_);
  for (const auto& job : open_jobs(agent_id, lease_seconds))
    if (job.claimable) return false;
  auto d = db_.prepare("DELETE FROM agents WHERE agent_id = ?");
  d.bind(1, std::string_view(agent_id));
  d.step();
  tx.commit();
  return true;
}

bool SqliteJobStore::agent_alive(const std::string& agent_id, double lease_seconds, double now) {
  auto s = db_.prepare(fmt::format("SELECT {} FROM agents WHERE agent_id = ?", kAgentColumns));
  s.bind(1, std::string_view(agent_id));
  return s.step() && jobs::agent_alive(agent_from_row(s), lease_seconds, now);
}

std::vector<AgentInfo> SqliteJobStore::live_agents(double lease_seconds) {
  const double now = now_seconds();
  auto s = db_.prepare(fmt::format("SELECT {} FROM agents ORDER BY started", kAgentColumns));
  std::vector<AgentInfo> all;
  while (s.step()) all.push_back(agent_from_row(s));
  std::vector<AgentInfo> out;
  for (const auto& a : all)
    if (jobs::agent_alive(a, lease_seconds, now)) out.push_back(a);
  return out;
}

std::optional<AgentInfo> SqliteJobStore::job_owner(const std::string& job_id) {
  auto s = db_.prepare(fmt::format(
      "SELECT {}, jobs.owner FROM jobs LEFT JOIN agents ON agents.agent_id = jobs.owner "
      "WHERE jobs.job_id = ? AND jobs.owner IS NOT NULL "
      "AND jobs.state IN ('QUEUED', 'PREPARING', 'RUNNING', 'CANCELLING')",
      kAgentColumns));
  s.bind(1, std::string_view(job_id));
  if (!s.step()) return std::nullopt;
  if (!s.column_optional_text(0)) {  // unregistered since
    AgentInfo gone;
    gone.agent_id = s.column_text(6);
    return gone;
  }
  return agent_from_row(s);
}

JobStore::Claimed SqliteJobStore::claim_jobs(const AgentInfo& agent, double lease_seconds) {
  const double now = now_seconds();
  SqliteTransaction tx(db_);
  Claimed claimed;
  for (const auto& [job_id, owner, claimable] : open_jobs(agent.agent_id, lease_seconds)) {
    if (!claimable) continue;
    if (owner == agent.agent_id) {
      claimed.held.push_back(job_id);
      continue;
    }
    // Trials that were running under a dead owner were interrupted: queue them to run again.
    auto requeue = db_.prepare("UPDATE trials SET state = 'QUEUED' WHERE job_id = ? AND state = 'RUNNING'");
    requeue.bind(1, std::string_view(job_id));
    requeue.step();
    auto take = db_.prepare("UPDATE jobs SET owner = ? WHERE job_id = ?");
    take.bind(1, std::string_view(agent.agent_id)).bind(2, std::string_view(job_id));
    take.step();
    claimed.held.push_back(job_id);
    claimed.taken.push_back(job_id);
  }
  auto renew = db_.prepare("UPDATE jobs SET lease_until = ? WHERE owner = ?");
  renew.bind(1, now + lease_seconds).bind(2, std::string_view(agent.agent_id));
  renew.step();
  tx.commit();
  return claimed;
}

void SqliteJobStore::release_job(const std::string& job_id, const std::string& agent_id) {
  auto s = db_.prepare("UPDATE jobs SET owner = NULL, lease_until = NULL WHERE job_id = ? AND owner = ?");
  s.bind(1, std::string_view(job_id)).bind(2, std::string_view(agent_id));
  s.step();
}

JobState SqliteJobStore::check_owner(const std::string& job_id, const std::string& agent_id) {
  auto s = db_.prepare("SELECT owner, state FROM jobs WHERE job_id = ?");
  s.bind(1, std::string_view(job_id));
  if (!s.step() || s.is_null(0) || s.column_text(0) != agent_id)
    throw LeaseLost(fmt::format("job {} is no longer owned by agent {}", job_id, agent_id));
  const JobState state = parse_job_state(std::string(s.column_text(1)));
  if (is_terminal(state)) throw LeaseLost(fmt::format("job {} has ended ({})", job_id, s.column_text(1)));
  return state;
}

namespace {

// The trial is not in the state this agent last saw: the job was taken over and given back
// meanwhile (its running trials requeued), so the agent's view of it is stale.
[[noreturn]] void throw_stale_trial(const std::string& job_id, int trial_id) {
  throw LeaseLost(fmt::format("job {}: trial {} changed under this agent (the job was taken over meanwhile)", job_id,
                              trial_id));
}

}  // namespace

void SqliteJobStore::set_job_state(const std::string& job_id, const std::string& agent_id, JobState state,
                                   const std::string& error_message) {
  SqliteTransaction tx(db_);
  check_owner(job_id, agent_id);
  write_state(job_id, state, error_message);
  tx.commit();
}

void SqliteJobStore::write_state(const std::string& job_id, JobState state, const std::string& error_message) {
  const double now = now_seconds();
  auto s = db_.prepare(
      "UPDATE jobs SET state = ?1, error_message = CASE WHEN ?2 = '' THEN error_message ELSE ?2 END, "
      "start_time = CASE WHEN ?1 IN ('PREPARING', 'RUNNING') AND start_time IS NULL THEN ?3 ELSE start_time END, "
      "end_time = CASE WHEN ?1 IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN ?3 ELSE end_time END, "
      "owner = CASE WHEN ?1 IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN NULL ELSE owner END "
      "WHERE job_id = ?4 AND NOT (state = 'CANCELLING' AND ?1 IN ('QUEUED', 'PREPARING', 'RUNNING'))");
  s.bind(1, std::string_view(to_string(state)))
      .bind(2, std::string_view(error_message))
      .bind(3, now)
      .bind(4, std::string_view(job_id));
  s.step();
  if (is_terminal(state)) cancel_queued_trials(job_id, now);
}

void SqliteJobStore::cancel_queued_trials(const std::string& job_id, double now) {
  // Trials an interruption queued to run again, which the job ended before rerunning.
  auto left = db_.prepare(
      "UPDATE trials SET state = 'CANCELLED', end_time = ?, error_message = 'the job ended before it ran again' "
      "WHERE job_id = ? AND state = 'QUEUED'");
  left.bind(1, now).bind(2, std::string_view(job_id));
  left.step();
}

bool SqliteJobStore::complete_study(const std::string& job_id, const std::string& agent_id,
                                    const std::optional<Job>& follow_up) {
  if (follow_up) validate_job_id(follow_up->job_id, "job id");
  SqliteTransaction tx(db_);
  const bool cancelled = check_owner(job_id, agent_id) == JobState::kCancelling;
  if (follow_up && !cancelled) (void)insert_job(*follow_up);
  write_state(job_id, cancelled ? JobState::kCancelled : JobState::kSucceeded, cancelled ? kCancelledByTheUser : "");
  tx.commit();
  return !cancelled;
}

std::optional<int> SqliteJobStore::start_new_trial(const std::string& job_id, const std::string& agent_id,
                                                   const tuning::Assignment& params, int max_trials) {
  SqliteTransaction tx(db_);
  if (check_owner(job_id, agent_id) == JobState::kCancelling) return std::nullopt;
  auto count = db_.prepare("SELECT COUNT(*) FROM trials WHERE job_id = ?");
  count.bind(1, std::string_view(job_id));
  count.step();
  const int n = static_cast<int>(count.column_int(0));
  if (n >= max_trials) return std::nullopt;
  auto insert = db_.prepare(
      "INSERT INTO trials (job_id, trial_id, hyperparameters, state, start_time, attempts) "
      "VALUES (?, ?, ?, 'RUNNING', ?, 1)");
  insert.bind(1, std::string_view(job_id))
      .bind(2, static_cast<std::int64_t>(n + 1))
      .bind(3, std::string_view(assignment_to_json(params).dump()))
      .bind(4, now_seconds());
  insert.step();
  tx.commit();
  return n + 1;
}

bool SqliteJobStore::restart_trial(const std::string& job_id, const std::string& agent_id, int trial_id) {
  SqliteTransaction tx(db_);
  if (check_owner(job_id, agent_id) == JobState::kCancelling) return false;
  auto s = db_.prepare(
      "UPDATE trials SET state = 'RUNNING', start_time = ?, attempts = attempts + 1, all_metrics = '[]' "
      "WHERE job_id = ? AND trial_id = ? AND state = 'QUEUED'");
  s.bind(1, now_seconds()).bind(2, std::string_view(job_id)).bind(3, static_cast<std::int64_t>(trial_id));
  s.step();
  if (db_.changes() == 0) throw_stale_trial(job_id, trial_id);
  tx.commit();
  return true;
}

void SqliteJobStore::record_metrics(const std::string& job_id, const std::string& agent_id, int trial_id,
                                    const std::vector<ReportedMetric>& all_metrics) {
  SqliteTransaction tx(db_);
  check_owner(job_id, agent_id);
  auto s = db_.prepare("UPDATE trials SET all_metrics = ? WHERE job_id = ? AND trial_id = ? AND state = 'RUNNING'");
  s.bind(1, std::string_view(metrics_to_json(all_metrics)))
      .bind(2, std::string_view(job_id))
      .bind(3, static_cast<std::int64_t>(trial_id));
  s.step();
  if (db_.changes() == 0) throw_stale_trial(job_id, trial_id);
  tx.commit();
}

void SqliteJobStore::finish_trial(const std::string& job_id, const std::string& agent_id, const Trial& trial) {
  SqliteTransaction tx(db_);
  check_owner(job_id, agent_id);
  auto s = db_.prepare(
      "UPDATE trials SET state = ?, final_step = ?, final_value = ?, all_metrics = ?, stopped_early = ?, "
      "end_time = ?, error_message = ? WHERE job_id = ? AND trial_id = ? AND state = 'RUNNING'");
  s.bind(1, std::string_view(to_string(trial.state)));
  if (trial.final_metric) s.bind(2, static_cast<std::int64_t>(trial.final_metric->training_step)).bind(3, trial.final_metric->objective_value);
  else s.bind_null(2).bind_null(3);
  s.bind(4, std::string_view(metrics_to_json(trial.all_metrics)))
      .bind(5, static_cast<std::int64_t>(trial.stopped_early))
      .bind(6, trial.end_time.value_or(now_seconds()))
      .bind(7, std::string_view(trial.error_message))
      .bind(8, std::string_view(job_id))
      .bind(9, static_cast<std::int64_t>(trial.trial_id));
  s.step();
  if (db_.changes() == 0) throw_stale_trial(job_id, trial.trial_id);
  tx.commit();
}

}  // namespace treeline::jobs
