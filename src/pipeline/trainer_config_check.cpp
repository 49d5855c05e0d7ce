#include "treeline/pipeline/trainer_config_check.h"

#include <fmt/format.h>

#include "treeline/common/error.h"
#include "treeline/metrics/binary_metrics.h"
#include "treeline/model/hyperparameters.h"

namespace treeline::pipeline {
namespace {

using tuning::ParameterType;

std::string text_of(double value, ParameterType type) {
  return type == ParameterType::kInteger ? fmt::format("{:.0f}", value) : fmt::format("{}", value);
}

bool is_hyperparameter(const std::string& name) {
  for (const auto& spec : model::hyperparameter_specs()) {
    if (spec.name == name) return true;
    for (const auto& alias : spec.aliases)
      if (alias == name) return true;
  }
  return false;
}

}  // namespace

void check_config_for_default_trainer(const jobs::TrainingInput& input, const std::string& config_file) {
  if (!input.container_command.empty() || !input.hyperparameters) return;
  const auto& hp = *input.hyperparameters;
  const std::string base = config_file + ": trainingInput.hyperparameters.";
  try {
    metrics::find_metric(hp.metric_tag);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}hyperparameterMetricTag: treeline's trainer does not report it: {}", base, e.what()));
  }
  for (std::size_t i = 0; i < hp.space.params.size(); ++i) {
    const auto& p = hp.space.params[i];
    const std::string at = fmt::format("{}params[{}].", base, i);
    // Each value the search may propose goes through the trainer's own flag parsing.
    auto check = [&](const std::string& field, const std::string& value) {
      try {
        model::Hyperparameters().set(p.name, value);
      } catch (const InputError& e) {
        throw InputError(fmt::format("{}{}: {} (treeline's trainer refuses it: {})", at, field, value, e.what()));
      }
    };
    if (!is_hyperparameter(p.name))
      throw InputError(fmt::format("{}parameterName: '{}' is not a hyperparameter of treeline's trainer; valid "
                                   "names: {}",
                                   at, p.name, model::valid_hyperparameter_names()));
    switch (p.type) {
      case ParameterType::kDouble:
      case ParameterType::kInteger:
        check("minValue", text_of(p.min_value, p.type));
        check("maxValue", text_of(p.max_value, p.type));
        break;
      case ParameterType::kDiscrete:
        for (std::size_t j = 0; j < p.discrete_values.size(); ++j)
          check(fmt::format("discreteValues[{}]", j), fmt::format("{}", p.discrete_values[j]));
        break;
      case ParameterType::kCategorical:
        for (std::size_t j = 0; j < p.categorical_values.size(); ++j)
          check(fmt::format("categoricalValues[{}]", j), p.categorical_values[j]);
        break;
    }
  }
}

}  // namespace treeline::pipeline
