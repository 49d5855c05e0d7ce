#pragma once
// The share of the machine's cores a running trial may use. The agent sets it at launch and
// changes it as trials come and go, so a trial left running alone (a study's last trial, a final
// training job at the end of a submit) takes up the cores its peers freed instead of leaving them
// idle. The agent publishes the number in a small file per trial, named by the environment
// variable TREELINE_THREADS_FILE; `treeline train-evaluate` reads it between boosting rounds.
// Another trainer may read it too, or ignore it and keep --nthread.
#include <filesystem>
#include <functional>
#include <optional>

namespace treeline::executors {

inline constexpr const char* kThreadShareVariable = "TREELINE_THREADS_FILE";

// Replaces the file's content with `threads` in one rename: a reader sees the old or the new
// number, never a partial one. Not fsynced: the number only matters while the trial runs.
void publish_thread_share(const std::filesystem::path& file, int threads);

// Reads a published share; nothing when the file is missing or does not hold a positive number.
std::optional<int> read_thread_share(const std::filesystem::path& file);

// Asked between boosting rounds: a new thread count when the published share changed since the
// last answer. Looks at the file at most every `interval_seconds`, so asking every round is cheap.
class ThreadShareWatcher {
 public:
  explicit ThreadShareWatcher(std::filesystem::path file, double interval_seconds = 0.5);
  std::optional<int> poll();

 private:
  std::filesystem::path file_;
  double interval_seconds_;
  double next_check_ = 0;
  std::optional<int> last_;
};

// A watcher on $TREELINE_THREADS_FILE as a callable for model::TrainingOptions::thread_updates,
// or an empty function when the variable is unset (a trainer run by hand keeps its --nthread).
std::function<std::optional<int>()> thread_share_updates_from_environment();

}  // namespace treeline::executors
