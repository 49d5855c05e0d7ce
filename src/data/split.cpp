#include "treeline/data/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/common/random.h"

namespace treeline::data {

std::uint64_t parse_seed(const std::string& text, const std::string& flag) {
  const auto seed = parse_integer<std::uint64_t>(text);
  if (!seed || *seed > kMaxSeed)
    throw InputError(fmt::format("{}={}: expected an integer in [0, 2^63 - 1]", flag, text));
  return *seed;
}

void check_fraction(double value, const std::string& flag, const std::string& what, bool zero_allowed) {
  if ((value > 0 && value < 1) || (zero_allowed && value == 0)) return;
  throw InputError(fmt::format("{}: expected a share of {} {}, found {}", flag, what,
                               zero_allowed ? "in [0, 1)" : "strictly between 0 and 1", value));
}

std::vector<std::size_t> all_rows(std::size_t n) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

Split stratified_split(std::span<const std::int32_t> strata, std::span<const std::size_t> rows,
                       double test_fraction, std::uint64_t seed) {
  check_fraction(test_fraction, "--test-fraction", "the rows");
  std::map<std::int32_t, std::vector<std::size_t>> by_stratum;  // ordered: same order everywhere
  for (std::size_t r : rows) by_stratum[strata[r]].push_back(r);
  Random rng(seed);
  Split split;
  for (auto& [stratum, members] : by_stratum) {
    rng.shuffle(members);
    const std::size_t n = members.size();
    auto n_test = static_cast<std::size_t>(std::floor(static_cast<double>(n) * test_fraction + 0.5));
    if (n >= 2) n_test = std::clamp<std::size_t>(n_test, 1, n - 1);
    split.test.insert(split.test.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_test));
    split.train.insert(split.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_test), members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

}  // namespace treeline::data
