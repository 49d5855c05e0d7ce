#include "treeline/cli/flag_hints.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "treeline/common/spelling.h"

namespace treeline::cli {

std::optional<std::string> closest_flag(const CLI::App& command, std::string_view flag) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options())
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  if (std::find(names.begin(), names.end(), flag) != names.end()) return std::nullopt;  // not misspelt
  return closest_spelling(flag, {names.begin(), names.end()});
}

void print_flag_hints(const CLI::App& app, int argc, char** argv) {
  const CLI::App* reached = &app;
  for (auto chosen = reached->get_subcommands(); !chosen.empty(); chosen = reached->get_subcommands())
    reached = chosen.front();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;  // what follows is the trainer's
    if (!arg.starts_with("--")) continue;
    const std::string_view flag = arg.substr(0, arg.find('='));
    if (const auto meant = closest_flag(*reached, flag)) {
      std::string command = reached->get_name();
      for (const CLI::App* up = reached->get_parent(); up != nullptr; up = up->get_parent())
        command = up->get_name() + " " + command;
      fmt::print(stderr, "treeline: {} is not a flag of `{}`: did you mean {}?\n", flag, command, *meant);
    }
  }
}

}  // namespace treeline::cli
