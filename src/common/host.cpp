#include "treeline/common/host.h"

#include <unistd.h>

#include <array>

namespace treeline {

std::string host_name() {
  std::array<char, 256> buf{};
  ::gethostname(buf.data(), buf.size() - 1);
  return buf.data();
}

}  // namespace treeline
