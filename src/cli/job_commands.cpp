#include <fmt/format.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>
#include <utility>

#include "treeline/cli/commands.h"
#include "treeline/cli/common_flags.h"
#include "treeline/common/error.h"
#include "treeline/common/spelling.h"
#include "treeline/executors/local_executor.h"
#include "treeline/jobs/agent.h"
#include "treeline/jobs/agent_launcher.h"
#include "treeline/jobs/job_layout.h"
#include "treeline/jobs/job_store.h"
#include "treeline/jobs/resumed_study.h"
#include "treeline/jobs/stalled_job.h"
#include "treeline/jobs/training_input.h"
#include "treeline/pipeline/default_trainer.h"
#include "treeline/pipeline/submit.h"

namespace treeline::cli {
namespace {

constexpr double kLeaseSeconds = 10;

// Starts an agent when none serves the store, and says so when the one started does not show up
// (once, with `noted`, however often a waiting command tries again).
void start_agent_if_needed(jobs::JobStore& store, const jobs::PlatformPaths& paths, bool* noted = nullptr) {
  if (jobs::ensure_agent(store, paths, jobs::self_executable(), kLeaseSeconds) != jobs::AgentStart::kNotRegistered)
    return;
  if (noted != nullptr && std::exchange(*noted, true)) return;
  fmt::print(stderr,
             "treeline: note: the agent started for {} has not registered after {} s; if jobs stay QUEUED, see {} "
             "(or start one: treeline agent --store {})\n",
             paths.store_root.string(), jobs::kAgentRegistrationWait.count(), paths.agent_log.string(),
             paths.store_root.string());
}

struct PlatformFlags {
  std::string store = default_store();
  std::string jobs;
  void add_to(CLI::App& app) {
    app.add_option("--store", store, "artifact store directory (jobs live in STORE/jobs.sqlite)")
        ->capture_default_str()
        ->check(non_empty_path());
    app.add_option("--jobs", jobs, "job store, sqlite:PATH (default: STORE/jobs.sqlite)");
  }
  jobs::PlatformPaths paths() const { return jobs::platform_paths(store, jobs); }
  // The flags another command needs to find the same jobs, as a shell reads them: empty for the
  // defaults.
  std::string as_flags() const {
    auto quoted = [](const std::string& text) {
      const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || std::string_view("_./:=+,@%-").find(static_cast<char>(c)) != std::string_view::npos;
      });
      if (plain) return text;
      std::string out = "'";
      for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      return out + "'";
    };
    std::string flags;
    if (store != default_store()) flags += " --store " + quoted(store);
    if (!jobs.empty()) flags += " --jobs " + quoted(jobs);
    return flags;
  }
};

YAML::Node to_yaml(const nlohmann::json& j) {
  YAML::Node n;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) n[k] = to_yaml(v);
  } else if (j.is_array()) {
    n = YAML::Node(YAML::NodeType::Sequence);
    for (const auto& v : j) n.push_back(to_yaml(v));
  } else if (j.is_string()) {
    n = j.get<std::string>();
  } else if (j.is_boolean()) {
    n = j.get<bool>();
  } else if (j.is_number_integer()) {
    n = j.get<long long>();
  } else if (j.is_number()) {
    // As the JSON format prints it (the shortest text that reads back the same: 0.3, not
    // yaml-cpp's 0.29999999999999999), with a dot before any exponent, which YAML 1.1 readers
    // (PyYAML) need to see a float.
    std::string text = j.dump();
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
    else if (const auto e = text.find_first_of("eE"); e != std::string::npos && text.find('.') == std::string::npos)
      text.insert(e, ".0");
    n = text;  // emitted plain, as YAML reads a number
  }
  return n;
}

// The tuning job that queues job `id` when it succeeds (submit names its final training jobs
// before they exist), if any.
std::optional<jobs::Job> job_that_queues(jobs::JobStore& store, const std::string& id) {
  for (auto& job : store.list_jobs(std::nullopt))
    if (jobs::follow_up_job_id(job) == id) return std::move(job);
  return std::nullopt;
}

// The job, or an InputError saying why there is none; for a final job not queued yet, `advice`
// (given its tuning job) says what to do meanwhile.
jobs::Job require_job(
    jobs::JobStore& store, const std::string& id,
    const std::function<std::string(const jobs::Job& queuer)>& advice = [](const jobs::Job& queuer) {
      return fmt::format(" (`treeline jobs wait {}` waits for both)", *jobs::follow_up_job_id(queuer));
    }) {
  if (auto job = store.find_job(id)) return *job;
  const auto queuer = job_that_queues(store, id);
  if (!queuer) throw InputError(fmt::format("job {}: no such job in this job store (see `treeline jobs list`)", id));
  if (jobs::is_terminal(queuer->state))
    throw InputError(fmt::format("job {} was never queued: tuning job {}, which queues it when it succeeds, ended {}{}{}",
                                 id, queuer->job_id, jobs::to_string(queuer->state),
                                 queuer->error_message.empty() ? "" : ": ", queuer->error_message));
  throw InputError(fmt::format("job {} does not exist yet: tuning job {} ({}) queues it when it succeeds{}", id,
                               queuer->job_id, jobs::to_string(queuer->state), advice(*queuer)));
}

// --config's file, checked here rather than by CLI11, which skips a default value (submit's).
jobs::TrainingInput load_config(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::is_regular_file(status))
    throw InputError(fmt::format("--config {}: {}; expected AI Platform's trainingInput YAML, such as "
                                 "config/aip_config.yaml in treeline's source tree",
                                 path,
                                 !std::filesystem::exists(status)        ? "no such file"
                                 : std::filesystem::is_directory(status) ? "a folder"
                                                                         : "not a regular file"));
  return jobs::load_training_input(path);
}

// One line on stderr for the jobs one cause holds: the first job, then the others likewise held.
void print_note(const std::vector<jobs::Job>& held, const std::string& note) {
  if (held.empty()) return;
  std::string others;
  for (std::size_t i = 1; i < held.size(); ++i)
    others += fmt::format("{}{} ({})", i == 1 ? "" : ", ", held[i].job_id, jobs::to_string(held[i].state));
  fmt::print(stderr, "treeline: note: job {} is {} and {}.{}\n", held.front().job_id,
             jobs::to_string(held.front().state), note,
             others.empty() ? "" : fmt::format(" Likewise job{} {}.", held.size() > 2 ? "s" : "", others));
}

// Prints on stderr what holds an unfinished job nobody moves, unless `last` said the same;
// returns the note.
std::optional<jobs::StalledNote> print_stalled_note(jobs::JobStore& store, const jobs::Job& job,
                                                    const std::optional<jobs::StalledNote>& last) {
  const auto note = jobs::stalled_job_note(store, job, kLeaseSeconds);
  if (!note) return std::nullopt;
  if (!jobs::same_cause(*note, last)) {
    jobs::Job as_read = job;
    as_read.state = note->state;  // the state read with the note, not the caller's older copy
    print_note({as_read}, note->text);
  }
  return note;
}

void add_submit(CLI::App& app) {
  struct Flags {
    std::string project, name, config = bundled_file("config/aip_config.yaml"), cover_types;
    DataFlags source;
    std::uint64_t seed = 42;
    double test_fraction = 0.2, validation_fraction = pipeline::kDefaultValidationFraction;
    std::string decision_threshold = "tune";
    bool detach = false, json = false;
    PlatformFlags platform;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "submit", "tune every cover type in parallel, then train each with its best hyperparameters (run_aip.py)");
  cmd->add_option("PROJECT", f->project)->required();
  cmd->add_option("NAME", f->name)->required();
  cmd->add_option("--config", f->config, "AI Platform trainingInput YAML")->capture_default_str();
  f->source.add_to(*cmd);
  cmd->add_option("--cover-types", f->cover_types, "comma-separated subset, e.g. 1,3,5 (default: all seven)");
  cmd->add_option("--seed", f->seed, "seed of the split")->check(seed_check())->capture_default_str();
  cmd->add_option("--test-fraction", f->test_fraction, "share of rows in the test split")->capture_default_str();
  cmd->add_option("--validation-fraction", f->validation_fraction, "share of the training split the trials evaluate on")
      ->capture_default_str();
  cmd->add_option("--decision-threshold", f->decision_threshold,
                  "tune: each trial tunes the probability from which a row counts as positive for the metric, on "
                  "its validation split, and the final model takes its best trial's; or a fixed number")
      ->capture_default_str();
  cmd->add_flag("--detach", f->detach, "return once the jobs are queued");
  cmd->add_flag("--json", f->json, "print one JSON document on stdout");
  f->platform.add_to(*cmd);
  cmd->callback([f, cmd] {
    pipeline::SubmitRequest request;
    request.project = f->project;
    request.name = f->name;
    request.data = f->source.data;
    request.query = f->source.query;
    request.config_path = f->config;
    if (cmd->count("--cover-types") > 0) request.cover_types = parse_cover_types(f->cover_types);
    request.split.seed = f->seed;
    request.split.test_fraction = f->test_fraction;
    request.validation_fraction = f->validation_fraction;
    request.decision_threshold = f->decision_threshold;
    const auto paths = f->platform.paths();
    const auto input = load_config(f->config);  // before the store: a bad config leaves no trace
    auto store = jobs::open_job_store(paths.jobs_spec);
    for (const auto& note : input.notes) fmt::print(stderr, "treeline: note: {}\n", note);
    const auto submitted = pipeline::submit_tuning_jobs(request, input, *store, paths);
    bool agent_noted = false;
    start_agent_if_needed(*store, paths, &agent_noted);
    if (f->detach) {
      for (const auto& s : submitted)
        fmt::print("cover type {}: tuning job {} (then final job {})\n", s.cover_type, s.tuning_job_id, s.final_job_id);
      return;
    }
    // The ids, so a user can follow a study (`jobs logs JOB --follow`) while this waits; on
    // stderr, as stdout is the table or the --json document.
    for (const auto& s : submitted)
      fmt::print(stderr, "treeline: cover type {}: tuning job {} (then final job {})\n", s.cover_type, s.tuning_job_id,
                 s.final_job_id);
    pipeline::WaitOptions waiting;
    if (stderr_is_terminal())
      waiting.on_change = [](const std::string& change) { fmt::print(stderr, "treeline: {}\n", change); };
    waiting.on_stalled = print_note;
    waiting.keep_agent = [&] { start_agent_if_needed(*store, paths, &agent_noted); };
    waiting.lease_seconds = kLeaseSeconds;
    const auto results = pipeline::wait_for_tuned_models(*store, submitted, waiting);
    if (f->json)
      std::cout << pipeline::tuned_results_to_json(results).dump() << "\n";
    else
      std::cout << pipeline::tuned_results_to_table(results);
    for (const auto& r : results)
      if (r.state != "SUCCEEDED" || !r.error.empty())
        throw Error(fmt::format("cover type {}: {} {}", r.cover_type, r.state, r.error));
  });
}

void add_job_submit(CLI::App& jobs_cmd, const std::string& verb, bool require_tuning) {
  struct Flags {
    std::string job_id, config;
    std::vector<std::string> args;
    bool no_agent = false;
    PlatformFlags platform;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = jobs_cmd.add_subcommand(
      verb, require_tuning ? "queue a hyperparameter-tuning job" : "queue a training (or, with hyperparameters, tuning) job");
  cmd->add_option("JOB", f->job_id, "job id: letters, digits and underscores")->required();
  cmd->add_option("--config", f->config, "AI Platform trainingInput YAML")->required();
  cmd->add_option("ARGS", f->args, "after --: more arguments for the trainer");
  cmd->add_flag("--no-agent", f->no_agent, "only queue the job; an agent started separately runs it");
  f->platform.add_to(*cmd);
  cmd->callback([f, require_tuning] {
    const auto input = load_config(f->config);
    const auto paths = f->platform.paths();
    const jobs::Job job = pipeline::make_job(f->job_id, input, f->config, f->args, require_tuning, paths);
    // Opened only now, so a config refused above leaves no job store behind.
    auto store = jobs::open_job_store(paths.jobs_spec);
    try {
      (void)jobs::resumed_history(*store, input);  // the agent checks again when it takes the job up
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", f->config, e.what()));
    }
    store->create_job(job);
    for (const auto& note : input.notes) fmt::print(stderr, "treeline: note: {}\n", note);
    if (!f->no_agent) start_agent_if_needed(*store, paths);
    fmt::print("Job [{0}] submitted successfully.\nYour job is still active. You may view its status with\n"
               "  $ treeline jobs describe {0}{1}\nor follow its logs with\n  $ treeline jobs logs {0} --follow{1}\n",
               f->job_id, f->platform.as_flags());
  });
}

void add_jobs(CLI::App& app) {
  CLI::App* jobs_cmd = app.add_subcommand("jobs", "training and tuning jobs");
  jobs_cmd->require_subcommand(1);
  add_job_submit(*jobs_cmd, "submit-training", false);
  add_job_submit(*jobs_cmd, "submit-tuning", true);

  {
    struct Flags {
      std::string state;
      std::vector<std::string> sort_by;
      int limit = 0;
      PlatformFlags platform;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = jobs_cmd->add_subcommand("list", "list jobs, oldest first");
    cmd->add_option("--state", f->state, "only jobs in this state, e.g. RUNNING");
    cmd->add_option("--sort-by", f->sort_by,
                    "as gcloud's: fields jobId, createTime or state, comma-separated, each ascending or, with ~ in "
                    "front, descending (~createTime: newest first)")
        ->delimiter(',');
    cmd->add_option("--limit", f->limit, "at most this many jobs (after sorting)")->check(whole_number(1, kMaxInt));
    f->platform.add_to(*cmd);
    cmd->callback([f] {
      std::optional<jobs::JobState> state;
      if (!f->state.empty()) state = jobs::parse_job_state(f->state);
      // Each sort key: its field's rank between two jobs (<0, 0, >0), and whether it is reversed.
      using Compare = int (*)(const jobs::Job&, const jobs::Job&);
      std::vector<std::pair<Compare, bool>> keys;
      for (const std::string& given : f->sort_by) {
        const bool descending = given.starts_with('~');
        const std::string field = descending ? given.substr(1) : given;
        Compare compare = nullptr;
        if (field == "jobId") compare = [](const jobs::Job& a, const jobs::Job& b) { return a.job_id.compare(b.job_id); };
        if (field == "createTime")
          compare = [](const jobs::Job& a, const jobs::Job& b) { return (a.create_time > b.create_time) - (a.create_time < b.create_time); };
        if (field == "state")
          compare = [](const jobs::Job& a, const jobs::Job& b) { return jobs::to_string(a.state).compare(jobs::to_string(b.state)); };
        if (compare == nullptr) {
          const auto meant = closest_spelling(field, {"jobId", "createTime", "state"});
          throw InputError(fmt::format("--sort-by {}: {}expected jobId, createTime or state, each with ~ in front for "
                                       "descending order",
                                       given, meant ? fmt::format("did you mean {}? ", *meant) : ""));
        }
        keys.emplace_back(compare, descending);
      }
      auto store = jobs::open_job_store(f->platform.paths().jobs_spec, jobs::StoreAccess::kExisting);
      auto listed = store->list_jobs(state);
      std::stable_sort(listed.begin(), listed.end(), [&](const jobs::Job& a, const jobs::Job& b) {
        for (const auto& [compare, descending] : keys)
          if (const int order = compare(a, b); order != 0) return descending ? order > 0 : order < 0;
        return false;
      });
      if (f->limit > 0 && listed.size() > static_cast<std::size_t>(f->limit)) listed.resize(static_cast<std::size_t>(f->limit));
      std::size_t width = 6;  // JOB_ID
      for (const auto& j : listed) width = std::max(width, j.job_id.size());
      fmt::print("{:<{}}  {:<11} {}\n", "JOB_ID", width, "STATUS", "CREATED");
      for (const auto& j : listed)
        fmt::print("{:<{}}  {:<11} {}\n", j.job_id, width, jobs::to_string(j.state), jobs::format_time(j.create_time));
    });
  }
  {
    struct Flags {
      std::string job_id, format = "yaml";
      PlatformFlags platform;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = jobs_cmd->add_subcommand("describe", "show a job as AI Platform's Job resource");
    cmd->add_option("JOB", f->job_id)->required();
    cmd->add_option("--format", f->format, "json or yaml")->check(CLI::IsMember({"json", "yaml"}, CLI::ignore_case))->capture_default_str();
    f->platform.add_to(*cmd);
    cmd->callback([f] {
      auto store = jobs::open_job_store(f->platform.paths().jobs_spec, jobs::StoreAccess::kExisting);
      const auto job = require_job(*store, f->job_id);
      const auto doc = jobs::to_json(job, store->trials(f->job_id));
      if (f->format.size() == 4 && ::strncasecmp(f->format.c_str(), "json", 4) == 0) {
        std::cout << doc.dump(2) << "\n";
      } else {
        YAML::Emitter out;
        out << to_yaml(doc);
        std::cout << out.c_str() << "\n";
      }
      // Read after the resource: the note's state may be newer than the one printed above.
      print_stalled_note(*store, job, std::nullopt);
    });
  }
  {
    struct Flags {
      std::string job_id;
      PlatformFlags platform;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = jobs_cmd->add_subcommand("wait", "wait until a job ends; exit status 0 only when it succeeded");
    cmd->add_option("JOB", f->job_id)->required();
    f->platform.add_to(*cmd);
    cmd->callback([f] {
      auto store = jobs::open_job_store(f->platform.paths().jobs_spec, jobs::StoreAccess::kExisting);
      std::optional<jobs::StalledNote> last_note;
      std::optional<std::string> queuer_id;  // found once: each later look reads that job alone
      for (int round = 0;; ++round) {
        if (!store->find_job(f->job_id)) {
          // A final training job named before it exists: wait for the tuning job that queues it.
          const auto queuer = queuer_id ? store->find_job(*queuer_id) : job_that_queues(*store, f->job_id);
          if (!queuer || jobs::is_terminal(queuer->state)) {
            require_job(*store, f->job_id);  // throws why, unless it was queued just now
            continue;
          }
          if (!queuer_id) {
            queuer_id = queuer->job_id;
            fmt::print(stderr, "treeline: job {} is queued when tuning job {} succeeds; waiting for that first\n",
                       f->job_id, queuer->job_id);
          }
          if (round % 25 == 0) last_note = print_stalled_note(*store, *queuer, last_note);
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        const auto job = require_job(*store, f->job_id);
        if (jobs::is_terminal(job.state)) {
          fmt::print("{} {}\n", job.job_id, jobs::to_string(job.state));
          if (job.state != jobs::JobState::kSucceeded)
            throw Error(fmt::format("job {} {}: {}", job.job_id, jobs::to_string(job.state), job.error_message));
          return;
        }
        // Rather than wait in silence for a job nobody moves, say why, once per change.
        if (round % 25 == 0) last_note = print_stalled_note(*store, job, last_note);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }
  {
    struct Flags {
      std::string job_id;
      PlatformFlags platform;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = jobs_cmd->add_subcommand("cancel", "cancel a queued or running job");
    cmd->add_option("JOB", f->job_id)->required();
    f->platform.add_to(*cmd);
    cmd->callback([f] {
      const auto paths = f->platform.paths();
      auto store = jobs::open_job_store(paths.jobs_spec, jobs::StoreAccess::kExisting);
      // A final job that submit --detach named is stopped by cancelling what would queue it.
      (void)require_job(*store, f->job_id, [&](const jobs::Job& queuer) {
        return fmt::format("; `treeline jobs cancel {}{}` cancels that job, and then it never is", queuer.job_id,
                           f->platform.as_flags());
      });
      const auto state = store->request_cancel(f->job_id);
      // A running job whose agent died needs one to stop its trials and end it.
      if (state == jobs::JobState::kCancelling) start_agent_if_needed(*store, paths);
      if (state == jobs::JobState::kCancelled)
        fmt::print("Cancelled job [{}].\n", f->job_id);
      else
        fmt::print("Cancelling job [{0}]: CANCELLING while its trials are stopped, then CANCELLED "
                   "(`treeline jobs wait {0}`).\n",
                   f->job_id);
    });
  }
  {
    struct Flags {
      std::string job_id;
      int trial = 0;
      bool follow = false;
      PlatformFlags platform;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = jobs_cmd->add_subcommand("logs", "print a job's trainer logs");
    cmd->add_option("JOB", f->job_id)->required();
    cmd->add_option("--trial", f->trial, "only this trial")->check(whole_number(1, kMaxInt));
    cmd->add_flag("--follow", f->follow, "keep printing until the job ends");
    f->platform.add_to(*cmd);
    cmd->callback([f] {
      const auto paths = f->platform.paths();
      auto store = jobs::open_job_store(paths.jobs_spec, jobs::StoreAccess::kExisting);
      auto job = require_job(*store, f->job_id);
      const bool tuning = job.training_input.contains("hyperparameters");
      std::map<std::filesystem::path, std::uintmax_t> printed;
      std::optional<jobs::StalledNote> last_note;
      for (int round = 0;; ++round) {
        std::vector<std::pair<int, std::filesystem::path>> logs;
        if (tuning) {
          const auto trials = store->trials(f->job_id);
          for (const auto& t : trials)
            if (f->trial == 0 || t.trial_id == f->trial)
              logs.emplace_back(t.trial_id, jobs::trainer_directory(paths.jobs_root, f->job_id, t.trial_id) / jobs::kTrainerLog);
          if (f->trial != 0 && logs.empty() && jobs::is_terminal(job.state))
            throw InputError(fmt::format("--trial {}: job {} has no such trial{}", f->trial, f->job_id,
                                         trials.empty() ? " (it ran none)"
                                                        : fmt::format(" (its trials: 1 to {})", trials.size())));
        } else {
          logs.emplace_back(0, jobs::trainer_directory(paths.jobs_root, f->job_id, std::nullopt) / jobs::kTrainerLog);
        }
        for (const auto& [trial, path] : logs) {
          std::ifstream in(path, std::ios::binary);
          if (!in) continue;
          in.seekg(static_cast<std::streamoff>(printed[path]));
          std::string line;
          while (std::getline(in, line)) {
            // A partial last line waits for the rest, unless the job has ended: then it is all.
            if (in.eof() && (!jobs::is_terminal(job.state) || line.empty())) break;
            printed[path] += line.size() + 1;
            if (tuning) fmt::print("trial {}: {}\n", trial, line);
            else fmt::print("{}\n", line);
          }
        }
        std::fflush(stdout);
        if (!f->follow || jobs::is_terminal(job.state)) return;
        // As `jobs wait` does: a job nobody moves gets a note on stderr, not silence.
        if (round % 10 == 0) last_note = print_stalled_note(*store, job, last_note);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        job = require_job(*store, f->job_id);
      }
    });
  }
}

void add_agent(CLI::App& app) {
  struct Flags {
    int max_processes = 0;
    bool exit_when_idle = false;
    double idle_grace = 3;
    PlatformFlags platform;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("agent", "run the queued jobs of a store (submit starts one when none runs)");
  cmd->add_option("--max-processes", f->max_processes, "machine-wide cap on trial processes (0: the cores)")
      ->check(whole_number(0, kMaxInt));
  CLI::Option* exit_when_idle = cmd->add_flag("--exit-when-idle", f->exit_when_idle, "stop when no job is left");
  cmd->add_option("--idle-grace", f->idle_grace, "seconds to wait for new jobs before --exit-when-idle stops")
      ->check(non_negative_seconds())
      ->capture_default_str()
      ->needs(exit_when_idle);  // alone it would be ignored: the agent serves until stopped
  f->platform.add_to(*cmd);
  cmd->callback([f] {
    const auto paths = f->platform.paths();
    auto store = jobs::open_job_store(paths.jobs_spec);
    executors::LocalExecutor executor;
    jobs::AgentOptions options;
    options.jobs_root = paths.jobs_root;
    options.self_executable = jobs::self_executable();
    options.lease_seconds = kLeaseSeconds;
    options.exit_when_idle = f->exit_when_idle;
    options.idle_grace_seconds = f->idle_grace;
    options.max_processes = f->max_processes;
    options.on_event = [](const std::string& event) {
      fmt::print(stderr, "{} {}\n", jobs::format_time(jobs::now_seconds()), event);
    };
    jobs::Agent agent(*store, executor, options);
    // SIGTERM and SIGINT are taken by a waiting thread instead of a handler: the agent then
    // stops between steps, releasing its jobs for others, with no global state.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::atomic<bool> stop{false};
    std::thread waiter([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      stop.store(true);
    });
    // However the agent ends (on its own, or by an error the CLI reports), the waiter is woken
    // and joined first.
    struct JoinWaiter {
      std::thread& waiter;
      ~JoinWaiter() {
        ::kill(::getpid(), SIGUSR1);
        waiter.join();
      }
    } join_waiter{waiter};
    fmt::print(stderr, "treeline agent {} serving {}\n", agent.agent_id(), paths.jobs_spec);
    agent.run(stop);
  });
}

}  // namespace

void add_job_commands(CLI::App& app) {
  add_submit(app);
  add_jobs(app);
  add_agent(app);
}

}  // namespace treeline::cli
