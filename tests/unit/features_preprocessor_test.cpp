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

TEST(Preprocessor, ScalesAsScikitLearnOnFloat64ThenRoundsToFloat) {
  // What Python computes from preprocessor.json (StandardScaler on float64, then xgboost.DMatrix
  // rounding to float32) must be the values the model split on, to the bit: a value one ulp off
  // lands on the other side of a split made at it.
  data::Table t = data::covertype::make_empty_table();
  for (int r = 0; r < 2000; ++r) {
    for (auto& c : t.numeric) c.values.push_back(static_cast<float>(1859 + r));
    for (auto& c : t.categorical) c.codes.push_back(0);
    t.labels.push_back(1);
  }
  std::vector<std::size_t> rows(2000);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const double mean = 2959.365, scale = 279.98473;
  auto preprocessor = [&](const char* format) {
    return Preprocessor::from_json({{"format", format},
                                    {"encoding", "categorical"},
                                    {"numeric", {{{"name", "Elevation"}, {"mean", mean}, {"scale", scale}}}},
                                    {"categorical", nlohmann::json::array()}},
                                   "p.json");
  };
  const auto now = preprocessor("treeline.preprocessor/2").transform(t, rows);
  const auto before = preprocessor("treeline.preprocessor/1").transform(t, rows);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const float x = t.numeric[0].values[i];
    EXPECT_EQ(now.dense[i], static_cast<float>((static_cast<double>(x) - mean) / scale)) << x;
    EXPECT_EQ(before.dense[i], (x - static_cast<float>(mean)) / static_cast<float>(scale)) << x;
    differ += now.dense[i] != before.dense[i];
  }
  EXPECT_GT(differ, 0u) << "the two arithmetics part somewhere, or this test shows nothing";
  EXPECT_EQ(preprocessor("treeline.preprocessor/1").to_json()["format"], "treeline.preprocessor/1")
      << "a model set from before keeps its arithmetic when written again";
  EXPECT_THROW(preprocessor("treeline.preprocessor/9"), InputError);
}
