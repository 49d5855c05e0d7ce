#include "treeline/cli/app.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "treeline/cli/commands.h"
#include "treeline/common/error.h"
#include "treeline/common/spelling.h"

namespace treeline::cli {
namespace {

// After a flag error: a --flag on the command line that the command it reached does not have,
// but nearly does (`submit --cover-type 1`, `--confg`), named with the one that was likely meant.
// CLI11 reports only the first problem it meets, which for `--confg x` is "--config is required".
void print_spelling_hints(const CLI::App& app, int argc, char** argv) {
  const CLI::App* reached = &app;
  for (auto chosen = reached->get_subcommands(); !chosen.empty(); chosen = reached->get_subcommands())
    reached = chosen.front();
  std::vector<std::string> names;
  for (const CLI::Option* option : reached->get_options())
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  const std::vector<std::string_view> candidates(names.begin(), names.end());
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;  // what follows is the trainer's
    if (!arg.starts_with("--")) continue;
    const std::string_view flag = arg.substr(0, arg.find('='));
    if (std::find(names.begin(), names.end(), flag) != names.end()) continue;
    if (const auto meant = closest_spelling(flag, candidates)) {
      std::string command = reached->get_name();
      for (const CLI::App* up = reached->get_parent(); up != nullptr; up = up->get_parent())
        command = up->get_name() + " " + command;
      fmt::print(stderr, "treeline: {} is not a flag of `{}`: did you mean {}?\n", flag, command, *meant);
    }
  }
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"treeline: train, tune and serve XGBoost models for the Covertype workshop, natively"};
  app.name("treeline");
  app.require_subcommand(1);
  app.set_version_flag("--version", "treeline 0.1.0");
  add_pipeline_commands(app);
  add_data_commands(app);
  add_job_commands(app);
  // Flag errors read like every other error (CLI11's own lack the prefix).
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt::format("treeline: error: {}\nRun with --help for more information.\n", e.what());
  });
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    if (code != 0) print_spelling_hints(app, argc, argv);
    return code == 0 ? 0 : 2;
  } catch (const InputError& e) {
    fmt::print(stderr, "treeline: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "treeline: error: {}\n", e.what());
    return 1;
  }
}

}  // namespace treeline::cli
