#pragma once
// An artifact set with its manifest.json: metadata plus the sha256 and size of every file, so
// readers can refuse a file that is not what was stored.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/store/artifact_store.h"

namespace treeline::store {

// Writes `files` and a manifest.json describing them (with `metadata` under "metadata") as one
// atomic set at `prefix`.
void write_with_manifest(ArtifactStore& store, const std::string& prefix, std::vector<StoredFile> files,
                         const nlohmann::json& metadata);

nlohmann::json read_manifest(const ArtifactStore& store, const std::string& prefix);

// Reads `name` from the set at `prefix` and checks its sha256 against the manifest; throws
// InputError naming the file and both digests on a mismatch.
std::string read_verified(const ArtifactStore& store, const std::string& prefix, const nlohmann::json& manifest,
                          const std::string& name);

// Throws that InputError, for `uri`, when `bytes` do not have the sha256 `expected`; `remedy`
// ends the message.
void check_sha256(const std::string& uri, std::string_view bytes, const std::string& expected,
                  std::string_view remedy = "refusing to use it");

}  // namespace treeline::store
