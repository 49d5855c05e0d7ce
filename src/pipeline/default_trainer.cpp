#include "treeline/pipeline/default_trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>

#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/data/split.h"
#include "treeline/features/preprocessor.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/model/hyperparameters.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/pipeline/train_evaluate.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {
namespace {

using tuning::ParameterType;

std::string text_of(double value, ParameterType type) {
  return type == ParameterType::kInteger ? fmt::format("{:.0f}", value) : fmt::format("{}", value);
}

// The trainer's flags a search may set besides the hyperparameters; empty when `name` is none.
// Each check throws InputError when the trainer would refuse the value.
std::optional<void (*)(const std::string&)> other_tunable_flag(const std::string& name) {
  if (name == "encoding") return +[](const std::string& value) { features::parse_encoding(value); };
  if (name == "seed")
    return +[](const std::string& value) { data::parse_seed(value, "--seed"); };
  return std::nullopt;
}

// How train-evaluate reads its other flags' values, for the ones a job's args may get wrong in
// a way every trial would repeat; empty for flags it takes as they come (--store, --json, and
// --decision-threshold-from, whose file the agent's own final jobs name).
std::optional<void (*)(const std::string&)> trainer_flag_check(const std::string& name) {
  if (name == "project") return +[](const std::string& value) { store::validate_name(value, "--project"); };
  if (name == "name") return +[](const std::string& value) { store::validate_name(value, "--name"); };
  if (name == "cover-type")
    return +[](const std::string& value) {
      const auto k = parse_integer<int>(value);
      if (!k || *k < 1 || *k > kCoverTypes)
        throw InputError(fmt::format("--cover-type: expected a whole number from 1 to {}, found '{}'", kCoverTypes, value));
    };
  if (name == "test-fraction")
    return +[](const std::string& value) {
      const auto share = parse_double(value);
      if (!share) throw InputError(fmt::format("--test-fraction: expected a number, found '{}'", value));
      data::check_fraction(*share, "--test-fraction", "the rows");
    };
  if (name == "validation-fraction")
    return +[](const std::string& value) {
      const auto share = parse_double(value);
      if (!share) throw InputError(fmt::format("--validation-fraction: expected a number, found '{}'", value));
      data::check_fraction(*share, "--validation-fraction", "the training split", /*zero_allowed=*/true);
    };
  if (name == "report-every")
    return +[](const std::string& value) {
      if (!parse_integer<int>(value) || *parse_integer<int>(value) < 0)
        throw InputError(fmt::format("expected a whole number >= 0, found '{}'", value));
    };
  if (name == "nthread")
    return +[](const std::string& value) {
      const auto threads = parse_integer<int>(value);
      if (!threads || *threads < 0 || *threads > model::kMostThreads)
        throw InputError(fmt::format("expected a whole number from 0 to {}, found '{}'", model::kMostThreads, value));
    };
  if (name == "decision-threshold")
    return +[](const std::string& value) { (void)parse_decision_threshold(value, "--decision-threshold"); };
  return std::nullopt;
}

void check_absolute_store(const std::string& store) {
  if (!std::filesystem::path(store).is_absolute())
    throw InputError(fmt::format("--store={}: give the trainer an absolute path (each trial runs in its own "
                                 "directory), or leave it out: the job's store is passed on",
                                 store));
}

}  // namespace

const std::vector<std::string>& default_trainer_flags() {
  static const std::vector<std::string> flags = {
      "--project", "--name",  "--cover-type", "--store",         "--job-dir",  "--model-dir",
      "--validation-fraction", "--report-every", "--decision-threshold", "--decision-threshold-from", "--json",
      "--nthread", "--seed",  "--test-fraction", "--encoding"};
  return flags;
}

std::string config_arg_place(const jobs::TrainingInput& input, const std::string& config_file, std::size_t i) {
  // input.args holds masterConfig.containerArgs, then args.
  const auto master = input.as_given.find("masterConfig");
  std::size_t container_args = 0;
  if (master != input.as_given.end() && master->is_object())
    if (const auto it = master->find("containerArgs"); it != master->end() && it->is_array()) container_args = it->size();
  return i < container_args ? fmt::format("{}: trainingInput.masterConfig.containerArgs[{}]", config_file, i)
                            : fmt::format("{}: trainingInput.args[{}]", config_file, i - container_args);
}

void check_args_for_default_trainer(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                                    const std::function<std::string(std::size_t)>& where) {
  if (!input.container_command.empty()) return;
  std::vector<std::pair<std::string, std::size_t>> set_by_args;  // setting, index in args
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto flag = jobs::flag_at(args, i);
    const std::string& arg = args[i];
    if (!flag)  // values that follow their flag are skipped below, so this one stands alone
      throw InputError(fmt::format("{}: '{}': treeline's trainer (train-evaluate) takes no such argument, only flags "
                                   "as --name=value{}",
                                   where(i), arg,
                                   !arg.starts_with("-") && arg.find('=') != std::string::npos
                                       ? fmt::format("; did you mean --{}?", arg)
                                       : ""));
    const std::string& name = flag->name;
    if (flag->value && flag->value->empty() && !flag->value_follows)  // as the CLI refuses it
      throw InputError(fmt::format("{}: {}", where(i), jobs::empty_value_error(arg)));
    const model::HyperparameterSpec* spec = model::find_hyperparameter(name);
    const auto other = other_tunable_flag(name);
    // The platform gives each trial (or job) its own directory; a second --job-dir would have the
    // trainer refuse every command line.
    if (name == "job-dir")
      throw InputError(fmt::format("{}: {}: the platform sets --job-dir itself (each trial's own directory under "
                                   "STORE/jobs); take it out",
                                   where(i), arg));
    if (spec == nullptr && !other) {
      // A misspelt flag would otherwise fail every trial, each with the same message in its log.
      const auto& known = default_trainer_flags();
      if (std::find(known.begin(), known.end(), "--" + name) == known.end())
        throw InputError(fmt::format("{}: {}: treeline's trainer (train-evaluate) has no flag --{}; {}its flags: {}; "
                                     "its hyperparameters: {}",
                                     where(i), arg, name, model::hyperparameter_spelling_hint(name),
                                     fmt::join(known, ", "), model::valid_hyperparameter_names()));
      // Each trial runs in its own folder, where a relative store would be a new empty one.
      if (name == "store" && flag->value) {
        try {
          check_absolute_store(*flag->value);
        } catch (const InputError& e) {
          throw InputError(fmt::format("{}: {}", where(i), e.what()));
        }
      }
      if (const auto check = trainer_flag_check(name)) {
        if (!flag->value) throw InputError(fmt::format("{}: {} needs a value", where(i), arg));
        try {
          (*check)(*flag->value);
        } catch (const InputError& e) {
          throw InputError(fmt::format("{}: {}: {}", where(i), arg, e.what()));
        }
      }
      // train-evaluate takes each of its options once (CLI11 refuses a second); --json is a switch.
      if (name != "json") {
        for (const auto& [earlier, at] : set_by_args)
          if (earlier == name)
            throw InputError(fmt::format("{}: {} sets --{}, as {} does already; give it once", where(i), arg, name,
                                         where(at)));
        set_by_args.emplace_back(name, i);
      }
      if (flag->value_follows) ++i;
      continue;
    }
    const std::string setting = spec != nullptr ? spec->name : name;
    if (!flag->value)
      throw InputError(fmt::format("{}: {} needs a value, e.g. --{}={}", where(i), arg, name,
                                   spec != nullptr ? spec->default_value : "VALUE"));
    const std::string& value = *flag->value;
    try {
      if (spec != nullptr)
        model::Hyperparameters().set(name, value);
      else
        (*other)(value);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", where(i), e.what()));
    }
    // Given twice, the trainer would refuse every trial's command line.
    for (const auto& [earlier, at] : set_by_args)
      if (earlier == setting)
        throw InputError(fmt::format("{}: {} sets {}, as {} does already; give it once", where(i), arg, setting,
                                     where(at)));
    if (input.hyperparameters)
      for (std::size_t j = 0; j < input.hyperparameters->space.params.size(); ++j) {
        const std::string& searched = input.hyperparameters->space.params[j].name;
        const model::HyperparameterSpec* searched_spec = model::find_hyperparameter(searched);
        if ((searched_spec != nullptr ? searched_spec->name : searched) == setting)
          throw InputError(fmt::format("{}: {} sets {}, which trainingInput.hyperparameters.params[{}] ({}) searches: "
                                       "each trial would get it twice; remove one of them",
                                       where(i), arg, setting, j, searched));
      }
    set_by_args.emplace_back(setting, i);
    if (flag->value_follows) ++i;
  }
}

void check_config_for_default_trainer(const jobs::TrainingInput& input, const std::string& config_file) {
  if (!input.container_command.empty()) return;
  check_args_for_default_trainer(input, input.args,
                                 [&](std::size_t i) { return config_arg_place(input, config_file, i); });
  if (!input.hyperparameters) return;
  const auto& hp = *input.hyperparameters;
  const std::string base = config_file + ": trainingInput.hyperparameters.";
  const metrics::MetricDefinition* metric = nullptr;
  try {
    metric = &metrics::find_metric(hp.metric_tag);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}hyperparameterMetricTag: treeline's trainer does not report it: {}", base, e.what()));
  }
  // The search would look for the worst models.
  if (metric->higher_is_better != (hp.goal == tuning::Goal::kMaximize))
    throw InputError(fmt::format("{}goal: {}, but {} is better {}; write goal: {}", base,
                                 hp.goal == tuning::Goal::kMaximize ? "MAXIMIZE" : "MINIMIZE", hp.metric_tag,
                                 metric->higher_is_better ? "higher" : "lower",
                                 metric->higher_is_better ? "MAXIMIZE" : "MINIMIZE"));
  for (std::size_t i = 0; i < hp.space.params.size(); ++i) {
    const auto& p = hp.space.params[i];
    const std::string at = fmt::format("{}params[{}].", base, i);
    const model::HyperparameterSpec* spec = model::find_hyperparameter(p.name);
    for (std::size_t j = 0; j < i && spec != nullptr; ++j)
      if (model::find_hyperparameter(hp.space.params[j].name) == spec)
        throw InputError(fmt::format("{}parameterName: '{}'{} is searched by params[{}] ('{}') already", at, p.name,
                                     p.name == spec->name ? "" : fmt::format(" (that is, {})", spec->name), j,
                                     hp.space.params[j].name));
    const auto other = other_tunable_flag(p.name);
    if (spec == nullptr && !other)
      throw InputError(fmt::format("{}parameterName: '{}' is not a hyperparameter of treeline's trainer; {}valid "
                                   "names: {}, and its flags encoding and seed",
                                   at, p.name, model::hyperparameter_spelling_hint(p.name),
                                   model::valid_hyperparameter_names()));
    // A DOUBLE range proposes fractions, which a whole-number or named setting refuses.
    const bool takes_reals = spec != nullptr && spec->kind == model::HyperparameterSpec::Kind::kReal;
    if (p.type == ParameterType::kDouble && p.min_value != p.max_value && !takes_reals)
      throw InputError(fmt::format("{}type: DOUBLE proposes fractional values, and {} takes {}: use INTEGER, or "
                                   "DISCRETE or CATEGORICAL values",
                                   at, p.name, spec != nullptr && spec->kind == model::HyperparameterSpec::Kind::kInteger
                                                   ? "whole numbers"
                                                   : "named values"));
    // Each value the search may propose goes through the trainer's own parsing.
    auto check = [&](const std::string& field, const std::string& value) {
      try {
        if (spec != nullptr)
          model::Hyperparameters().set(p.name, value);
        else
          (*other)(value);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}{}: {} (treeline's trainer refuses it: {})", at, field, value, e.what()));
      }
    };
    switch (p.type) {
      case ParameterType::kDouble:
      case ParameterType::kInteger:
        check("minValue", text_of(p.min_value, p.type));
        check("maxValue", text_of(p.max_value, p.type));
        break;
      case ParameterType::kDiscrete:
        for (std::size_t j = 0; j < p.discrete_values.size(); ++j)
          check(fmt::format("discreteValues[{}]", j), tuning::format_value(p.discrete_values[j]));
        break;
      case ParameterType::kCategorical:
        for (std::size_t j = 0; j < p.categorical_values.size(); ++j)
          check(fmt::format("categoricalValues[{}]", j), p.categorical_values[j]);
        break;
    }
  }
}

void check_trainer_dataset(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                           const std::filesystem::path& store_root) {
  if (!input.container_command.empty()) return;
  std::vector<std::string> missing;
  for (const char* flag : {"--project", "--name", "--cover-type"})
    if (!jobs::args_set_flag(args, flag)) missing.emplace_back(flag);
  if (!missing.empty())
    throw InputError(fmt::format(
        "treeline's trainer (train-evaluate) needs {} to know which prepared dataset to train on: give {} after "
        "--, e.g. `-- --project=mlops-workshop --name=run1 --cover-type=1`, or in the config's trainingInput.args",
        fmt::join(missing, ", "), missing.size() == 1 ? "it" : "them"));
  const auto store_flag = jobs::args_flag_value(args, "--store");
  if (store_flag) check_absolute_store(*store_flag);
  const store::DirectoryStore store(store_flag ? std::filesystem::path(*store_flag) : store_root);
  const std::string prefix = *jobs::args_flag_value(args, "--project") + "/" + *jobs::args_flag_value(args, "--name");
  check_prepared(store, prefix, *parse_integer<int>(*jobs::args_flag_value(args, "--cover-type")));
}

std::vector<std::string> default_trainer_args(const jobs::TrainingInput& input, const std::vector<std::string>& args,
                                              const std::filesystem::path& store_root) {
  if (!input.container_command.empty()) return {};
  std::vector<std::string> extra;
  if (const auto store = jobs::args_flag_value(args, "--store")) {
    check_absolute_store(*store);
  } else {
    extra.push_back("--store=" + store_root.string());
  }
  if (input.hyperparameters) {
    if (const auto given = jobs::args_flag_value(args, "--validation-fraction")) {
      const auto value = parse_double(*given);
      if (!value) throw InputError(fmt::format("--validation-fraction={}: expected a number", *given));
      data::check_fraction(*value, "--validation-fraction", "the training split (a tuning job's trials score on it)");
    } else {
      extra.push_back(fmt::format("--validation-fraction={}", kDefaultValidationFraction));
    }
  }
  return extra;
}

}  // namespace treeline::pipeline
