#pragma once
// PROJECT/NAME/last_run/run.json: what the last run that wrote PROJECT/NAME's models was and how it
// ended. run-local replaces models one cover type at a time, so until its last one is stored the
// set is part this run's and part the one before: its record says RUNNING until then, SUCCEEDED
// after, FAILED on an error; predict warns while a run-local's record is not SUCCEEDED. A submit
// records itself as SUBMITTED (its jobs say how it went).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "treeline/store/artifact_store.h"

namespace treeline::pipeline {

// Replaces the record of the last run under `prefix` ("PROJECT/NAME") with `run`: {command,
// state, started, ...}.
void record_last_run(store::ArtifactStore& store, const std::string& prefix, const nlohmann::json& run);

// What to warn of when the last run recorded under `prefix` is a run-local that did not end
// SUCCEEDED (or its record cannot be read); empty otherwise, and when there is no record.
std::optional<std::string> unfinished_run(const store::ArtifactStore& store, const std::string& prefix);

}  // namespace treeline::pipeline
