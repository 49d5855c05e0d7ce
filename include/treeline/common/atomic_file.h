#pragma once
// Every artifact is written atomically: a temporary file beside the target, fsync, rename,
// fsync of the directory. A crash or a full disk mid-write leaves the previous version intact.
#include <filesystem>
#include <string_view>

#include "treeline/common/unique_fd.h"

namespace treeline {

// A path that names a device or pipe (/dev/stdout) is written to in place: it has no previous
// version to keep, and a rename would replace the node.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The streaming form, for content that arrives in pieces (a download): a hidden temporary file
// beside `target` (unique per writer, so concurrent writers do not collide), removed on
// destruction unless commit() flushed and renamed it onto the target.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::filesystem::path& target);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view bytes);
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path dir_;
  std::filesystem::path path_;
  UniqueFd fd_;
  bool committed_ = false;
};

// Makes a rename or creation in `dir` durable (best effort).
void fsync_directory(const std::filesystem::path& dir);

// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace treeline
