#include "treeline/executors/thread_share.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <utility>

#include "treeline/common/error.h"
#include "treeline/common/number_text.h"

namespace treeline::executors {
namespace fs = std::filesystem;

void publish_thread_share(const fs::path& file, int threads) {
  fs::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << threads << "\n";
    if (!out.flush()) {
      const int error = errno;
      std::error_code ec;
      fs::remove(temporary, ec);
      throw SystemError(fmt::format("{}: cannot write the trial's thread share: {}", temporary.string(),
                                    std::strerror(error)));
    }
  }
  std::error_code ec;
  fs::rename(temporary, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw SystemError(fmt::format("{}: cannot publish the trial's thread share: {}", file.string(), ec.message()));
  }
}

std::optional<int> read_thread_share(const fs::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text)) return std::nullopt;
  const auto threads = parse_integer<int>(text);
  if (!threads || *threads <= 0) return std::nullopt;
  return threads;
}

ThreadShareFile::ThreadShareFile(fs::path file, int threads) : file_(std::move(file)) {
  publish_thread_share(file_, threads);
  threads_ = threads;
}

ThreadShareFile::~ThreadShareFile() {
  if (file_.empty()) return;
  std::error_code ec;
  fs::remove(file_, ec);  // best effort: a leftover file only takes a directory entry
}

ThreadShareFile::ThreadShareFile(ThreadShareFile&& other) noexcept
    : file_(std::exchange(other.file_, {})), threads_(other.threads_) {}

ThreadShareFile& ThreadShareFile::operator=(ThreadShareFile&& other) noexcept {
  if (this != &other) {
    ThreadShareFile old(std::move(*this));
    file_ = std::exchange(other.file_, {});
    threads_ = other.threads_;
  }
  return *this;
}

void ThreadShareFile::set(int threads) {
  if (threads == threads_) return;
  publish_thread_share(file_, threads);
  threads_ = threads;
}

ThreadShareWatcher::ThreadShareWatcher(fs::path file, std::optional<int> current, double interval_seconds)
    : file_(std::move(file)), interval_seconds_(interval_seconds), last_(current) {}

std::optional<int> ThreadShareWatcher::poll() {
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now < next_check_) return std::nullopt;
  next_check_ = now + interval_seconds_;
  const auto threads = read_thread_share(file_);
  if (!threads || threads == last_) return std::nullopt;
  last_ = threads;
  return threads;
}

std::function<std::optional<int>()> thread_share_updates_from_environment(int current_threads) {
  const char* file = std::getenv(kThreadShareVariable);
  if (file == nullptr || *file == '\0') return {};
  auto watcher = std::make_shared<ThreadShareWatcher>(
      file, current_threads > 0 ? std::optional<int>(current_threads) : std::nullopt);
  return [watcher] { return watcher->poll(); };
}

}  // namespace treeline::executors
