#pragma once
// One train/test split shared by all seven cover types: stratified by the class label, so every
// one-vs-rest label is stratified too and the seven models share one test set.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace treeline::data {

struct Split {
  std::vector<std::size_t> train;  // row indices, ascending
  std::vector<std::size_t> test;   // row indices, ascending
};

// Splits `rows` (indices into `strata`) so that each stratum sends round(n * test_fraction) of
// its rows to test (at least one to each side when it has two or more). Seeded and defined here
// bit for bit, so identical across runs and machines.
Split stratified_split(std::span<const std::int32_t> strata, std::span<const std::size_t> rows,
                       double test_fraction, std::uint64_t seed);

// Throws InputError naming `flag` unless 0 < value < 1 (or value == 0 when `zero_allowed`);
// `what` says what the share is of, e.g. "the training split".
void check_fraction(double value, const std::string& flag, const std::string& what, bool zero_allowed = false);

// The largest seed of a split (and of XGBoost's sampling, whose seed is a signed 64-bit integer).
inline constexpr std::uint64_t kMaxSeed = 9223372036854775807ULL;

// A seed as `flag`'s value: a decimal integer in [0, kMaxSeed]; throws InputError naming `flag`.
std::uint64_t parse_seed(const std::string& text, const std::string& flag);

// All rows 0..n-1.
std::vector<std::size_t> all_rows(std::size_t n);

}  // namespace treeline::data
