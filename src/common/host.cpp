#include "treeline/common/host.h"

#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

namespace treeline {

std::string host_name() {
  std::array<char, 256> buf{};
  ::gethostname(buf.data(), buf.size() - 1);
  return buf.data();
}

namespace {

std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 20, '\n');
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> process_start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i)
    if (i == 22) {
      const auto boot = boot_time();
      if (!boot) return std::nullopt;
      return *boot + std::stod(field) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
  return std::nullopt;
}

}  // namespace treeline
