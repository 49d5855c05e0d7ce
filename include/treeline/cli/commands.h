#pragma once
// Each group of subcommands registers itself on the app; the callbacks hold only flag parsing
// and calls into the library.
#include <CLI/CLI.hpp>

namespace treeline::cli {

void add_pipeline_commands(CLI::App& app);  // run-local, prepare, train-evaluate, predict
void add_data_commands(CLI::App& app);      // data load, data fetch
void add_job_commands(CLI::App& app);       // submit, jobs ..., agent

}  // namespace treeline::cli
