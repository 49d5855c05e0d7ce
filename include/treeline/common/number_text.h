#pragma once
// A whole text read as one number, the one rule every flag, config field, CSV field and metric
// file shares: nothing before or after the number (no spaces, no units), an optional leading '+'
// (YAML and hand-written files have it), and for reals finite values only ("nan" and "inf" are
// not settings). The callers word the error, since only they know the flag, config path or file
// line to name.
#include <fast_float/fast_float.h>

#include <charconv>
#include <cmath>
#include <concepts>
#include <optional>
#include <string_view>
#include <system_error>

namespace treeline {

namespace number_text_detail {

// std::from_chars and fast_float take no leading '+'; "+-1" stays invalid.
inline std::string_view without_plus(std::string_view text) {
  return text.size() > 1 && text.front() == '+' && text[1] != '-' ? text.substr(1) : text;
}

}  // namespace number_text_detail

template <std::integral Integer>
std::optional<Integer> parse_integer(std::string_view text) {
  text = number_text_detail::without_plus(text);
  Integer value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <std::floating_point Real>
std::optional<Real> parse_real(std::string_view text) {
  text = number_text_detail::without_plus(text);
  Real value{};
  const auto [end, ec] = fast_float::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

inline std::optional<double> parse_double(std::string_view text) { return parse_real<double>(text); }

}  // namespace treeline
