#include "treeline/cli/app.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string_view>

#include "treeline/cli/commands.h"
#include "treeline/cli/flag_hints.h"
#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"

namespace treeline::cli {
namespace {

// CLI11 reads `--max_depth=` as a flag awaiting its value and takes the next argument for it
// (`--max_depth=--n_estimators=3`); an empty value is a slip, named before it can be misread.
// Arguments after `--` are a trainer's and left to it.
void refuse_empty_values(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return;
    if (arg.starts_with("--") && arg.size() > 3 && arg.find('=') == arg.size() - 1)
      throw InputError(jobs::empty_value_error(arg));
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
    refuse_empty_values(argc, argv);
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
