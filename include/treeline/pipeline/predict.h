#pragma once
// Seven one-vs-rest models used together: each stored model (its preprocessor and booster, each
// checked against its manifest) scores every row; the predicted cover type is the argmax.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "treeline/data/data_source.h"

namespace treeline::pipeline {

struct Predictions {
  std::vector<int> cover_types;                      // the models found, ascending
  std::vector<std::vector<float>> probabilities;     // [model][row]
  std::vector<int> predicted;                        // argmax cover type per row
  std::vector<std::int32_t> labels;                  // when the data is labelled
  std::vector<data::Table::KeptColumn> kept;         // the data's columns asked for, per row
  std::optional<double> accuracy;                    // 7-class accuracy when labelled
  struct TestSplit {
    std::uint64_t seed = 42;
    double fraction = 0.2;
    bool recorded = true;  // false: models from before they recorded it, and these are assumed
  };
  std::optional<TestSplit> test_split;  // with test_split_only
  // When the last run-local on these models did not finish (killed, or failed): what it was, as
  // its models may be partly an earlier run's.
  std::optional<std::string> unfinished_run;
};

// Which rows to score: all of them, or only the test split that training held out. That split is
// the models' own (their manifests record its seed and fraction); values given here must match
// it. Models stored before they recorded it use these, or 42 and 0.2.
struct RowSelection {
  bool test_split_only = false;
  std::optional<double> test_fraction;
  std::optional<std::uint64_t> seed;
};

// `models_dir` is STORE/PROJECT/NAME (holding models/cover_type_K/). With test_split_only, the
// data must be the table the models learnt from (the same sha256 once encoded), or its "test
// split" would hold rows they trained on: InputError otherwise, and for a seed or fraction other
// than theirs. `keep_columns` are carried from the data to the output as text (an id column).
Predictions predict(const std::filesystem::path& models_dir, data::DataSource& source, int nthread,
                    const RowSelection& selection = {}, const std::vector<std::string>& keep_columns = {});

// "[kept columns,]p_cover_type_1,...,p_cover_type_7,predicted[,Cover_Type]" with one line per row.
std::string predictions_to_csv(const Predictions& predictions);

}  // namespace treeline::pipeline
