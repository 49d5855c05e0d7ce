#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"
#include "treeline/common/error.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/features/preprocessor.h"

using namespace treeline;
using namespace treeline::features;

namespace {

data::Table small_table() {
  data::Table t = data::covertype::make_empty_table();
  for (int r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < t.numeric.size(); ++c) t.numeric[c].values.push_back(static_cast<float>(r * (c + 1)));
    t.categorical[0].codes.push_back(r % 2);               // Rawah, Neota
    t.categorical[1].codes.push_back(r < 2 ? 0 : 5);       // 2702, 2717
    t.labels.push_back(r + 1);
  }
  return t;
}

}  // namespace

TEST(Preprocessor, ScalesWithTrainingStatisticsOnly) {
  const auto t = small_table();
  const std::vector<std::size_t> train = {0, 1, 2};
  const auto p = Preprocessor::fit(t, train, Encoding::kNativeCategorical);
  const auto m = p.transform(t, std::vector<std::size_t>{0, 1, 2, 3});
  ASSERT_EQ(m.cols, 12u);
  // Elevation in training: 0,1,2 -> mean 1, population sd sqrt(2/3).
  const float sd = std::sqrt(2.0f / 3.0f);
  EXPECT_NEAR(m.dense[0 * 12], -1.0f / sd, 1e-5);
  EXPECT_NEAR(m.dense[3 * 12], 2.0f / sd, 1e-5);
  EXPECT_EQ(m.feature_types[10], "c");
}

TEST(Preprocessor, UnseenCategoryIsMissingOrAllZeros) {
  auto t = small_table();
  const std::vector<std::size_t> train = {0, 1};  // soil 2717 (row 2, 3) never seen
  const auto native = Preprocessor::fit(t, train, Encoding::kNativeCategorical);
  const auto m = native.transform(t, std::vector<std::size_t>{2});
  EXPECT_TRUE(std::isnan(m.dense[11]));
  EXPECT_FALSE(std::isnan(m.dense[10]));

  const auto onehot = Preprocessor::fit(t, train, Encoding::kOneHot);
  const auto o = onehot.transform(t, std::vector<std::size_t>{2});
  ASSERT_TRUE(o.sparse);
  EXPECT_EQ(o.cols, 10u + 2u + 1u);  // two wilderness areas and one soil type seen
  // 10 numerics and the wilderness flag; no soil flag.
  EXPECT_EQ(o.indptr[1] - o.indptr[0], 11u);
}

TEST(Preprocessor, OneHotColumnsAreZeroOne) {
  const auto t = small_table();
  const auto p = Preprocessor::fit(t, std::vector<std::size_t>{0, 1, 2, 3}, Encoding::kOneHot);
  const auto m = p.transform(t, std::vector<std::size_t>{1});
  EXPECT_EQ(m.feature_names[10], "Wilderness_Area_Rawah");
  EXPECT_EQ(m.indices.back(), 10u + 2u);  // Neota, then soil 2702 at 12
}

TEST(Preprocessor, JsonRoundTripTransformsIdentically) {
  const auto t = small_table();
  const auto p = Preprocessor::fit(t, std::vector<std::size_t>{0, 1, 2}, Encoding::kNativeCategorical);
  const auto q = Preprocessor::from_json(nlohmann::json::parse(p.to_json().dump()), "p.json");
  const std::vector<std::size_t> rows = {0, 1, 2, 3};
  const auto a = p.transform(t, rows), b = q.transform(t, rows);
  for (std::size_t i = 0; i < a.dense.size(); ++i)
    if (!std::isnan(a.dense[i])) EXPECT_EQ(a.dense[i], b.dense[i]);
}

TEST(Preprocessor, RejectsForeignJson) {
  EXPECT_THROW_WITH(Preprocessor::from_json(nlohmann::json{{"format", "other"}}, "x.json"), InputError, "x.json");
  EXPECT_THROW_WITH(parse_encoding("dummy"), InputError, "--encoding");
}
