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

// The agent's side: one trial's share file, removed with the trial (RAII).
class ThreadShareFile {
 public:
  ThreadShareFile(std::filesystem::path file, int threads);  // publishes `threads`
  ~ThreadShareFile();
  ThreadShareFile(ThreadShareFile&& other) noexcept;
  ThreadShareFile& operator=(ThreadShareFile&& other) noexcept;
  ThreadShareFile(const ThreadShareFile&) = delete;
  ThreadShareFile& operator=(const ThreadShareFile&) = delete;

  // Publishes `threads` unless it is already the share; throws SystemError when it cannot.
  void set(int threads);
  int threads() const { return threads_; }
  const std::filesystem::path& path() const { return file_; }

 private:
  std::filesystem::path file_;
  int threads_ = 0;
};

// The trainer's side, asked between boosting rounds: a new thread count when the published
// share differs from the last one seen (at first, from `current`, the threads the trainer
// started with). Looks at the file at most every `interval_seconds`, so asking every round is cheap.
class ThreadShareWatcher {
 public:
  explicit ThreadShareWatcher(std::filesystem::path file, std::optional<int> current = std::nullopt,
                              double interval_seconds = 0.5);
  std::optional<int> poll();

 private:
  std::filesystem::path file_;
  double interval_seconds_;
  double next_check_ = 0;
  std::optional<int> last_;
};

// A watcher on $TREELINE_THREADS_FILE as a callable for model::TrainingOptions::thread_updates,
// or an empty function when the variable is unset or empty (a trainer run by hand keeps its
// --nthread). Not thread-safe: one training loop asks it.
std::function<std::optional<int>()> thread_share_updates_from_environment(int current_threads);

}  // namespace treeline::executors
