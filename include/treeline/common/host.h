#pragma once
#include <string>

namespace treeline {

// This machine's host name, to tell local agents (whose liveness can be checked) from others.
std::string host_name();

}  // namespace treeline
