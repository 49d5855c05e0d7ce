#include "treeline/metrics/hypertune_reporter.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"

namespace treeline::metrics {

HypertuneReporter HypertuneReporter::from_environment() {
  const char* file = std::getenv("CLOUD_ML_HP_METRIC_FILE");
  const char* tag = std::getenv("CLOUD_ML_HP_METRIC_TAG");
  const char* trial = std::getenv("CLOUD_ML_TRIAL_ID");
  std::optional<std::filesystem::path> path;
  if (file != nullptr && *file != '\0') path = file;
  return HypertuneReporter(path, tag != nullptr && *tag != '\0' ? std::string(tag) : std::string(kDefaultMetricTag), trial != nullptr ? trial : "");
}

HypertuneReporter::HypertuneReporter(std::optional<std::filesystem::path> file, std::string tag, std::string trial)
    : file_(std::move(file)), tag_(std::move(tag)), trial_(std::move(trial)) {}

void HypertuneReporter::report(double value, long global_step) const {
  if (!file_) return;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // As cloudml-hypertune writes str(value): a NaN reads "nan" (JSON would make it "null").
  nlohmann::json line = {{"global_step", std::to_string(global_step)},
                         {tag_, std::isfinite(value) ? nlohmann::json(value).dump() : fmt::format("{}", value)},
                         {"timestamp", now}};
  if (!trial_.empty()) line["trial"] = trial_;
  const std::string text = line.dump() + "\n";
  // O_APPEND writes of one line are atomic with respect to other appenders.
  UniqueFd fd(::open(file_->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!fd) throw_errno("CLOUD_ML_HP_METRIC_FILE=" + file_->string());
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  ::fsync(fd.get());
  if (n != static_cast<ssize_t>(text.size()) || fd.close() != 0)
    throw SystemError("cannot append to " + file_->string());
}

}  // namespace treeline::metrics
