#include "treeline/executors/machine_slots.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"

namespace treeline::executors {
namespace {

std::filesystem::path slot_path(const std::filesystem::path& directory, int index) {
  return directory / ("slot-" + std::to_string(index));
}

// Whether the flock call failed only because someone else holds the lock.
bool is_contended(int error) { return error == EWOULDBLOCK || error == EAGAIN; }

}  // namespace

MachineSlots::MachineSlots(std::filesystem::path directory, int capacity)
    : directory_(std::move(directory)),
      capacity_(capacity > 0 ? capacity : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) throw SystemError("cannot create slot directory " + directory_.string() + ": " + error.message());
}

std::filesystem::path MachineSlots::default_directory() {
  return "/tmp/treeline-slots-" + std::to_string(::getuid());
}

std::unique_ptr<MachineSlot> MachineSlots::try_acquire() {
  for (int index = 0; index < capacity_; ++index) {
    const std::filesystem::path path = slot_path(directory_, index);
    // 0666 (less the umask) so agents of other users can share a directory made for them.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666));
    if (fd.get() < 0) throw_errno("cannot open slot file " + path.string());
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return std::make_unique<MachineSlot>(std::move(fd), index);
    if (!is_contended(errno)) throw_errno("cannot lock slot file " + path.string());
  }
  return nullptr;
}

int MachineSlots::held() const {
  int count = 0;
  for (int index = 0; index < capacity_; ++index) {
    const std::filesystem::path path = slot_path(directory_, index);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) continue;  // never created, so never held
      throw_errno("cannot open slot file " + path.string());
    }
    // A shared probe conflicts with a holder's exclusive lock but not with other agents' probes,
    // so concurrent held() calls do not count each other. The probe's lock goes with the fd.
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) continue;
    if (!is_contended(errno)) throw_errno("cannot probe slot file " + path.string());
    ++count;
  }
  return count;
}

}  // namespace treeline::executors
