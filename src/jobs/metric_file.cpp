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

}  // namespace

MetricFileContents read_metric_file(const std::filesystem::path& path, const std::string& tag) {
  MetricFileContents out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
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

}  // namespace treeline::jobs
