#pragma once
// Reads a trial's hypertune metric file: one JSON object per line, as cloudml-hypertune writes
// it, e.g. {"global_step": "1000", "f1": "0.987", "timestamp": 1525851440.12, "trial": "3"}.
// Values may be strings or numbers.
#include <filesystem>
#include <span>
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

// The same, for lines already read (blank ones included or not); problems name the line's
// position among them, from 1.
MetricFileContents parse_metric_lines(std::span<const std::string> lines, const std::string& tag);

// Follows a running trial's metric file and keeps every report it has seen. cloudml-hypertune
// rewrites the whole file on every report and keeps only its last 100 (a deque), so the file is
// a window that slides along the curve, and a read may land while it is being rewritten (empty,
// or cut short). Each update lines the file up against what was seen before (the longest overlap
// of the file's first lines with the last ones seen) and adds only what comes after; a file that
// is appended to lines up at its start.
class MetricFileFollower {
 public:
  MetricFileFollower() = default;
  explicit MetricFileFollower(std::filesystem::path path) : path_(std::move(path)) {}

  // Reads the file again; true when it held reports not seen before. While the trainer runs, a
  // last line without its newline may be half written and waits for the next read; `complete`
  // (the trainer has exited) takes it as it is.
  bool update(bool complete = false);
  // read_metric_file's result for every line seen, in order.
  MetricFileContents contents(const std::string& tag) const { return parse_metric_lines(lines_, tag); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;  // non-blank lines seen, in the order the trainer wrote them
};

}  // namespace treeline::jobs
