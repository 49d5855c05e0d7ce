#pragma once
#include <optional>
#include <string>

namespace treeline {

// This machine's host name, to tell local agents (whose liveness can be checked) from others.
std::string host_name();

// What tells live process `pid` on this machine from any other that had or will have its pid:
// "BOOT_ID:START_TICKS" from /proc, free of the wall clock (which may jump). nullopt when no such
// process runs, it has exited (a zombie) or /proc does not show it (hidepid).
std::optional<std::string> process_identity(long pid);

// Whether `pid` on this machine is a process that has exited and awaits reaping (a zombie).
bool process_exited(long pid);

// Whether process `pid` on this machine is stopped (SIGSTOP, Ctrl-Z) or held by a tracer.
bool process_stopped(long pid);

}  // namespace treeline
