#include "treeline/jobs/metric_file.h"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace treeline::jobs {
namespace {

// A number given as a JSON number or as a string holding one.
std::optional<double> number_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  double d = 0;
  const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return d;
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
      out.problems.push_back(fmt::format("line {}: not a JSON object: {:.80}", number, line));
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
      if (!s) {
        out.problems.push_back(fmt::format("line {}: global_step is not a number: {}", number, j["global_step"].dump()));
        continue;
      }
      step = static_cast<long>(*s);
    }
    out.metrics.push_back({step, *value});
  }
  return out;
}

}  // namespace treeline::jobs
