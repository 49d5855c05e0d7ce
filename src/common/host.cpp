#include "treeline/common/host.h"

#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

namespace treeline {
namespace {

struct ProcessStat {
  char state = '?';         // field 3
  std::string start_ticks;  // field 22
};

std::optional<ProcessStat> read_process_stat(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string state;
  std::string field;
  if (!(fields >> state) || state.size() != 1) return std::nullopt;
  for (int i = 4; i <= 22; ++i)
    if (!(fields >> field)) return std::nullopt;
  return ProcessStat{state[0], field};
}

}  // namespace

std::string host_name() {
  std::array<char, 256> buf{};
  ::gethostname(buf.data(), buf.size() - 1);
  return buf.data();
}

std::optional<std::string> process_identity(long pid) {
  const auto stat = read_process_stat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::string boot_id;
  if (!boot || !std::getline(boot, boot_id)) return std::nullopt;
  return boot_id + ":" + stat->start_ticks;
}

bool process_exited(long pid) {
  const auto stat = read_process_stat(pid);
  return stat && (stat->state == 'Z' || stat->state == 'X');
}

bool process_stopped(long pid) {
  const auto stat = read_process_stat(pid);
  return stat && (stat->state == 'T' || stat->state == 't');
}

}  // namespace treeline
