#pragma once
// The trainer's hyperparameters, with XGBoost's names (and scikit-learn's aliases). Each is
// declared once in a table with its type, range and default; parsing validates against it and
// errors list what is valid.
#include <map>
#include <string>
#include <vector>

namespace treeline::model {

struct HyperparameterSpec {
  enum class Kind { kInteger, kReal, kChoice };
  std::string name;
  std::vector<std::string> aliases;  // e.g. eta for learning_rate
  Kind kind;
  double min = 0, max = 0;          // kInteger, kReal
  bool min_exclusive = false;
  std::vector<std::string> choices;  // kChoice
  std::string default_value;
  std::string xgboost_name;          // the name XGBoosterSetParam takes
  std::string help;
};

const std::vector<HyperparameterSpec>& hyperparameter_specs();
// By name or alias; null when `name` is none of them.
const HyperparameterSpec* find_hyperparameter(const std::string& name);

class Hyperparameters {
 public:
  Hyperparameters();  // every hyperparameter at its default

  // Sets `name` (or an alias) from text; throws InputError naming the flag and what is valid.
  void set(const std::string& name, const std::string& value);
  // Parses "--name=value" arguments; throws InputError listing valid names for an unknown one.
  static Hyperparameters from_arguments(const std::vector<std::string>& arguments);

  const std::string& get(const std::string& name) const;
  int n_estimators() const;
  // Parameters for XGBoosterSetParam, by XGBoost's names.
  std::map<std::string, std::string> xgboost_params() const;
  // The values that differ from the defaults, or all of them, by canonical name.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;  // canonical name -> normalised text
};

// "max_depth, learning_rate (eta), ...": for error messages and --help.
std::string valid_hyperparameter_names();
// "did you mean max_depth? " for a near miss (max_dept), else "": to lead an unknown name's error.
std::string hyperparameter_spelling_hint(const std::string& name);

}  // namespace treeline::model
