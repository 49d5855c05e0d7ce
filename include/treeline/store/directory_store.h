#pragma once
// The artifact store as a directory tree on a local (or shared) file system.
#include <filesystem>

#include "treeline/store/artifact_store.h"

namespace treeline::store {

class DirectoryStore : public ArtifactStore {
 public:
  explicit DirectoryStore(std::filesystem::path root);
  void write_set(const std::string& prefix, const std::vector<StoredFile>& files) override;
  std::string read(const std::string& key) const override;
  bool exists(const std::string& key) const override;
  std::string uri(const std::string& key) const override;
  std::filesystem::path local_path(const std::string& key) const override;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path resolve(const std::string& key) const;
  std::filesystem::path root_;
};

}  // namespace treeline::store
