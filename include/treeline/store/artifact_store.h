#pragma once
// Where datasets, preprocessors, models and metrics are kept (the seed's Cloud Storage bucket).
// Keys are relative paths with '/' ("PROJECT/NAME/models/cover_type_1/model.json").
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace treeline::store {

struct StoredFile {
  std::string name;  // relative to the set's prefix; may contain '/'
  std::string bytes;
};

class ArtifactStore {
 public:
  virtual ~ArtifactStore() = default;
  // Replaces everything under `prefix` with `files`, all or nothing: a reader sees the previous
  // set or the new one, never a mix, whatever happens mid-write.
  virtual void write_set(const std::string& prefix, const std::vector<StoredFile>& files) = 0;
  virtual std::string read(const std::string& key) const = 0;
  virtual bool exists(const std::string& key) const = 0;
  // What users see and pass around: a local absolute path for the directory store.
  virtual std::string uri(const std::string& key) const = 0;
  // A local file with the artifact's bytes, to memory-map.
  virtual std::filesystem::path local_path(const std::string& key) const = 0;
};

// Checks that a PROJECT or NAME can be a single folder name: not empty, not . or .., no slash,
// not absolute, no control characters. `what` names the argument in the error.
void validate_name(const std::string& name, const std::string& what);

}  // namespace treeline::store
