#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace treeline::cli {

// After a flag error: a --flag on the command line that the command it reached does not have,
// but nearly does (`submit --cover-type 1`, `--confg`), named with the one that was likely meant.
// CLI11 reports only the first problem it meets, which for `--confg x` is "--config is required".
void print_flag_hints(const CLI::App& app, int argc, char** argv);

// The long flag of `command` nearest to `flag` ("--confg" -> "--config"), if one is near enough.
std::optional<std::string> closest_flag(const CLI::App& command, std::string_view flag);

}  // namespace treeline::cli
