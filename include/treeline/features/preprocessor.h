#pragma once
// The preprocessor of the seed's pipeline: standard scaling of the numeric columns and one-hot
// encoding of the categorical ones, fitted on the training split only. Saved as JSON beside the
// model and applied again by `predict`.
//
// XGBoost receives the one-hot groups in one of two forms (the fitted `encoding`):
//  - kNativeCategorical (default): one feature per group holding the index of its hot column,
//    which XGBoost splits on natively: the same information in 12 features instead of 54, and
//    the fastest and most accurate fit.
//  - kOneHot: the expanded 0/1 columns, as scikit-learn's OneHotEncoder gives them.
// A category never seen in training is missing (native) or all zeros (one-hot): never a crash.
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "treeline/data/table.h"

namespace treeline::features {

enum class Encoding { kNativeCategorical, kOneHot };

Encoding parse_encoding(const std::string& text);  // "categorical" | "onehot"
std::string to_string(Encoding encoding);

// A row-major float matrix for XGBoost: dense (NaN = missing) or, for one-hot, CSR.
struct FeatureMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  bool sparse = false;
  std::vector<float> dense;  // rows * cols, when !sparse
  std::vector<std::size_t> indptr;   // CSR, when sparse
  std::vector<unsigned> indices;
  std::vector<float> values;
  std::vector<std::string> feature_names;
  std::vector<std::string> feature_types;  // XGBoost's "q" (numeric), "i" (0/1 indicator), "c" (categorical)
};

struct NumericScaling {
  std::string name;
  double mean = 0;
  double scale = 1;  // population standard deviation; 1 when it is 0, as scikit-learn does
};

struct CategoryVocabulary {
  std::string name;
  std::vector<std::string> categories;  // seen in training, in the table's level order
};

class Preprocessor {
 public:
  static Preprocessor fit(const data::Table& table, std::span<const std::size_t> rows, Encoding encoding);
  static Preprocessor from_json(const nlohmann::json& json, const std::string& where);
  nlohmann::json to_json() const;

  // Scales as scikit-learn's StandardScaler does on float64 data, (x - mean) / scale in double,
  // and hands XGBoost the result rounded to float, as xgboost.DMatrix rounds that scaler's output:
  // Python given preprocessor.json's mean and scale computes the very values the model split on.
  // (A preprocessor.json of format treeline.preprocessor/1, from before, scaled in float.)
  FeatureMatrix transform(const data::Table& table, std::span<const std::size_t> rows) const;
  Encoding encoding() const { return encoding_; }
  std::vector<std::string> feature_names() const;
  std::vector<std::string> feature_types() const;

 private:
  Encoding encoding_ = Encoding::kNativeCategorical;
  std::vector<NumericScaling> numeric_;
  std::vector<CategoryVocabulary> categorical_;
  bool float_scaling_ = false;  // read from format /1: its models learnt from float arithmetic
};

}  // namespace treeline::features
