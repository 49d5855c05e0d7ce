#include "treeline/store/directory_store.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <fmt/format.h>

#include <random>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"

namespace treeline::store {
namespace fs = std::filesystem;

void validate_name(const std::string& name, const std::string& what) {
  auto refuse = [&](const std::string& why) {
    throw InputError(fmt::format("{} '{}': {}; expected a plain folder name such as 'my-project'", what, name, why));
  };
  if (name.empty()) refuse("is empty");
  if (name == "." || name == "..") refuse("is a relative path component");
  if (name.front() == '/') refuse("is an absolute path");
  for (char c : name) {
    if (c == '/' || c == '\\') refuse("contains a slash");
    if (static_cast<unsigned char>(c) < 0x20) refuse("contains a control character");
  }
  if (name.front() == '.') refuse("starts with a dot");
}

namespace {
fs::path absolute_root(fs::path root) {
  if (root.empty()) throw InputError("an artifact store needs a folder: its path is empty");
  return fs::absolute(root).lexically_normal();
}
}  // namespace

DirectoryStore::DirectoryStore(fs::path root) : root_(absolute_root(std::move(root))) {}

fs::path DirectoryStore::resolve(const std::string& key) const {
  const fs::path relative = fs::path(key).lexically_normal();
  if (key.empty() || relative.is_absolute() || *relative.begin() == "..")
    throw InputError(fmt::format("artifact key '{}' leaves the store {}", key, root_.string()));
  return root_ / relative;
}

void DirectoryStore::write_set(const std::string& prefix, const std::vector<StoredFile>& files) {
  const fs::path target = resolve(prefix);
  const fs::path parent = target.parent_path();
  // What failed is named with the store and the set, not only the staging path it failed at.
  auto cannot_store = [&](const std::string& why) {
    return SystemError(fmt::format("cannot store {} in the artifact store {} (is it writable, with space left?): {}",
                                   prefix, root_.string(), why));
  };
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw cannot_store(fmt::format("cannot create {}: {}", parent.string(), ec.message()));

  // Stage the whole set beside the target, then swap it in with one atomic rename.
  const fs::path staging =
      parent / fmt::format(".{}.staging-{}-{}", target.filename().string(), ::getpid(), std::random_device{}());
  try {
    for (const auto& f : files) write_file_atomically(staging / f.name, f.bytes);
    fsync_directory(staging);
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
      fsync_directory(parent);
      return;
    }
    if (errno != EEXIST) throw_errno(fmt::format("cannot move {} into place", target.string()));
    // The target exists: exchange old and new atomically, then delete the old one.
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0)
      throw_errno(fmt::format("cannot replace {}", target.string()));
    fsync_directory(parent);
  } catch (const SystemError& e) {
    fs::remove_all(staging, ec);
    throw cannot_store(e.what());
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(staging, ec);  // now holds the previous version
}

std::string DirectoryStore::read(const std::string& key) const { return read_file(resolve(key)); }

bool DirectoryStore::exists(const std::string& key) const { return fs::exists(resolve(key)); }

std::string DirectoryStore::uri(const std::string& key) const { return resolve(key).string(); }

fs::path DirectoryStore::local_path(const std::string& key) const { return resolve(key); }

}  // namespace treeline::store
