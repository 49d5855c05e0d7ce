#pragma once
// Seven one-vs-rest models used together: each stored model (its preprocessor and booster, each
// checked against its manifest) scores every row; the predicted cover type is the argmax.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "treeline/data/data_source.h"

namespace treeline::pipeline {

struct Predictions {
  std::vector<int> cover_types;                      // the models found, ascending
  std::vector<std::vector<float>> probabilities;     // [model][row]
  std::vector<int> predicted;                        // argmax cover type per row
  std::vector<std::int32_t> labels;                  // when the data is labelled
  std::optional<double> accuracy;                    // 7-class accuracy when labelled
};

// Which rows to score: all of them, or only the test split that training used.
struct RowSelection {
  bool test_split_only = false;
  double test_fraction = 0.2;
  std::uint64_t seed = 42;
};

// `models_dir` is STORE/PROJECT/NAME (holding models/cover_type_K/).
Predictions predict(const std::filesystem::path& models_dir, data::DataSource& source, int nthread,
                    const RowSelection& selection = {});

// "cover_type_1,...,cover_type_7,predicted[,Cover_Type]" with one line per row.
std::string predictions_to_csv(const Predictions& predictions);

}  // namespace treeline::pipeline
