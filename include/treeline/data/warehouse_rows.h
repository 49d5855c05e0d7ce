#pragma once
// Turns rows of text fields in the 13-column warehouse schema into a Table, whatever they came
// from (a CSV header and lines, a SQL result). Column order is taken from the names.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "treeline/data/data_source.h"
#include "treeline/data/table.h"

namespace treeline::data {

class WarehouseRowReader {
 public:
  // `where` names the source for messages ("file.csv", "sqlite:db query"); `names` are the
  // column names as found at `header_place`. Throws InputError for an unknown schema or a missing label column.
  WarehouseRowReader(std::string where, std::string_view header_place, const std::vector<std::string>& names,
                     const ReadOptions& options);

  std::size_t column_count() const { return column_count_; }
  // Appends one row; `place` says where it is ("line 17", "row 3") for messages.
  void add_row(std::span<const std::string_view> fields, std::string_view place);
  // The rows read; InputError when only some of them have a label (without require_label).
  Table take();

 private:
  std::string where_;
  std::size_t column_count_;
  std::vector<std::string> names_;
  // For each field position: which Table column it fills (-1 = label; numeric first, then categorical).
  std::vector<int> numeric_index_;      // position of numeric column i
  int wilderness_position_ = -1;
  int soil_position_ = -1;
  int label_position_ = -1;
  std::vector<std::size_t> kept_positions_;  // of table_.kept's columns
  bool require_label_ = true;
  // Without require_label, rows whose label is empty or NULL (new rows in a warehouse table that
  // has the column): all of them read as unlabelled data, some of them as an error.
  std::size_t rows_without_label_ = 0;
  std::string first_without_label_;
  Table table_;
};

// Parses a float, an integer or a label; the error names where, place, column and expectation.
float parse_float_field(std::string_view text, std::string_view where, std::string_view place,
                        std::string_view column);
long parse_integer_field(std::string_view text, std::string_view where, std::string_view place,
                         std::string_view column);
std::int32_t parse_cover_type(std::string_view text, std::string_view where, std::string_view place);

}  // namespace treeline::data
