#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <span>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/data/binary_dataset.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/split.h"

using namespace treeline;
using namespace treeline::data;

TEST(StratifiedSplit, KeepsClassProportionsAndIsDeterministic) {
  const Table t = CsvDataSource(treeline::testing::sample_data()).read({});
  const auto rows = all_rows(t.rows());
  const Split a = stratified_split(t.labels, rows, 0.2, 42);
  const Split b = stratified_split(t.labels, rows, 0.2, 42);
  const Split c = stratified_split(t.labels, rows, 0.2, 43);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, c.test);
  EXPECT_EQ(a.train.size() + a.test.size(), t.rows());
  std::map<int, std::size_t> all, test;
  for (auto l : t.labels) ++all[l];
  for (auto r : a.test) ++test[t.labels[r]];
  for (auto [label, n] : all) EXPECT_NEAR(static_cast<double>(test[label]), n * 0.2, 1.0) << "class " << label;
  EXPECT_TRUE(std::is_sorted(a.train.begin(), a.train.end()));
}

TEST(StratifiedSplit, FixedRowsAcrossMachines) {
  // The split is defined bit for bit by treeline's own generator; these rows must never change.
  std::vector<std::int32_t> strata = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2};
  const Split s = stratified_split(strata, all_rows(10), 0.4, 42);
  EXPECT_EQ(s.test.size(), 4u);
  const Split again = stratified_split(strata, all_rows(10), 0.4, 42);
  EXPECT_EQ(s.test, again.test);
}

TEST(StratifiedSplit, TinyClassGoesToBothSides) {
  std::vector<std::int32_t> strata = {1, 1, 1, 1, 1, 1, 1, 1, 4, 4};
  const Split s = stratified_split(strata, all_rows(10), 0.2, 1);
  int fours_in_test = 0;
  for (auto r : s.test) fours_in_test += strata[r] == 4;
  EXPECT_EQ(fours_in_test, 1);
}

TEST(StratifiedSplit, RejectsBadFraction) {
  std::vector<std::int32_t> strata = {1, 2};
  EXPECT_THROW_WITH(stratified_split(strata, all_rows(2), 1.5, 1), InputError, "--test-fraction");
}

TEST(Seed, ParsesWhatXGBoostTakesAndNamesTheFlagOtherwise) {
  EXPECT_EQ(parse_seed("0", "--seed"), 0u);
  EXPECT_EQ(parse_seed("9223372036854775807", "--seed"), kMaxSeed);
  for (const char* bad : {"", "-1", "9223372036854775808", "1.5", "42x", " 7"})
    EXPECT_THROW_WITH(parse_seed(bad, "--seed"), InputError, "--seed=" + std::string(bad) + ": expected an integer");
}

TEST(BinaryDataset, RoundTripsATable) {
  const Table t = CsvDataSource(treeline::testing::sample_data()).read({});
  const std::string bytes = encode_binary_dataset(t);
  const Table u = decode_binary_dataset(bytes, "mem");
  EXPECT_EQ(u.rows(), t.rows());
  EXPECT_EQ(u.labels, t.labels);
  for (std::size_t c = 0; c < t.numeric.size(); ++c) EXPECT_EQ(u.numeric[c].values, t.numeric[c].values);
  for (std::size_t c = 0; c < t.categorical.size(); ++c) {
    EXPECT_EQ(u.categorical[c].codes, t.categorical[c].codes);
    EXPECT_EQ(u.categorical[c].levels, t.categorical[c].levels);
  }
  treeline::testing::TempDir dir;
  treeline::testing::write_text(dir / "t.tlds", bytes);
  EXPECT_EQ(read_binary_dataset(dir / "t.tlds").labels, t.labels);
  EXPECT_FALSE(u.labels.is_view()) << "decoded from bytes nobody keeps alive: copied";
}

TEST(BinaryDataset, AReadTableLiesInTheMappingThatTrialsShare) {
  // Parallel trials map the same prepared table: its columns must be read where they lie in the
  // mapping (pages the kernel shares among the processes), not copied to each one's heap.
  const Table t = CsvDataSource(treeline::testing::sample_data()).read({});
  treeline::testing::TempDir dir;
  treeline::testing::write_text(dir / "t.tlds", encode_binary_dataset(t));
  Table mapped = read_binary_dataset(dir / "t.tlds");
  EXPECT_TRUE(mapped.labels.is_view());
  for (const auto& c : mapped.numeric) EXPECT_TRUE(c.values.is_view()) << c.name;
  for (const auto& c : mapped.categorical) EXPECT_TRUE(c.codes.is_view()) << c.name;
  std::filesystem::remove(dir / "t.tlds");  // the mapping outlives the name
  const Table copy = mapped;                 // and every copy of the table keeps it
  mapped = Table{};
  EXPECT_EQ(copy.numeric[3].values, t.numeric[3].values);
  EXPECT_EQ(copy.labels, t.labels);
  // Decoded with a keep-alive, the columns point into the very bytes they were decoded from.
  const auto bytes = std::make_shared<const std::string>(encode_binary_dataset(t));
  const Table viewed = decode_binary_dataset(*bytes, "mem", bytes);
  const auto* first = reinterpret_cast<const char*>(viewed.numeric[0].values.data());
  const auto* labels = reinterpret_cast<const char*>(viewed.labels.data());
  EXPECT_TRUE(first > bytes->data() && first < bytes->data() + bytes->size());
  EXPECT_TRUE(labels > bytes->data() && labels + t.rows() * 4 <= bytes->data() + bytes->size());
  EXPECT_THROW((void)ColumnValues<float>::view({}, nullptr), std::logic_error);
  // Changing a mapped column copies it first; growing one is a programming error.
  Table changed = copy;
  changed.labels.mutable_values()[0] = 99;
  EXPECT_FALSE(changed.labels.is_view());
  EXPECT_NE(copy.labels[0], 99);
  EXPECT_THROW(Table(copy).labels.push_back(1), std::logic_error);
}

TEST(BinaryDataset, RefusesGarbageAndTruncation) {
  EXPECT_THROW_WITH(decode_binary_dataset("hello world, not a dataset", "x.tlds"), InputError, "x.tlds", "magic");
  const Table t = CsvDataSource(treeline::testing::sample_data()).read({});
  const std::string bytes = encode_binary_dataset(t);
  EXPECT_THROW_WITH(decode_binary_dataset(std::string_view(bytes).substr(0, bytes.size() / 2), "y.tlds"), InputError,
                    "y.tlds", "truncated");
}

TEST(BinaryDataset, RefusesACategoryCodeOutsideItsLevels) {
  Table t = CsvDataSource(treeline::testing::sample_data()).read({});
  t.categorical[0].codes.mutable_values()[7] = static_cast<std::int32_t>(t.categorical[0].levels.size());
  EXPECT_THROW_WITH(decode_binary_dataset(encode_binary_dataset(t), "z.tlds"), InputError, "z.tlds",
                    t.categorical[0].name.c_str(), "row 7", "outside its");
  t.categorical[0].codes.mutable_values()[7] = -1;
  EXPECT_THROW_WITH(decode_binary_dataset(encode_binary_dataset(t), "z.tlds"), InputError, "row 7", "code -1");
}
