#pragma once
// Reads a trial's hypertune metric file: one JSON object per line, as cloudml-hypertune writes
// it, e.g. {"global_step": "1000", "f1": "0.987", "timestamp": 1525851440.12, "trial": "3"}.
// Values may be strings or numbers.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "treeline/jobs/job.h"

namespace treeline::jobs {

struct MetricFileContents {
  std::vector<ReportedMetric> metrics;  // reports that carry the tag, in order, by increasing step
  std::vector<std::string> problems;    // "report 3: not a JSON object", "report 4: f1 is not a finite number"
};

// Follows a trial's metric file and keeps every report it has seen. Reports without the tag are
// skipped (a trainer may report others). When every report has the same step (cloudml-hypertune
// writes "0" for a report without global_step), they are numbered 1, 2, ... in order instead;
// otherwise a report at a step already passed replaces the points from that step on, so steps
// always increase. A missing file reads as empty.
//
// cloudml-hypertune rewrites the whole file on every report and keeps only its last 100 (a
// deque), so the file is a window that slides along the curve, and a read may land while it is
// being rewritten (empty, or cut short). Each update lines the file up against what was seen
// before (the longest overlap of the file's first lines with the last ones seen) and adds only
// what comes after; a file that is appended to lines up at its start. A trainer that keeps a
// window must write distinct lines (cloudml-hypertune's carry a timestamp): a report identical
// to the ones before it cannot be told from the window it was in. Problems name reports ("report
// 3"), counted over the trial and skipping blank lines.
class MetricFileFollower {
 public:
  MetricFileFollower() = default;
  MetricFileFollower(std::filesystem::path path, std::string tag) : path_(std::move(path)), tag_(std::move(tag)) {}

  // Reads the file again; true when it held reports not seen before. While the trainer runs, a
  // last line without its newline may be half written and waits for the next read; `complete`
  // (the trainer has exited) takes it when it is a whole JSON object.
  bool update(bool complete = false);
  // Every report seen, as a curve, and the lines that were no report.
  MetricFileContents contents() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  // A report as its line gives it: its step only when the line has one.
  struct Report {
    std::optional<long> step;
    double value = 0;
    std::optional<double> timestamp;
  };
  void add(std::string line);

  std::filesystem::path path_;
  std::string tag_;
  std::vector<std::string> lines_;  // non-blank lines seen, in the order the trainer wrote them
  std::size_t window_start_ = 0;     // where in lines_ the last read's window began
  std::vector<Report> reports_;      // the lines that carry the tag, parsed once each
  std::vector<std::string> problems_;
};

}  // namespace treeline::jobs
