#include "treeline/common/spelling.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace treeline {
namespace {

char folded(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring).
std::size_t edits(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = folded(a[i - 1]) == folded(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && folded(a[i - 1]) == folded(b[j - 2]) && folded(a[i - 2]) == folded(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_spelling(std::string_view word, const std::vector<std::string_view>& candidates) {
  const std::size_t allowed = std::max<std::size_t>(1, word.size() / 4);
  std::size_t best = std::numeric_limits<std::size_t>::max();
  std::optional<std::string> found;
  bool tied = false;
  for (std::string_view candidate : candidates) {
    // The lengths' difference is a lower bound of the distance: a word far longer than any
    // candidate (a 10 MB field) costs nothing.
    const std::size_t length_gap = std::max(word.size(), candidate.size()) - std::min(word.size(), candidate.size());
    if (length_gap > allowed) continue;
    const std::size_t distance = edits(word, candidate);
    if (distance < best) {
      best = distance;
      found = std::string(candidate);
      tied = false;
    } else if (distance == best) {
      tied = true;
    }
  }
  if (!found || best > allowed || tied) return std::nullopt;
  return found;
}

}  // namespace treeline
