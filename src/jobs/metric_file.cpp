#include "treeline/jobs/metric_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "treeline/common/number_text.h"
#include "treeline/common/utf8.h"

namespace treeline::jobs {
namespace {

constexpr double kMaxStep = 9007199254740992.0;  // 2^53: every whole number up to it is exact

// A number given as a JSON number or as a string holding one.
std::optional<double> number_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  return parse_double(v.get_ref<const std::string&>());
}

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

void MetricFileFollower::add(std::string line) {
  lines_.push_back(std::move(line));
  const std::string where = fmt::format("report {}", lines_.size());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(lines_.back());
  } catch (const nlohmann::json::exception&) {
    problems_.push_back(fmt::format("{}: not a JSON object: {}", where, printable_utf8(lines_.back(), 80)));
    return;
  }
  if (!j.is_object()) {
    problems_.push_back(fmt::format("{}: not a JSON object", where));
    return;
  }
  if (!j.contains(tag_)) return;
  const auto value = number_of(j[tag_]);
  if (!value || !std::isfinite(*value)) {
    problems_.push_back(fmt::format("{}: {} is not a finite number: {}", where, tag_, j[tag_].dump()));
    return;
  }
  Report r{std::nullopt, *value, std::nullopt};
  if (j.contains("global_step")) {
    const auto s = number_of(j["global_step"]);
    if (!s || !std::isfinite(*s) || *s < 0 || *s > kMaxStep || std::floor(*s) != *s) {
      problems_.push_back(fmt::format("{}: global_step is not a step count (a whole number from 0 to {}): {}", where,
                                      kMaxStep, j["global_step"].dump()));
      return;
    }
    r.step = static_cast<long>(*s);
  }
  // The time is optional in the contract: one that is not a number is left out, not a problem.
  if (j.contains("timestamp")) {
    r.timestamp = number_of(j["timestamp"]);
    if (r.timestamp && !std::isfinite(*r.timestamp)) r.timestamp.reset();
  }
  reports_.push_back(r);
}

bool MetricFileFollower::update(bool complete) {
  // Complete lines only: an unterminated last line is a report being written, or the cut end of
  // a rewrite the trainer did not finish (killed halfway); `complete` looks at it below.
  std::vector<std::string> window;
  std::string cut;
  {
    std::ifstream in(path_, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) {
        cut = std::move(line);
        break;
      }
      if (!is_blank(line)) window.push_back(std::move(line));
    }
  }
  // The smallest start in lines_, from the last window's on (windows only move forward), at
  // which the window's first lines repeat lines_'s last ones: the longest overlap. A window
  // that lies wholly inside what was seen (a rewrite caught halfway) overlaps in full.
  const std::size_t seen = lines_.size();
  std::size_t from = seen;
  for (std::size_t start = window_start_; start < seen; ++start) {
    const std::size_t overlap = std::min(window.size(), seen - start);
    if (overlap > 0 && std::equal(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(overlap),
                                  lines_.begin() + static_cast<std::ptrdiff_t>(start))) {
      from = start;
      break;
    }
  }
  const std::size_t overlap = std::min(window.size(), seen - from);
  const bool reaches_the_end = from + window.size() >= seen;  // not a rewrite caught halfway
  if (!window.empty()) window_start_ = from;
  for (std::size_t k = overlap; k < window.size(); ++k) add(std::move(window[k]));
  bool added = overlap < window.size();
  // The trainer has exited: a last line without its newline is all there will be of it. Taken
  // when it is a whole JSON object after a window that reaches the end, not a cut fragment.
  if (complete && !is_blank(cut) && reaches_the_end) {
    const auto j = nlohmann::json::parse(cut, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded() && j.is_object()) {
      add(std::move(cut));
      added = true;
    } else {
      // Said, though not taken: a trainer whose only output is such a line hears what it wrote.
      problems_.push_back(fmt::format("report {} (the last line, with no newline after it): not a JSON object: {}",
                                      lines_.size() + 1, printable_utf8(cut, 80)));
    }
  }
  return added;
}

MetricFileContents MetricFileFollower::contents() const {
  std::vector<ReportedMetric> m;
  m.reserve(reports_.size());
  for (std::size_t k = 0; k < reports_.size(); ++k)
    m.push_back({reports_[k].step.value_or(static_cast<long>(k + 1)), reports_[k].value, reports_[k].timestamp});
  // cloudml-hypertune writes global_step "0" when the trainer gives none: when every report has
  // the same step, their order is the only step the stopping rules can compare trials at.
  if (m.size() > 1 && std::all_of(m.begin(), m.end(), [&](const auto& r) { return r.training_step == m[0].training_step; })) {
    for (std::size_t k = 0; k < m.size(); ++k) m[k].training_step = static_cast<long>(k + 1);
    return {std::move(m), problems_};
  }
  // Otherwise the curve keeps the steps given, and a report at a step already passed (a final
  // report repeating the last step, or going back to a restored checkpoint's) replaces the
  // points from there on: the curve's steps increase and its last point is the last report.
  std::vector<ReportedMetric> curve;
  for (const auto& r : m) {
    while (!curve.empty() && curve.back().training_step >= r.training_step) curve.pop_back();
    curve.push_back(r);
  }
  return {std::move(curve), problems_};
}

}  // namespace treeline::jobs
