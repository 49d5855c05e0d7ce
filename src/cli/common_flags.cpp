#include "treeline/cli/common_flags.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "treeline/cli/flag_hints.h"
#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/model/hyperparameters.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/prepare.h"

namespace treeline::cli {

std::string bundled_file(const std::string& relative) {
  if (std::filesystem::exists(relative)) return relative;
#ifdef TREELINE_SOURCE_DIR
  const std::string bundled = std::string(TREELINE_SOURCE_DIR) + "/" + relative;
  if (std::filesystem::exists(bundled)) return bundled;
#endif
  return relative;
}

std::string default_sample_data() { return bundled_file("data/covertype-sample.csv.gz"); }

std::string default_store() { return "treeline-store"; }

CLI::Validator whole_number(std::int64_t min, std::int64_t max) {
  const std::string range = fmt::format("a whole number from {} to {}", min, max);
  const std::string at_least = max == kMaxInt ? fmt::format("a whole number >= {}", min) : range;
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        const auto value = parse_integer<std::int64_t>(text);
        if (value && *value >= min && *value <= max) return {};
        // The upper bound is named when it is the one broken (or when it is a real one).
        return fmt::format("expected {}, found '{}'", value && *value > max ? range : at_least, text);
      },
      at_least);
}

CLI::Validator non_negative_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto value = parse_double(text);
        if (value && *value >= 0) return {};
        return fmt::format("expected a number of seconds >= 0, found '{}'", text);
      },
      "SECONDS");
}

CLI::Validator non_empty_path() {
  return CLI::Validator([](std::string& text) -> std::string { return text.empty() ? "expected a path, found an empty one" : ""; },
                        "PATH");
}

std::vector<int> parse_cover_types(const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto k = parse_integer<int>(part);
    if (!k || *k < 1 || *k > pipeline::kCoverTypes)
      throw InputError(fmt::format("--cover-types '{}': expected a comma-separated list of cover types 1..7", text));
    // Twice would train one cover type twice at once into the same place.
    if (std::ranges::find(out, *k) != out.end())
      throw InputError(fmt::format("--cover-types '{}': cover type {} is given twice", text, *k));
    out.push_back(*k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void DataFlags::add_to(CLI::App& app, bool required) {
  auto* option = app.add_option("--data", data, "CSV file (plain or .gz) or sqlite:PATH");
  if (required) {
    data.clear();
    option->required();
  } else {
    option->capture_default_str();
  }
  app.add_option("--query", query, "SELECT to run when --data is sqlite:PATH");
}

void TrainingFlags::add_to(CLI::App& app) {
  app.add_option("--nthread", nthread, "threads for XGBoost (0: all cores)")->check(whole_number(0, model::kMostThreads));
  app.add_option("--seed", seed, "seed of the split and of XGBoost's sampling")->check(seed_check())->capture_default_str();
  app.add_option("--test-fraction", test_fraction, "share of rows in the test split")->capture_default_str();
  app.add_option("--encoding", encoding,
                 "how the one-hot groups reach XGBoost: categorical (native, compact) or onehot (0/1 columns)")
      ->capture_default_str();
  for (const auto& spec : model::hyperparameter_specs()) {
    std::string names = "--" + spec.name;
    for (const auto& alias : spec.aliases) names += ",--" + alias;
    const std::string name = spec.name;
    app.add_option_function<std::string>(
           names, [this, name](const std::string& value) { hyperparameters.emplace_back(name, value); },
           fmt::format("{} (default {})", spec.help, spec.default_value))
        ->group("Hyperparameters");
  }
  app.allow_extras();
}

model::TrainingOptions TrainingFlags::training_options(const CLI::App& command) const {
  const std::vector<std::string> extras = command.remaining();
  if (!extras.empty()) {
    std::string first = extras.front();
    if (first.rfind("--", 0) == 0) {
      const std::string name = first.substr(2, first.find('=') == std::string::npos ? std::string::npos : first.find('=') - 2);
      const auto flag = closest_flag(command, "--" + name);
      const std::string hint = flag ? fmt::format("did you mean {}? ", *flag) : model::hyperparameter_spelling_hint(name);
      throw InputError(fmt::format("--{}: unknown flag or hyperparameter; {}valid hyperparameters: {}", name, hint,
                                   model::valid_hyperparameter_names()));
    }
    throw InputError(fmt::format("unexpected argument '{}'", first));
  }
  model::TrainingOptions options;
  for (const auto& [name, value] : hyperparameters) options.hyperparameters.set(name, value);
  options.hyperparameters.xgboost_params();  // validates combinations
  options.nthread = nthread;
  options.seed = seed;
  return options;
}

pipeline::SplitOptions TrainingFlags::split_options() const {
  pipeline::SplitOptions s;
  s.test_fraction = test_fraction;
  s.seed = seed;
  return s;
}

features::Encoding TrainingFlags::parsed_encoding() const { return features::parse_encoding(encoding); }

}  // namespace treeline::cli
