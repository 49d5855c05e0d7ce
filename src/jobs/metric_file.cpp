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

// The file's lines; a last one without its newline only when `unterminated_too`.
std::vector<std::string> file_lines(const std::filesystem::path& path, bool unterminated_too) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  if (!in) return lines;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof() && !unterminated_too) break;  // getline hit the end before a newline
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

MetricFileContents read_metric_file(const std::filesystem::path& path, const std::string& tag) {
  return parse_metric_lines(file_lines(path, /*unterminated_too=*/true), tag);
}

MetricFileContents parse_metric_lines(std::span<const std::string> lines, const std::string& tag) {
  MetricFileContents out;
  int number = 0;
  for (const std::string& line : lines) {
    ++number;
    if (is_blank(line)) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      out.problems.push_back(fmt::format("line {}: not a JSON object: {}", number, printable_utf8(line, 80)));
      continue;
    }
    if (!j.is_object()) {
      out.problems.push_back(fmt::format("line {}: not a JSON object", number));
      continue;
    }
    if (!j.contains(tag)) continue;
    const auto value = number_of(j[tag]);
    if (!value || !std::isfinite(*value)) {
      out.problems.push_back(fmt::format("line {}: {} is not a finite number: {}", number, tag, j[tag].dump()));
      continue;
    }
    long step = static_cast<long>(out.metrics.size() + 1);
    if (j.contains("global_step")) {
      const auto s = number_of(j["global_step"]);
      if (!s || !std::isfinite(*s) || *s < 0 || *s > kMaxStep || std::floor(*s) != *s) {
        out.problems.push_back(fmt::format("line {}: global_step is not a step count (a whole number from 0 to {}): {}",
                                           number, kMaxStep, j["global_step"].dump()));
        continue;
      }
      step = static_cast<long>(*s);
    }
    // The time is optional in the contract: one that is not a number is left out, not a problem.
    std::optional<double> timestamp;
    if (j.contains("timestamp")) {
      timestamp = number_of(j["timestamp"]);
      if (timestamp && !std::isfinite(*timestamp)) timestamp.reset();
    }
    out.metrics.push_back({step, *value, timestamp});
  }
  // cloudml-hypertune writes global_step "0" when the trainer gives none: when every report has
  // the same step, their order is the only step the stopping rules can compare trials at.
  auto& m = out.metrics;
  if (m.size() > 1 && std::all_of(m.begin(), m.end(), [&](const auto& r) { return r.training_step == m[0].training_step; })) {
    for (std::size_t k = 0; k < m.size(); ++k) m[k].training_step = static_cast<long>(k + 1);
    return out;
  }
  // Otherwise the curve keeps the steps given, and a report at a step already passed (a final
  // report repeating the last step, or going back to a restored checkpoint's) replaces the
  // points from there on: the curve's steps increase and its last point is the last report.
  std::vector<ReportedMetric> curve;
  for (const auto& r : out.metrics) {
    while (!curve.empty() && curve.back().training_step >= r.training_step) curve.pop_back();
    curve.push_back(r);
  }
  out.metrics = std::move(curve);
  return out;
}

bool MetricFileFollower::update(bool complete) {
  std::vector<std::string> window;
  for (auto& line : file_lines(path_, complete))
    if (!is_blank(line)) window.push_back(std::move(line));
  // The smallest start `from` in lines_ at which the window's first lines repeat lines_'s last
  // ones (the longest overlap); from == lines_.size() when none does. A window that lies wholly
  // inside what was seen (a rewrite caught halfway) overlaps in full and adds nothing.
  const std::size_t seen = lines_.size();
  std::size_t from = seen;
  for (std::size_t start = 0; start < seen; ++start) {
    const std::size_t overlap = std::min(window.size(), seen - start);
    if (overlap > 0 && std::equal(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(overlap),
                                  lines_.begin() + static_cast<std::ptrdiff_t>(start))) {
      from = start;
      break;
    }
  }
  const std::size_t overlap = std::min(window.size(), seen - from);
  if (overlap == window.size()) return false;
  lines_.insert(lines_.end(), std::make_move_iterator(window.begin() + static_cast<std::ptrdiff_t>(overlap)),
                std::make_move_iterator(window.end()));
  return true;
}

}  // namespace treeline::jobs
