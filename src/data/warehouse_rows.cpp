#include "treeline/data/warehouse_rows.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>

#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/common/spelling.h"
#include "treeline/common/utf8.h"
#include "treeline/data/covertype_schema.h"

namespace treeline::data {
namespace cov = covertype;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// A field as an error quotes it: cut short, so a 10 MB field makes a readable message.
std::string shown_value(std::string_view field) {
  constexpr std::size_t kShown = 80;
  if (field.size() <= kShown) return printable_utf8(field, kShown);
  return fmt::format("{}... ({} bytes)", printable_utf8(field, kShown), field.size());
}

// An integer as text, also when written as a whole real number ("7745.0": a column that pandas
// or SQLite stored as REAL); "7745.5" is none.
std::optional<long> whole_number(std::string_view t) {
  if (const auto value = parse_integer<long>(t)) return value;
  // Read from the text, not a parsed double: 2.9999999999999999 is no 3, nor 7.745e3 a soil code.
  const std::size_t point = t.find('.');
  if (point == std::string_view::npos || point == 0 || t.find_first_not_of('0', point + 1) != std::string_view::npos)
    return std::nullopt;
  return parse_integer<long>(t.substr(0, point));
}

[[noreturn]] void field_error(std::string_view where, std::string_view place, std::string_view column,
                              std::string_view expected, std::string_view got) {
  throw InputError(fmt::format("{}: {}: column {}: expected {}, found '{}'", where, place, column,
                               expected, shown_value(got)));
}

}  // namespace

float parse_float_field(std::string_view text, std::string_view where, std::string_view place,
                        std::string_view column) {
  const std::string_view t = trim(text);
  const auto value = parse_real<float>(t);
  if (!value) field_error(where, place, column, "a number", t);
  return *value;
}

long parse_integer_field(std::string_view text, std::string_view where, std::string_view place,
                         std::string_view column) {
  const std::string_view t = trim(text);
  const auto value = whole_number(t);
  if (!value) field_error(where, place, column, "an integer", t);
  return *value;
}

std::int32_t parse_cover_type(std::string_view text, std::string_view where, std::string_view place) {
  const std::string_view t = trim(text);
  const auto value = whole_number(t);
  if (!value || *value < 1 || *value > cov::kNumClasses)
    field_error(where, place, cov::kLabel, "a cover type, an integer 1..7", t);
  return static_cast<std::int32_t>(*value);
}

WarehouseRowReader::WarehouseRowReader(std::string where, std::string_view header_place,
                                       const std::vector<std::string>& names, const ReadOptions& options)
    : where_(std::move(where)), column_count_(names.size()), names_(names), table_(cov::make_empty_table()) {
  numeric_index_.assign(cov::kNumericColumns.size(), -1);
  std::vector<std::string> unknown;
  std::unordered_map<std::string_view, std::size_t> seen;  // name -> its first position
  for (std::size_t pos = 0; pos < names.size(); ++pos) {
    const std::string_view name = trim(names[pos]);
    // A second copy would silently win over the first.
    if (const auto [it, first] = seen.emplace(name, pos); !first && !name.empty())
      throw InputError(fmt::format("{}: {}: column {} appears twice (columns {} and {}); expected each column once",
                                   where_, header_place, shown_value(name), it->second + 1, pos + 1));
    bool known = false;
    for (std::size_t i = 0; i < cov::kNumericColumns.size(); ++i)
      if (name == cov::kNumericColumns[i]) numeric_index_[i] = static_cast<int>(pos), known = true;
    if (name == cov::kWilderness) wilderness_position_ = static_cast<int>(pos), known = true;
    if (name == cov::kSoil) soil_position_ = static_cast<int>(pos), known = true;
    if (name == cov::kLabel) label_position_ = static_cast<int>(pos), known = true;
    if (std::ranges::find(options.keep_columns, name) != options.keep_columns.end()) known = true;
    if (!known && unknown.size() < 20)  // a header of 60,000 names is named by its first ones
      unknown.push_back(name.empty() ? fmt::format("'' (column {}, no name: a trailing comma?)", pos + 1)
                                     : fmt::format("'{}'", shown_value(name)));
    else if (!known && unknown.size() == 20)
      unknown.push_back("...");
  }
  // A column asked for by name and not there is named before what else is amiss.
  for (const std::string& kept : options.keep_columns)
    if (!seen.contains(kept))
      throw InputError(fmt::format("--keep-columns {}: {} has no such column ({}){}", kept, where_, header_place,
                                   unknown.empty() ? "" : fmt::format("; its columns outside the schema: {}",
                                                                      fmt::join(unknown, ", "))));
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < cov::kNumericColumns.size(); ++i)
    if (numeric_index_[i] < 0) missing.emplace_back(cov::kNumericColumns[i]);
  if (wilderness_position_ < 0) missing.emplace_back(cov::kWilderness);
  if (soil_position_ < 0) missing.emplace_back(cov::kSoil);
  if (!unknown.empty() || !missing.empty()) {
    throw InputError(fmt::format(
        "{}: {}: unknown schema: {}{}{}; expected the warehouse schema's columns {} (or UCI covtype.data's "
        "55 integer columns without a header){}",
        where_, header_place, unknown.empty() ? "" : fmt::format("unexpected column(s) {}", fmt::join(unknown, ", ")),
        unknown.empty() || missing.empty() ? "" : "; ",
        missing.empty() ? "" : fmt::format("missing column(s) {}", fmt::join(missing, ", ")),
        cov::warehouse_header(),
        // Data to predict may carry an id and such beside the schema's columns.
        !options.require_label && missing.empty() ? "; predict --keep-columns NAME,... carries other columns through"
                                                  : ""));
  }
  if (label_position_ < 0 && options.require_label)
    throw InputError(fmt::format("{}: {}: missing label column {}: training and evaluation need it", where_,
                                 header_place, cov::kLabel));
  for (const std::string& kept : options.keep_columns) {
    kept_positions_.push_back(seen.at(kept));
    table_.kept.push_back({kept, {}});
  }
  table_.labelled = label_position_ >= 0;
  require_label_ = options.require_label;
}

void WarehouseRowReader::add_row(std::span<const std::string_view> fields, std::string_view place) {
  if (fields.size() != column_count_)
    throw InputError(fmt::format("{}: {}: expected {} columns ({}), found {}", where_, place, column_count_,
                                 fmt::join(names_, ","), fields.size()));
  for (std::size_t i = 0; i < numeric_index_.size(); ++i)
    table_.numeric[i].values.push_back(
        parse_float_field(fields[numeric_index_[i]], where_, place, cov::kNumericColumns[i]));

  const std::string_view area = trim(fields[wilderness_position_]);
  if (area.empty()) field_error(where_, place, cov::kWilderness, "a wilderness area name", area);
  // Only the schema's levels: a misspelt one would become a category of its own in training
  // and a missing value when predicting, with nothing said.
  const auto canonical = cov::canonical_wilderness(area);
  if (!canonical) {
    std::vector<std::string_view> names(cov::kWildernessAreas.begin(), cov::kWildernessAreas.end());
    names.insert(names.end(), {"Commanche", "Cache"});  // the short forms it takes too
    const auto meant = closest_spelling(area, names);
    throw InputError(fmt::format("{}: {}: column {}: expected one of {} (or Commanche, Cache), found '{}'{}", where_,
                                 place, cov::kWilderness, fmt::join(cov::kWildernessAreas, ", "), shown_value(area),
                                 meant ? fmt::format("; did you mean {}?", *meant) : ""));
  }
  auto& wilderness = table_.categorical[cov::kWildernessColumn];
  wilderness.codes.push_back(wilderness.code_of(std::string(*canonical)));

  const long soil = parse_integer_field(fields[soil_position_], where_, place, cov::kSoil);
  if (std::find(cov::kSoilCodes.begin(), cov::kSoilCodes.end(), soil) == cov::kSoilCodes.end())
    field_error(where_, place, cov::kSoil, "one of the 40 ELU soil codes (2702, 2703, ..., 8776)",
                fields[soil_position_]);
  auto& soil_column = table_.categorical[cov::kSoilColumn];
  soil_column.codes.push_back(soil_column.code_of(std::to_string(soil)));

  for (std::size_t i = 0; i < kept_positions_.size(); ++i)
    table_.kept[i].values.emplace_back(trim(fields[kept_positions_[i]]));
  if (label_position_ < 0) {
    table_.labels.push_back(0);
    return;
  }
  const std::string_view label = trim(fields[label_position_]);
  if (!require_label_ && (label.empty() || label == "NULL")) {
    if (rows_without_label_++ == 0) first_without_label_ = place;
    table_.labels.push_back(0);
    return;
  }
  table_.labels.push_back(parse_cover_type(label, where_, place));
}

Table WarehouseRowReader::take() {
  if (rows_without_label_ > 0 && rows_without_label_ == table_.rows()) {
    table_.labelled = false;  // a Cover_Type column with nothing in it: rows to predict
  } else if (rows_without_label_ > 0) {
    throw InputError(fmt::format("{}: column {} is empty or NULL in {} of {} rows (the first at {}): give every row "
                                 "its cover type to score them, or leave the column out to predict unlabelled rows",
                                 where_, cov::kLabel, rows_without_label_, table_.rows(), first_without_label_));
  }
  return std::move(table_);
}

}  // namespace treeline::data
