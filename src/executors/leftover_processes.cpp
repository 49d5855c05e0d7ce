#include "treeline/executors/leftover_processes.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace treeline::executors {

int kill_processes_by_environment(std::string_view variable, std::string_view prefix) {
  const std::string wanted = std::string(variable) + "=" + std::string(prefix);
  const std::string own = std::to_string(::getpid());
  int killed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename().string();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0])) || pid == own) continue;
    // Readable for this user's processes only; others (and those gone meanwhile) are skipped.
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    if (!in) continue;
    const std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::size_t start = 0; start < environ.size();) {
      std::size_t end = environ.find('\0', start);
      if (end == std::string::npos) end = environ.size();
      if (std::string_view(environ).substr(start, end - start).starts_with(wanted)) {
        if (::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL) == 0) ++killed;
        break;
      }
      start = end + 1;
    }
  }
  return killed;
}

}  // namespace treeline::executors
