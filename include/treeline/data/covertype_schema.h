#pragma once
// The Covertype data's two published schemas (see shared/data/README.md): the 13-column
// "warehouse" schema with a header, and UCI's 55-column covtype.data without one.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "treeline/data/table.h"

namespace treeline::data::covertype {

inline constexpr std::array<std::string_view, 10> kNumericColumns = {
    "Elevation", "Aspect", "Slope", "Horizontal_Distance_To_Hydrology",
    "Vertical_Distance_To_Hydrology", "Horizontal_Distance_To_Roadways", "Hillshade_9am",
    "Hillshade_Noon", "Hillshade_3pm", "Horizontal_Distance_To_Fire_Points"};
inline constexpr std::string_view kWilderness = "Wilderness_Area";
inline constexpr std::string_view kSoil = "Soil_Type";
inline constexpr std::string_view kLabel = "Cover_Type";
inline constexpr int kNumClasses = 7;
inline constexpr std::size_t kWarehouseColumns = 13;
inline constexpr std::size_t kUciColumns = 55;

// In UCI's one-hot order.
inline constexpr std::array<std::string_view, 4> kWildernessAreas = {"Rawah", "Neota", "Commanche Peak",
                                                                     "Cache la Poudre"};
inline constexpr std::array<int, 40> kSoilCodes = {
    2702, 2703, 2704, 2705, 2706, 2717, 3501, 3502, 4201, 4703, 4704, 4744, 4758, 5101,
    5151, 6101, 6102, 6731, 7101, 7102, 7103, 7201, 7202, 7700, 7701, 7702, 7709, 7710,
    7745, 7746, 7755, 7756, 7757, 7790, 8703, 8707, 8708, 8771, 8772, 8776};

// The canonical name of a wilderness area, accepting the short spellings "Commanche" and
// "Cache"; empty when unknown.
std::optional<std::string_view> canonical_wilderness(std::string_view name);

// An empty table with the Covertype columns and their known levels, in schema order.
Table make_empty_table();

// Column indices into Table::numeric / Table::categorical.
inline constexpr std::size_t kWildernessColumn = 0;
inline constexpr std::size_t kSoilColumn = 1;

// "Elevation,Aspect,...,Cover_Type": the warehouse header, for messages and writers.
std::string warehouse_header();

}  // namespace treeline::data::covertype
