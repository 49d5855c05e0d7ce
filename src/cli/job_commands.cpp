#include "treeline/cli/commands.h"

namespace treeline::cli {

void add_job_commands(CLI::App& app) {}

}  // namespace treeline::cli
