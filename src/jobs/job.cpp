#include "treeline/jobs/job.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>

#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"
#include "treeline/metrics/hypertune_reporter.h"

namespace treeline::jobs {
namespace {

constexpr std::pair<JobState, const char*> kStateNames[] = {
    {JobState::kQueued, "QUEUED"},       {JobState::kPreparing, "PREPARING"}, {JobState::kRunning, "RUNNING"},
    {JobState::kSucceeded, "SUCCEEDED"}, {JobState::kFailed, "FAILED"},       {JobState::kCancelling, "CANCELLING"},
    {JobState::kCancelled, "CANCELLED"}};

nlohmann::json metric_json(const ReportedMetric& m) {
  return {{"trainingStep", std::to_string(m.training_step)}, {"objectiveValue", m.objective_value}};
}

tuning::Goal goal_of(const Job& job) {
  const auto& hp = job.training_input.contains("hyperparameters") ? job.training_input["hyperparameters"]
                                                                  : nlohmann::json();
  return hp.is_object() && hp.value("goal", "MAXIMIZE") == "MINIMIZE" ? tuning::Goal::kMinimize
                                                                       : tuning::Goal::kMaximize;
}

}  // namespace

void validate_job_id(const std::string& job_id, const std::string& where) {
  if (job_id.empty() || !std::isalpha(static_cast<unsigned char>(job_id.front())))
    throw InputError(fmt::format("{} '{}': a job id starts with a letter", where, job_id));
  for (char c : job_id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      throw InputError(fmt::format("{} '{}': only letters, digits and underscores are allowed", where, job_id));
}

std::string job_id_part(const std::string& text) {
  std::string out;
  for (char c : text) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (out.empty() || !std::isalpha(static_cast<unsigned char>(out.front()))) out = "j_" + out;
  return out;
}

nlohmann::json assignment_to_json(const tuning::Assignment& a) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, value] : a) std::visit([&](const auto& v) { j[name] = v; }, value);
  return j;
}

tuning::Assignment assignment_from_json(const nlohmann::json& j) {
  tuning::Assignment a;
  for (const auto& [name, value] : j.items()) {
    if (value.is_number_integer()) a[name] = value.get<std::int64_t>();
    else if (value.is_number()) a[name] = value.get<double>();
    else a[name] = value.get<std::string>();
  }
  return a;
}

std::string to_string(JobState state) {
  for (const auto& [s, name] : kStateNames)
    if (s == state) return name;
  return "STATE_UNSPECIFIED";
}

JobState parse_job_state(const std::string& text) {
  std::string upper = text;  // gcloud takes --filter=state=succeeded as well
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const auto& [s, name] : kStateNames)
    if (upper == name) return s;
  throw InputError(fmt::format("--state '{}': expected one of QUEUED, PREPARING, RUNNING, SUCCEEDED, FAILED, "
                               "CANCELLING, CANCELLED",
                               text));
}

bool is_terminal(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed || state == JobState::kCancelled;
}

std::optional<std::string> follow_up_job_id(const Job& job) {
  const auto spec = job.labels.find("final_training");
  if (spec == job.labels.end() || !spec->is_object()) return std::nullopt;
  const auto id = spec->find("job_id");
  if (id == spec->end() || !id->is_string()) return std::nullopt;
  return id->get<std::string>();
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_time(double seconds) {
  const auto whole = static_cast<std::time_t>(std::floor(seconds));
  const auto micros = static_cast<long>(std::llround((seconds - static_cast<double>(whole)) * 1e6)) % 1000000;
  std::tm tm{};
  gmtime_r(&whole, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", tm, micros);
}

const Trial* best_trial(const std::vector<Trial>& trials, tuning::Goal goal) {
  const Trial* best = nullptr;
  for (const auto& t : trials) {
    if (t.state != JobState::kSucceeded || !t.final_metric || !std::isfinite(t.final_metric->objective_value)) continue;
    if (best == nullptr || tuning::is_better(t.final_metric->objective_value, best->final_metric->objective_value, goal))
      best = &t;
  }
  return best;
}

std::optional<Trial> best_trial(const Job& job, const std::vector<Trial>& trials) {
  const Trial* best = best_trial(trials, goal_of(job));
  return best != nullptr ? std::optional<Trial>(*best) : std::nullopt;
}

namespace {

// AI Platform's labels map text to text: values that are not text print as their JSON text
// (best_hyperparameters), and the follow-up's spec, which is for the agent, as its job id.
nlohmann::json labels_as_strings(const Job& job) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : job.labels.items()) {
    if (key == "final_training") continue;
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  if (const auto follow_up = follow_up_job_id(job)) out["final_training_job_id"] = *follow_up;
  return out;
}

}  // namespace

nlohmann::json to_json(const Job& job, const std::vector<Trial>& trials) {
  nlohmann::json j = {{"jobId", job.job_id}, {"createTime", format_time(job.create_time)}, {"state", to_string(job.state)}};
  if (job.start_time) j["startTime"] = format_time(*job.start_time);
  if (job.end_time) j["endTime"] = format_time(*job.end_time);
  if (!job.error_message.empty()) j["errorMessage"] = job.error_message;
  j["trainingInput"] = job.training_input;
  if (!job.labels.empty()) j["labels"] = labels_as_strings(job);

  const bool tuning = job.training_input.contains("hyperparameters");
  nlohmann::json output = {{"isHyperparameterTuningJob", tuning}};
  std::size_t completed = 0;
  for (const auto& t : trials) completed += is_terminal(t.state);
  if (tuning) {
    output["completedTrialCount"] = std::to_string(completed);
    const auto& hp = job.training_input["hyperparameters"];
    output["hyperparameterMetricTag"] = hp.value("hyperparameterMetricTag", std::string(metrics::kDefaultMetricTag));
    // Best first, as AI Platform lists them; unfinished trials after, by id.
    std::vector<const Trial*> order;
    for (const auto& t : trials) order.push_back(&t);
    const tuning::Goal goal = goal_of(job);
    std::stable_sort(order.begin(), order.end(), [&](const Trial* a, const Trial* b) {
      const bool fa = a->final_metric.has_value(), fb = b->final_metric.has_value();
      if (fa != fb) return fa;
      if (!fa) return a->trial_id < b->trial_id;
      return tuning::is_better(a->final_metric->objective_value, b->final_metric->objective_value, goal);
    });
    output["trials"] = nlohmann::json::array();
    for (const Trial* t : order) {
      nlohmann::json tj = {{"trialId", std::to_string(t->trial_id)}, {"state", to_string(t->state)},
                           {"isTrialStoppedEarly", t->stopped_early}};
      nlohmann::json hps = nlohmann::json::object();
      for (const auto& [name, value] : t->hyperparameters) hps[name] = tuning::format_value(value);
      tj["hyperparameters"] = hps;
      if (t->final_metric) tj["finalMetric"] = metric_json(*t->final_metric);
      if (!t->all_metrics.empty()) {
        tj["allMetrics"] = nlohmann::json::array();
        for (const auto& m : t->all_metrics) tj["allMetrics"].push_back(metric_json(m));
      }
      if (t->start_time) tj["startTime"] = format_time(*t->start_time);
      if (t->end_time) tj["endTime"] = format_time(*t->end_time);
      if (!t->error_message.empty()) tj["errorMessage"] = t->error_message;
      output["trials"].push_back(tj);
    }
  } else {
    output["completedTrialCount"] = "0";
  }
  j["trainingOutput"] = output;
  return j;
}

}  // namespace treeline::jobs
