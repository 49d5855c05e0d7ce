// The trainer-args check at submit (pipeline::default_trainer_flags) knows train-evaluate's flags
// from a list in the library; the CLI registers them one by one. This holds the two together.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <set>
#include <string>

#include "treeline/cli/commands.h"
#include "treeline/pipeline/default_trainer.h"

namespace treeline::cli {
namespace {

TEST(TrainEvaluateFlags, TheCliRegistersExactlyTheFlagsTheSubmitCheckKnows) {
  CLI::App app;
  add_pipeline_commands(app);
  const CLI::App* cmd = app.get_subcommand("train-evaluate");
  std::set<std::string> registered;
  for (const CLI::Option* option : cmd->get_options())
    if (option->get_group() != "Hyperparameters")
      for (const auto& name : option->get_lnames())
        if (name != "help") registered.insert("--" + name);
  const auto& known = pipeline::default_trainer_flags();
  EXPECT_EQ(registered, std::set<std::string>(known.begin(), known.end()));
}

}  // namespace
}  // namespace treeline::cli
