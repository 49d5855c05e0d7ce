#include "treeline/pipeline/last_run.h"

#include <fmt/format.h>

namespace treeline::pipeline {
namespace {

std::string record_key(const std::string& prefix) { return prefix + "/last_run/run.json"; }

}  // namespace

void record_last_run(store::ArtifactStore& store, const std::string& prefix, const nlohmann::json& run) {
  store.write_set(prefix + "/last_run", {{"run.json", run.dump(2) + "\n"}});
}

std::optional<std::string> unfinished_run(const store::ArtifactStore& store, const std::string& prefix) {
  const std::string key = record_key(prefix);
  if (!store.exists(key)) return std::nullopt;
  try {
    const auto run = nlohmann::json::parse(store.read(key));
    const std::string state = run.value("state", "");
    if (run.value("command", "") != "run-local" || state == "SUCCEEDED") return std::nullopt;
    return fmt::format("the last run-local on these models, started {} on cover types {}, {}", run.value("started", "?"),
                       run.value("cover_types", nlohmann::json::array()).dump(),
                       state == "RUNNING" ? "did not finish (killed?)" : "failed: " + run.value("error", ""));
  } catch (const nlohmann::json::exception&) {
    return fmt::format("{} is not readable JSON", store.uri(key));
  }
}

}  // namespace treeline::pipeline
