#pragma once
// The in-memory form of a labelled data set: numeric columns as float, categorical columns as
// codes into a list of levels, and an integer class label. Columnar, so preprocessing and the
// binary dataset writer walk contiguous memory.
#include <cstdint>
#include <string>
#include <vector>

#include "treeline/data/column_values.h"

namespace treeline::data {

struct NumericColumn {
  std::string name;
  ColumnValues<float> values;
};

struct CategoricalColumn {
  std::string name;
  std::vector<std::string> levels;  // code i means levels[i]
  ColumnValues<std::int32_t> codes;
  // Returns the code of `level`, adding it when new.
  std::int32_t code_of(const std::string& level);
};

struct Table {
  std::vector<NumericColumn> numeric;
  std::vector<CategoricalColumn> categorical;
  std::string label_name;
  bool labelled = true;              // false for data to predict on: labels are then all 0
  ColumnValues<std::int32_t> labels;  // the class of each row, e.g. Cover_Type 1..7
  // Columns kept as their text for the output (ReadOptions::keep_columns), in the order asked.
  struct KeptColumn {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<KeptColumn> kept;

  std::size_t rows() const { return labels.size(); }
};

}  // namespace treeline::data
