#pragma once
// A machine-wide cap on trial processes, shared by every agent on the machine whatever store it
// serves: N lock files in a directory; holding an flock on one is holding a slot. The kernel
// releases the locks of a process that dies, so a killed agent never leaks slots.
#include <filesystem>
#include <memory>
#include <optional>

namespace treeline::executors {

class MachineSlot {
 public:
  explicit MachineSlot(int fd, int index);
  ~MachineSlot();
  MachineSlot(const MachineSlot&) = delete;
  MachineSlot& operator=(const MachineSlot&) = delete;
  int index() const { return index_; }

 private:
  int fd_;
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
