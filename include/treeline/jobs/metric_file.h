#pragma once
// Reads a trial's hypertune metric file: one JSON object per line, as cloudml-hypertune writes
// it, e.g. {"global_step": "1000", "f1": "0.987", "timestamp": 1525851440.12, "trial": "3"}.
// Values may be strings or numbers.
#include <filesystem>
#include <string>
#include <vector>

#include "treeline/jobs/job.h"

namespace treeline::jobs {

struct MetricFileContents {
  std::vector<ReportedMetric> metrics;  // lines that carry `tag`, in file order, by increasing step
  std::vector<std::string> problems;    // "line 3: not JSON", "line 4: f1 is not a number"
};

// A missing file reads as empty. Lines without `tag` are skipped (a trainer may report others).
// When every report has the same step (cloudml-hypertune writes "0" for a report without
// global_step), the reports are numbered 1, 2, ... in file order instead. Otherwise a report at
// a step already passed replaces the points from that step on, so steps always increase.
MetricFileContents read_metric_file(const std::filesystem::path& path, const std::string& tag);

}  // namespace treeline::jobs
