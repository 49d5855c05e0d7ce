#pragma once
// Reads a trial's hypertune metric file: one JSON object per line, as cloudml-hypertune writes
// it, e.g. {"global_step": "1000", "f1": "0.987", "timestamp": 1525851440.12, "trial": "3"}.
// Values may be strings or numbers.
#include <filesystem>
#include <memory>
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
// is appended to lines up at its start. A trainer that keeps a window must write distinct lines
// (cloudml-hypertune's carry a timestamp): a report identical to the ones before it cannot be
// told from the window it was in. Problems name reports ("report 3"), counted over the trial.
class MetricFileFollower {
 public:
  MetricFileFollower() = default;
  MetricFileFollower(std::filesystem::path path, std::string tag);
  // One follower per file: a copy would share the parsed reports but not the lines.
  MetricFileFollower(const MetricFileFollower&) = delete;
  MetricFileFollower& operator=(const MetricFileFollower&) = delete;
  MetricFileFollower(MetricFileFollower&&) = default;
  MetricFileFollower& operator=(MetricFileFollower&&) = default;

  // Reads the file again; true when it held reports not seen before. While the trainer runs, a
  // last line without its newline may be half written and waits for the next read; `complete`
  // (the trainer has exited) takes it when it is a whole JSON object.
  bool update(bool complete = false);
  // read_metric_file's result for every report seen, in order.
  MetricFileContents contents() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Parsed;  // the reports and problems of lines_, parsed once each
  void add(std::string line);

  std::filesystem::path path_;
  std::string tag_;
  std::vector<std::string> lines_;  // non-blank lines seen, in the order the trainer wrote them
  std::size_t window_start_ = 0;     // where in lines_ the last read's window began
  std::shared_ptr<Parsed> parsed_;
};

}  // namespace treeline::jobs
