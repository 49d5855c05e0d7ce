#pragma once
// Errors are exceptions that carry where they happened (file and line, config path, flag) and
// what was expected. They are caught once, at the CLI.
#include <stdexcept>
#include <string>

namespace treeline {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user's input (a file, a flag, a config) is wrong; the message says what to fix.
class InputError : public Error {
 public:
  using Error::Error;
};

// The system failed us: a file could not be written, a library call failed.
class SystemError : public Error {
 public:
  using Error::Error;
};

// Throws SystemError with `what` and strerror(errno).
[[noreturn]] void throw_errno(const std::string& what);

}  // namespace treeline
