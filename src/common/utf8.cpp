#include "treeline/common/utf8.h"

namespace treeline {

std::string printable_utf8(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    bool valid = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (valid && len > 2) {  // no overlong forms, surrogates or code points above U+10FFFF
      const auto d = static_cast<unsigned char>(text[i + 1]);
      valid = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0) && !(c == 0xF0 && d < 0x90) &&
              !(c == 0xF4 && d >= 0x90);
    }
    const std::size_t take = valid ? len : 1;
    if (out.size() + take > max_bytes) break;
    if (valid) out.append(text.substr(i, len));
    else out += '?';
    i += take;
  }
  return out;
}

}  // namespace treeline
