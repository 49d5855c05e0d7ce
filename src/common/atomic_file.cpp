#include "treeline/common/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"

namespace treeline {
namespace fs = std::filesystem;

void fsync_directory(const fs::path& dir) {
  // Best effort: some file systems refuse fsync on directories.
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

AtomicFileWriter::AtomicFileWriter(const fs::path& target)
    : target_(target),
      dir_(target.has_parent_path() ? target.parent_path() : fs::path(".")),
      path_(dir_ / fmt::format(".{}.tmp.{}.{}", target.filename().string(), ::getpid(), std::random_device{}())),
      fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) {
  if (!fd_) throw_errno("cannot create " + path_.string());
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) ::unlink(path_.c_str());
}

void AtomicFileWriter::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + target_.string());
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_.get()) != 0) throw_errno("cannot flush " + target_.string());
  if (fd_.close() != 0) throw_errno("cannot close " + target_.string());
  if (::rename(path_.c_str(), target_.c_str()) != 0)
    throw_errno("cannot rename " + path_.string() + " to " + target_.string());
  committed_ = true;
  fsync_directory(dir_);
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  std::error_code ec;
  // A device or a pipe (--out /dev/stdout, a FIFO) is written to: renaming a file over it would
  // replace the device node itself.
  if (const auto status = fs::status(path, ec); fs::exists(status) && !fs::is_regular_file(status) &&
                                                 !fs::is_directory(status)) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw SystemError(std::string("cannot write ").append(path.string()));
    return;
  }
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  fs::create_directories(dir, ec);
  if (ec) throw SystemError("cannot create directory " + dir.string() + ": " + ec.message());
  AtomicFileWriter file(path);
  file.write(bytes);
  file.commit();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path.string() + ": no such file or not readable");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace treeline
