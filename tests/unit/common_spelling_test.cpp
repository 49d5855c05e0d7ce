#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "treeline/common/spelling.h"

namespace treeline {
namespace {

TEST(ClosestSpelling, SuggestsOnlyANearAndUniqueMiss) {
  const std::vector<std::string_view> names = {"max_depth", "max_bin", "max_leaves", "gamma", "eta"};
  EXPECT_EQ(closest_spelling("max_dept", names), "max_depth");
  EXPECT_EQ(closest_spelling("MAX_DEPTH", names), "max_depth") << "case is no edit";
  EXPECT_EQ(closest_spelling("max_detph", names), "max_depth") << "two neighbours swapped are one edit";
  EXPECT_EQ(closest_spelling("gama", names), "gamma");
  EXPECT_EQ(closest_spelling("subsample", names), std::nullopt) << "nothing near";
  EXPECT_EQ(closest_spelling("max_bi", {"max_bin", "max_bit"}), std::nullopt) << "two as near: no guess";
  EXPECT_EQ(closest_spelling("et", names), "eta");
  EXPECT_EQ(closest_spelling("x", names), std::nullopt);
}

}  // namespace
}  // namespace treeline
