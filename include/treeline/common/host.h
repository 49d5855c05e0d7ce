#pragma once
#include <optional>
#include <string>

namespace treeline {

// This machine's host name, to tell local agents (whose liveness can be checked) from others.
std::string host_name();

// When process `pid` on this machine started (seconds since the epoch, to the clock tick), from
// /proc; nullopt when no such process exists. Tells a live process from a later one that reused
// a dead one's pid.
std::optional<double> process_start_time(long pid);

}  // namespace treeline
