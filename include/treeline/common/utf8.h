#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace treeline {

// `text` cut to at most `max_bytes` on a character boundary, with bytes that are not UTF-8
// replaced by '?': trainer output quoted in error messages must stay valid JSON text.
std::string printable_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace treeline
