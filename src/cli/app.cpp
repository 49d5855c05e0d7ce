#include "treeline/cli/app.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "treeline/cli/commands.h"
#include "treeline/cli/flag_hints.h"
#include "treeline/common/error.h"

namespace treeline::cli {

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
    if (code != 0) print_flag_hints(app, argc, argv);
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
