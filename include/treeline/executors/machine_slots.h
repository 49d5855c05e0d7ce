#pragma once
// A machine-wide cap on trial processes, shared by every agent on the machine whatever store it
// serves: N lock files in a directory; holding an flock on one is holding a slot. The kernel
// releases the locks of a process that dies, so a killed agent never leaks slots.
#include <filesystem>
#include <memory>
#include <optional>

#include "treeline/common/unique_fd.h"

namespace treeline::executors {

class MachineSlot {
 public:
  // The lock belongs to the open file description: closing `fd` (when the slot goes) frees it.
  MachineSlot(UniqueFd fd, int index) : fd_(std::move(fd)), index_(index) {}
  int index() const { return index_; }

 private:
  UniqueFd fd_;
  int index_;
};

class MachineSlots {
 public:
  // `directory` defaults to /tmp/treeline-slots-UID; `capacity` to the number of cores.
  MachineSlots(std::filesystem::path directory, int capacity);
  static std::filesystem::path default_directory();

  // A free slot, or nothing when all `capacity` are held (by this or other processes).
  std::unique_ptr<MachineSlot> try_acquire();
  // How many slots are held right now, machine-wide (for dividing cores among trials).
  int held() const;
  int capacity() const { return capacity_; }

 private:
  std::filesystem::path directory_;
  int capacity_;
};

}  // namespace treeline::executors
