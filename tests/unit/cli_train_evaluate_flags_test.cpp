// The trainer-args check at submit (pipeline::default_trainer_flags) knows train-evaluate's flags
// from a list in the library; the CLI registers them one by one. This holds the two together.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <set>
#include <string>

#include "treeline/cli/commands.h"
#include "treeline/common/error.h"
#include "treeline/jobs/training_input.h"
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

TEST(TrainEvaluateFlags, TheSubmitCheckAcceptsTheValuesTheCliAccepts) {
  // The values CLI11 checks (the others go through the same library parsers on both sides).
  const jobs::TrainingInput input = jobs::parse_training_input("scaleTier: BASIC\n", "t.yaml");
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"cover-type", {"0", "1", "7", "8", "two", "1.5", "-3"}},
      {"report-every", {"-1", "0", "5", "x", "2.5"}},
      {"nthread", {"-1", "0", "3", "a", "1024", "1025", "99999"}},
  };
  for (const auto& [flag, values] : cases)
    for (const std::string& value : values) {
      const std::string arg = "--" + flag + "=" + value;
      std::vector<std::string> argv = {"train-evaluate", "--project=p", "--name=n", "--job-dir=d", arg};
      if (flag != "cover-type") argv.push_back("--cover-type=1");
      CLI::App app;
      add_pipeline_commands(app);
      app.get_subcommand("train-evaluate")->callback([] {});  // parse only: no training
      bool cli_accepts = true;
      try {
        std::vector<std::string> reversed(argv.rbegin(), argv.rend());  // as CLI11 takes them
        app.parse(reversed);
      } catch (const CLI::ParseError&) {
        cli_accepts = false;
      }
      bool submit_accepts = true;
      try {
        pipeline::check_args_for_default_trainer(input, {arg}, [](std::size_t) { return std::string("args"); });
      } catch (const InputError&) {
        submit_accepts = false;
      }
      EXPECT_EQ(cli_accepts, submit_accepts) << arg;
    }
}

}  // namespace
}  // namespace treeline::cli
