#include "treeline/store/manifest.h"

#include <fmt/format.h>

#include "treeline/common/error.h"
#include "treeline/common/sha256.h"

namespace treeline::store {

void write_with_manifest(ArtifactStore& store, const std::string& prefix, std::vector<StoredFile> files,
                         const nlohmann::json& metadata) {
  nlohmann::json manifest;
  manifest["format"] = "treeline.manifest/1";
  manifest["metadata"] = metadata;
  manifest["files"] = nlohmann::json::object();
  for (const auto& f : files) manifest["files"][f.name] = {{"sha256", sha256_hex(f.bytes)}, {"bytes", f.bytes.size()}};
  files.push_back({"manifest.json", manifest.dump(2) + "\n"});
  store.write_set(prefix, files);
}

nlohmann::json read_manifest(const ArtifactStore& store, const std::string& prefix) {
  const std::string key = prefix + "/manifest.json";
  if (!store.exists(key)) throw InputError(fmt::format("{}: no manifest; nothing was stored here", store.uri(key)));
  try {
    return nlohmann::json::parse(store.read(key));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: unreadable manifest: {}", store.uri(key), e.what()));
  }
}

std::string read_verified(const ArtifactStore& store, const std::string& prefix, const nlohmann::json& manifest,
                          const std::string& name) {
  const std::string key = prefix + "/" + name;
  if (!manifest.contains("files") || !manifest["files"].contains(name))
    throw InputError(fmt::format("{}: not listed in its manifest", store.uri(key)));
  std::string bytes = store.read(key);
  check_sha256(store.uri(key), bytes, manifest["files"][name].at("sha256").get<std::string>());
  return bytes;
}

void check_sha256(const std::string& uri, std::string_view bytes, const std::string& expected,
                  std::string_view remedy) {
  const std::string actual = sha256_hex(bytes);
  if (actual != expected)
    throw InputError(fmt::format("{}: sha256 {} does not match its manifest ({}); the file was changed or damaged "
                                 "after it was stored, {}",
                                 uri, actual, expected, remedy));
}

}  // namespace treeline::store
