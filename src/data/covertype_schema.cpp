#include "treeline/data/covertype_schema.h"

#include <fmt/format.h>

namespace treeline::data {

std::int32_t CategoricalColumn::code_of(const std::string& level) {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] == level) return static_cast<std::int32_t>(i);
  levels.push_back(level);
  return static_cast<std::int32_t>(levels.size() - 1);
}

namespace covertype {

std::optional<std::string_view> canonical_wilderness(std::string_view name) {
  for (std::string_view area : kWildernessAreas)
    if (name == area) return area;
  if (name == "Commanche") return kWildernessAreas[2];
  if (name == "Cache") return kWildernessAreas[3];
  return std::nullopt;
}

Table make_empty_table() {
  Table t;
  for (std::string_view name : kNumericColumns) t.numeric.push_back({std::string(name), {}});
  CategoricalColumn wilderness{std::string(kWilderness), {}, {}};
  for (std::string_view area : kWildernessAreas) wilderness.levels.emplace_back(area);
  CategoricalColumn soil{std::string(kSoil), {}, {}};
  for (int code : kSoilCodes) soil.levels.push_back(std::to_string(code));
  t.categorical = {std::move(wilderness), std::move(soil)};
  t.label_name = std::string(kLabel);
  return t;
}

std::string warehouse_header() {
  std::string h;
  for (std::string_view name : kNumericColumns) h += fmt::format("{},", name);
  return h + fmt::format("{},{},{}", kWilderness, kSoil, kLabel);
}

}  // namespace covertype
}  // namespace treeline::data
