#pragma once
// The Job resource, as AI Platform Training describes it (projects.jobs): identity, times,
// state, the trainingInput as given, and the trainingOutput with one entry per trial.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/tuning/search_space.h"

namespace treeline::jobs {

enum class JobState { kQueued, kPreparing, kRunning, kSucceeded, kFailed, kCancelling, kCancelled };

std::string to_string(JobState state);
// Throws InputError listing the valid names.
JobState parse_job_state(const std::string& text);
bool is_terminal(JobState state);

struct ReportedMetric {
  long training_step = 0;
  double objective_value = 0;
  // When the trainer wrote the report (the metric file's "timestamp", seconds since the epoch):
  // what reaching this step cost, for a search that learns from a trial's curve. Kept in the job
  // store, not shown in allMetrics (AI Platform's has none).
  std::optional<double> timestamp{};
};

struct Trial {
  int trial_id = 0;
  tuning::Assignment hyperparameters;
  JobState state = JobState::kQueued;
  std::optional<ReportedMetric> final_metric;
  std::vector<ReportedMetric> all_metrics;
  bool stopped_early = false;
  std::optional<double> start_time, end_time;  // seconds since the epoch
  std::string error_message;
  int attempts = 0;  // >1 when an interrupted trial ran again
};

// AI Platform's rule for job ids: letters, digits and underscores, starting with a letter. Throws
// InputError naming `where` (a flag, or "job id") and what is allowed.
void validate_job_id(const std::string& job_id, const std::string& where);
// `text` made into a valid part of a job id (other characters become underscores, "j_" in front
// of one that does not start with a letter).
std::string job_id_part(const std::string& text);

struct Job {
  std::string job_id;
  double create_time = 0;
  std::optional<double> start_time, end_time;
  JobState state = JobState::kQueued;
  std::string error_message;
  nlohmann::json training_input;  // as given
  nlohmann::json labels = nlohmann::json::object();  // e.g. project, name, cover_type, role
};

// The job a tuning job queues when it succeeds (submit's final training, in its
// labels.final_training), if it names one. Until then that id names no job.
std::optional<std::string> follow_up_job_id(const Job& job);

// A cancelled job's errorMessage, whether it was cancelled while queued or while running.
inline constexpr const char* kCancelledByTheUser = "cancelled by the user";

double now_seconds();
// RFC 3339 in UTC with microseconds, as AI Platform prints times: 2026-11-27T01:40:00.123456Z.
std::string format_time(double seconds);

// The AI Platform Job document: jobId, createTime, startTime, endTime, state, errorMessage,
// trainingInput, trainingOutput {completedTrialCount, isHyperparameterTuningJob,
// hyperparameterMetricTag, trials [best first]}, labels.
nlohmann::json to_json(const Job& job, const std::vector<Trial>& trials);

// Typed JSON of an assignment: integers stay integers, doubles doubles, strings strings.
nlohmann::json assignment_to_json(const tuning::Assignment& a);
tuning::Assignment assignment_from_json(const nlohmann::json& j);

// The best finished trial by the job's goal, if any.
std::optional<Trial> best_trial(const Job& job, const std::vector<Trial>& trials);
// The same, for a caller that knows the goal (no copy, no JSON to read): null when none is.
const Trial* best_trial(const std::vector<Trial>& trials, tuning::Goal goal);

}  // namespace treeline::jobs
