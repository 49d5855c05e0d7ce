#pragma once
// Reports a metric the way cloudml-hypertune does: one JSON object per line appended to the file
// named by CLOUD_ML_HP_METRIC_FILE, e.g.
//   {"global_step": "100", "f1": "0.8712", "timestamp": 1764201600.5, "trial": "3"}
// The tuning platform reads it; without the variable, reporting does nothing.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace treeline::metrics {

// The metric a trainer reports when CLOUD_ML_HP_METRIC_TAG (hyperparameterMetricTag) is unset.
inline constexpr std::string_view kDefaultMetricTag = "f1";

class HypertuneReporter {
 public:
  // Reads CLOUD_ML_HP_METRIC_FILE, CLOUD_ML_HP_METRIC_TAG (default "f1") and CLOUD_ML_TRIAL_ID.
  static HypertuneReporter from_environment();
  HypertuneReporter(std::optional<std::filesystem::path> file, std::string tag, std::string trial);

  bool enabled() const { return file_.has_value(); }
  const std::string& tag() const { return tag_; }
  // Appends one line and flushes it to disk, so a killed trainer's reports survive.
  void report(double value, long global_step) const;

 private:
  std::optional<std::filesystem::path> file_;
  std::string tag_;
  std::string trial_;
};

}  // namespace treeline::metrics
