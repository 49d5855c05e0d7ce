#include "treeline/pipeline/submit.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <random>
#include <set>
#include <thread>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/data/data_source.h"
#include "treeline/data/split.h"
#include "treeline/jobs/stalled_job.h"
#include "treeline/jobs/training_input.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/pipeline/last_run.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/pipeline/train_evaluate.h"
#include "treeline/pipeline/default_trainer.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {
namespace {

std::string submission_stamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y%m%d_%H%M%S}_{:04x}", tm, std::random_device{}() & 0xffff);
}

}  // namespace

jobs::Job make_job(const std::string& job_id, const jobs::TrainingInput& input, const std::string& config_path,
                   const std::vector<std::string>& extra_args, bool tuning_required, const jobs::PlatformPaths& paths) {
  jobs::validate_job_id(job_id, "JOB");
  if (tuning_required && !input.hyperparameters)
    throw InputError(fmt::format("{}: trainingInput.hyperparameters is missing: a tuning job needs it", config_path));
  check_config_for_default_trainer(input, config_path);
  std::vector<std::string> all_args = input.args;  // containerArgs and args, then what follows --
  all_args.insert(all_args.end(), extra_args.begin(), extra_args.end());
  check_args_for_default_trainer(input, all_args, [&](std::size_t i) {
    return i < input.args.size() ? config_arg_place(input, config_path, i)
                                 : fmt::format("trainer argument {} after --", i - input.args.size() + 1);
  });
  check_trainer_dataset(input, all_args, paths.store_root);
  jobs::Job job;
  job.job_id = job_id;
  job.create_time = jobs::now_seconds();
  job.training_input = input.as_given;
  for (const auto& a : extra_args) job.training_input["args"].push_back(a);
  for (const auto& a : default_trainer_args(input, all_args, paths.store_root)) job.training_input["args"].push_back(a);
  return job;
}

namespace {

// What every cover type's jobs share, worked out (and checked) before anything is prepared or
// queued, where every trial would otherwise fail on the same mistake.
struct SubmissionPlan {
  std::vector<std::string> common_args;  // where the data is and how it is split
  bool threshold_flags = false;          // treeline's trainer, its args setting no threshold
  bool tune_threshold = false;           // the trials tune it, the final job takes the best trial's
  DecisionThresholdChoice threshold;
};

SubmissionPlan plan_submission(const SubmitRequest& request, const jobs::TrainingInput& input,
                               const jobs::PlatformPaths& paths) {
  store::validate_name(request.project, "PROJECT");
  store::validate_name(request.name, "NAME");
  if (!input.hyperparameters)
    throw InputError(fmt::format("{}: trainingInput.hyperparameters is missing: submit runs one tuning job per cover "
                                 "type (use `treeline jobs submit-training` for a single training job)",
                                 request.config_path));
  // One earlier study resumed by all seven would teach each cover type another one's scores.
  if (!input.hyperparameters->resume_previous_job_id.empty())
    throw InputError(fmt::format("{}: trainingInput.hyperparameters.resumePreviousJobId: submit runs a new study per "
                                 "cover type; resume one study with `treeline jobs submit-tuning`",
                                 request.config_path));
  for (int k : request.cover_types)
    if (k < 1 || k > kCoverTypes) throw InputError(fmt::format("--cover-types: {} is not a cover type (1..7)", k));
  check_config_for_default_trainer(input, request.config_path);

  SubmissionPlan plan;
  // The decision-threshold flags are treeline's trainer's: a custom trainer (containerCommand)
  // gets none, nor does a config whose args already set one. Tuned only for a metric that
  // depends on the threshold.
  plan.threshold = parse_decision_threshold(request.decision_threshold, "--decision-threshold");
  const bool threshold_in_args = jobs::args_set_flag(input.args, "--decision-threshold") ||
                                 jobs::args_set_flag(input.args, "--decision-threshold-from");
  plan.threshold_flags = input.container_command.empty() && !threshold_in_args;
  const metrics::MetricDefinition* tag_metric = metrics::lookup_metric(input.hyperparameters->metric_tag);
  plan.tune_threshold =
      plan.threshold_flags && plan.threshold.tune && tag_metric && tag_metric->depends_on_threshold;
  // A validation split of 0 would have the trials score on the test split.
  data::check_fraction(request.split.test_fraction, "--test-fraction", "the rows");
  data::check_fraction(request.validation_fraction, "--validation-fraction", "the training split");
  // The default trainer learns where its data is from these; a custom command gets them too.
  plan.common_args = {
      "--project=" + request.project,
      "--name=" + request.name,
      "--store=" + paths.store_root.string(),
      fmt::format("--seed={}", request.split.seed),
      fmt::format("--test-fraction={}", request.split.test_fraction),
  };
  // These, and the per-job flags below, say where the data is and how it is split; a second value
  // in the config's args would leave the trainer reading another store or split than the one
  // submit prepared.
  std::vector<std::string> set_by_submit = {"--cover-type", "--validation-fraction", "--model-dir", "--job-dir"};
  for (const auto& a : plan.common_args) set_by_submit.push_back(a.substr(0, a.find('=')));
  for (const auto& flag : set_by_submit)
    if (jobs::args_set_flag(input.args, flag))
      throw InputError(fmt::format("{}: trainingInput.args sets {}, which submit sets itself (from its own flags); "
                                   "take it out of args",
                                   request.config_path, flag));
  return plan;
}

// Cover type k's tuning job, carrying in its labels the final training job the agent queues
// with the best trial's hyperparameters.
jobs::Job tuning_job(const SubmitRequest& request, const jobs::TrainingInput& input, const SubmissionPlan& plan,
                     const SubmittedJobs& ids, const std::string& model_dir) {
  nlohmann::json args = input.as_given.value("args", nlohmann::json::array());
  for (const auto& a : plan.common_args) args.push_back(a);
  args.push_back(fmt::format("--cover-type={}", ids.cover_type));
  if (plan.threshold_flags && !plan.threshold.tune) args.push_back("--decision-threshold=" + request.decision_threshold);

  nlohmann::json final_input = input.as_given;
  final_input.erase("hyperparameters");
  final_input["args"] = args;
  final_input["args"].push_back("--model-dir=" + model_dir);
  const nlohmann::json labels = {{"project", request.project}, {"name", request.name}, {"cover_type", ids.cover_type}};

  jobs::Job tuning;
  tuning.job_id = ids.tuning_job_id;
  tuning.create_time = jobs::now_seconds();
  tuning.training_input = input.as_given;
  tuning.training_input["args"] = args;
  tuning.training_input["args"].push_back(fmt::format("--validation-fraction={}", request.validation_fraction));
  if (plan.tune_threshold) tuning.training_input["args"].push_back("--decision-threshold=tune");
  tuning.labels = labels;
  tuning.labels["role"] = "tuning";
  nlohmann::json final_labels = labels;
  final_labels["role"] = "final_training";
  final_labels["model_dir"] = model_dir;
  final_labels["metric_tag"] = input.hyperparameters->metric_tag;
  tuning.labels["final_training"] = {
      {"job_id", ids.final_job_id}, {"training_input", final_input}, {"labels", final_labels}};
  if (plan.tune_threshold)
    tuning.labels["final_training"]["best_trial_file"] = {{"flag", "--decision-threshold-from"},
                                                          {"path", kDecisionThresholdFile}};
  return tuning;
}

}  // namespace

std::vector<SubmittedJobs> submit_tuning_jobs(const SubmitRequest& request, const jobs::TrainingInput& input,
                                              jobs::JobStore& job_store, const jobs::PlatformPaths& paths) {
  const SubmissionPlan plan = plan_submission(request, input, paths);

  const std::string prefix = request.project + "/" + request.name;
  auto source = data::open_data_source(request.data, request.query);
  store::DirectoryStore artifacts(paths.store_root);
  prepare_datasets(*source, artifacts, prefix);
  // The models here come from this submit's final jobs now: a run-local's record (say, of one
  // killed halfway) no longer describes them.
  record_last_run(artifacts, prefix,
                  {{"command", "submit"},
                   {"state", "SUBMITTED"},
                   {"started", jobs::format_time(jobs::now_seconds())},
                   {"data", source->describe()},
                   {"cover_types", request.cover_types}});

  const std::string stamp = submission_stamp();
  std::vector<SubmittedJobs> submitted;
  for (int k : request.cover_types) {
    SubmittedJobs s;
    s.cover_type = k;
    const std::string base = fmt::format("{}_{}_ct{}_{}", jobs::job_id_part(request.project),
                                         jobs::job_id_part(request.name), k, stamp);
    s.tuning_job_id = base + "_tuning";
    s.final_job_id = base + "_final";
    job_store.create_job(tuning_job(request, input, plan, s, artifacts.uri(model_prefix(prefix, k))));
    submitted.push_back(s);
  }
  return submitted;
}

std::vector<TunedResult> wait_for_tuned_models(jobs::JobStore& store, const std::vector<SubmittedJobs>& submitted,
                                               const WaitOptions& options) {
  const auto& on_change = options.on_change;
  std::vector<TunedResult> results(submitted.size());
  std::vector<bool> done(submitted.size(), false);
  std::vector<std::string> last_seen(submitted.size());
  std::set<std::pair<std::string, std::string>> last_held;  // (cause, job id) at the last check
  std::size_t remaining = submitted.size();
  for (int round = 0; remaining > 0; ++round) {
    if (options.keep_agent && round % 15 == 0) options.keep_agent();
    const bool check_stalled = options.on_stalled && round % 15 == 0;
    std::vector<jobs::Job> unfinished;  // as read below: the final job once it exists
    for (std::size_t i = 0; i < submitted.size(); ++i) {
      if (done[i]) continue;
      const auto& s = submitted[i];
      TunedResult& r = results[i];
      r.cover_type = s.cover_type;
      r.tuning_job_id = s.tuning_job_id;
      r.final_job_id = s.final_job_id;
      const auto tuning = store.find_job(s.tuning_job_id);
      if (!tuning) throw InputError(fmt::format("job {} disappeared from the job store", s.tuning_job_id));
      const auto final_job = store.find_job(s.final_job_id);
      std::string status;
      if (final_job) {
        status = fmt::format("final training {}", jobs::to_string(final_job->state));
      } else if (on_change) {  // counting trials is only for the progress lines
        std::size_t finished = 0;
        for (const auto& t : store.trials(s.tuning_job_id)) finished += jobs::is_terminal(t.state);
        status = fmt::format("tuning {} ({} trials finished)", jobs::to_string(tuning->state), finished);
      }
      if (status != last_seen[i] && on_change) on_change(fmt::format("cover type {}: {}", s.cover_type, status));
      last_seen[i] = status;

      if (jobs::is_terminal(tuning->state) && tuning->state != jobs::JobState::kSucceeded) {
        r.state = jobs::to_string(tuning->state);
        r.error = tuning->error_message;
      } else if (final_job && jobs::is_terminal(final_job->state)) {
        r.state = jobs::to_string(final_job->state);
        r.error = final_job->error_message;
        // Both were written by submit and the final job: a failure here is a damaged store.
        std::filesystem::path model_dir;
        try {
          r.best_hyperparameters = final_job->labels.value("best_hyperparameters", nlohmann::json::object());
          r.validation_metric = final_job->labels.value("validation_metric", 0.0);
          r.metric_tag = final_job->labels.at("metric_tag").get<std::string>();
          model_dir = final_job->labels.at("model_dir").get<std::string>();
        } catch (const nlohmann::json::exception& e) {
          throw SystemError(fmt::format("job {}: its labels lack what submit wrote there: {}", final_job->job_id,
                                        e.what()));
        }
        r.model_uri = (model_dir / "model.json").string();
        const std::filesystem::path metrics_file = model_dir / "metrics.json";
        if (std::error_code ec; final_job->state == jobs::JobState::kSucceeded && !std::filesystem::exists(metrics_file, ec)) {
          // A custom trainer (containerCommand) that kept its model elsewhere: the jobs stand,
          // the table has nothing to show for the test split.
          r.error = fmt::format("final job {} stored no metrics.json in its --model-dir {}: a trainer given to submit "
                                "writes its model.json and metrics.json ({{\"metrics\": {{\"accuracy\": ..., \"f1\": "
                                "...}}}}) there, as treeline's does",
                                final_job->job_id, model_dir.string());
        } else if (final_job->state == jobs::JobState::kSucceeded) {
          try {
            const auto stored = nlohmann::json::parse(read_file(metrics_file));
            r.test_metrics = stored.at("metrics");
            r.decision_threshold = stored.value("decision_threshold", 0.5);
          } catch (const nlohmann::json::exception& e) {
            throw SystemError(fmt::format("{}: not the metrics the final job {} stored: {}", metrics_file.string(),
                                          final_job->job_id, e.what()));
          }
        }
      } else {
        if (check_stalled) unfinished.push_back(final_job ? *final_job : *tuning);
        continue;
      }
      done[i] = true;
      --remaining;
    }
    // Every few seconds, what holds each unfinished job, if anything: one note per cause, and
    // again only when a cause holds a job it did not before.
    if (check_stalled) {
      std::set<std::pair<std::string, std::string>> now_held;
      for (const auto& group : jobs::stalled_groups(store, unfinished, options.lease_seconds)) {
        bool news = false;
        for (const auto& job : group.jobs) {
          now_held.emplace(group.note.cause, job.job_id);
          news = news || !last_held.contains({group.note.cause, job.job_id});
        }
        if (news) options.on_stalled(group.jobs, group.note.text);
      }
      last_held = std::move(now_held);
    }
    if (remaining > 0) std::this_thread::sleep_for(options.poll_interval);
  }
  return results;
}

nlohmann::json tuned_results_to_json(const std::vector<TunedResult>& results) {
  nlohmann::json out = {{"results", nlohmann::json::array()}};
  for (const auto& r : results) {
    nlohmann::json j = {{"cover_type", r.cover_type}, {"job_id", r.tuning_job_id}, {"final_job_id", r.final_job_id},
                        {"state", r.state}};
    if (!r.test_metrics.is_null()) {
      for (const char* k : {"accuracy", "f1", "precision", "recall", "roc_auc", "log_loss"}) j[k] = r.test_metrics[k];
      j["decision_threshold"] = r.decision_threshold;
      j["model_uri"] = r.model_uri;
      j["best_hyperparameters"] = r.best_hyperparameters;
      j["validation_" + r.metric_tag] = r.validation_metric;
    }
    if (!r.error.empty()) j["error"] = r.error;
    out["results"].push_back(j);
  }
  return out;
}

std::string tuned_results_to_table(const std::vector<TunedResult>& results) {
  std::string out = fmt::format("{:<11} {:<10} {:>10} {:>9} {:>7} {:>9}  {:<60}  {}\n", "cover_type", "state",
                                "validation", "test_acc", "test_f1", "threshold", "best_hyperparameters", "model_uri");
  for (const auto& r : results) {
    if (r.test_metrics.is_null()) {
      out += fmt::format("{:<11} {:<10} {}\n", r.cover_type, r.state, r.error);
      continue;
    }
    // Four significant digits for people (learning_rate=0.1225, not 0.1224744871391589); --json
    // and `jobs describe` have the values whole.
    std::string hps;
    for (const auto& [name, value] : r.best_hyperparameters.items())
      hps += fmt::format("{}{}={}", hps.empty() ? "" : " ", name,
                         value.is_string()         ? value.get<std::string>()
                         : value.is_number_float() ? fmt::format("{:.4g}", value.get<double>())
                                                   : value.dump());
    out += fmt::format("{:<11} {:<10} {:>10.4f} {:>9.4f} {:>7.4f} {:>9.3f}  {:<60}  {}\n", r.cover_type, r.state,
                       r.validation_metric, r.test_metrics.value("accuracy", 0.0), r.test_metrics.value("f1", 0.0),
                       r.decision_threshold, hps, r.model_uri);
  }
  return out;
}

}  // namespace treeline::pipeline
