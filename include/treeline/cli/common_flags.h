#pragma once
// Flags shared by several commands, each group registered on a CLI11 subcommand in one call.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "treeline/data/split.h"
#include "treeline/features/preprocessor.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/cover_type_trainer.h"

namespace treeline::cli {

// A CLI11 check that a flag's value is a whole number from `min` to `max`, read by the rule every
// other number follows (common/number_text.h). CLI11's own ranges print their bounds as doubles
// (1.797693e+308) and call a word "not in range".
CLI::Validator whole_number(std::int64_t min, std::int64_t max);
inline constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
// Seconds, a number >= 0.
CLI::Validator non_negative_seconds();
// A file or folder path that is not empty (`--store ""` would be the current folder's nothing).
CLI::Validator non_empty_path();

// --seed reaches XGBoost, whose seed is a signed 64-bit integer (data::kMaxSeed).
inline CLI::Validator seed_check() { return whole_number(0, static_cast<std::int64_t>(data::kMaxSeed)); }

// `relative` (data/..., config/...) from the current folder when it is there, else from the source
// tree the binary was built from: the defaults work from any folder.
std::string bundled_file(const std::string& relative);
std::string default_sample_data();
std::string default_store();

// Where the rows come from: --data (CSV or sqlite:PATH) and --query.
struct DataFlags {
  std::string data = default_sample_data();
  std::string query;
  // `required`: no default (predict scores data the user names).
  void add_to(CLI::App& app, bool required = false);
};

struct TrainingFlags {
  int nthread = 0;
  std::uint64_t seed = 42;
  double test_fraction = 0.2;
  std::string encoding = "categorical";
  // Hyperparameters in the order given, as (name, value).
  std::vector<std::pair<std::string, std::string>> hyperparameters;

  void add_to(CLI::App& app);
  // Validates and converts; the arguments `command` did not recognise (CLI11's remaining()) are
  // an error, which names the flag or hyperparameter a near miss was likely meant as.
  model::TrainingOptions training_options(const CLI::App& command) const;
  pipeline::SplitOptions split_options() const;
  features::Encoding parsed_encoding() const;
};

bool stderr_is_terminal();

// "1,3,5" -> {1, 3, 5}; InputError naming --cover-types otherwise.
std::vector<int> parse_cover_types(const std::string& text);

}  // namespace treeline::cli
