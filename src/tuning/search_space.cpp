#include "treeline/tuning/search_space.h"

#include <fmt/format.h>

#include <type_traits>

namespace treeline::tuning {

std::string format_value(const ParameterValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else {
          // fmt's "{}" is the shortest text that reads back to the same double: "0.3", "1e-05".
          return fmt::format("{}", v);
        }
      },
      value);
}

}  // namespace treeline::tuning
