#include "treeline/common/error.h"

#include <cerrno>
#include <cstring>

namespace treeline {

void throw_errno(const std::string& what) {
  const int err = errno;
  throw SystemError(what + ": " + std::strerror(err));
}

}  // namespace treeline
