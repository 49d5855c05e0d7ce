// The hypertune metric file as trainers write it: cloudml-hypertune's strings, plain numbers,
// reports without a step, and garbage.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "treeline/jobs/metric_file.h"

namespace treeline::jobs {
namespace {

using treeline::testing::TempDir;
using treeline::testing::write_text;

std::vector<long> steps_of(const MetricFileContents& c) {
  std::vector<long> out;
  for (const auto& m : c.metrics) out.push_back(m.training_step);
  return out;
}

TEST(MetricFile, ReadsStringsAndNumbersAndSkipsOtherTags) {
  TempDir dir;
  write_text(dir / "m.jsonl", R"({"global_step": "100", "f1": "0.5", "timestamp": 1525851440.12, "trial": "3"}
{"global_step": 200, "f1": 0.75}
{"global_step": 250, "loss": 0.1}

{"global_step": "300", "f1": "0.8", "timestamp": "soon"}
)");
  const auto c = read_metric_file(dir / "m.jsonl", "f1");
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(steps_of(c), (std::vector<long>{100, 200, 300}));
  ASSERT_EQ(c.metrics.size(), 3u);
  EXPECT_DOUBLE_EQ(c.metrics[1].objective_value, 0.75);
  EXPECT_EQ(c.metrics[0].timestamp, 1525851440.12);
  EXPECT_FALSE(c.metrics[1].timestamp.has_value());
  EXPECT_FALSE(c.metrics[2].timestamp.has_value()) << "a time that is not a number is left out, the report kept";
  EXPECT_TRUE(read_metric_file(dir / "missing.jsonl", "f1").metrics.empty());
}

TEST(MetricFile, ReportsWithoutAStepAreNumberedInOrder) {
  // cloudml-hypertune's report_hyperparameter_tuning_metric without global_step writes "0".
  TempDir dir;
  write_text(dir / "m.jsonl", "{\"global_step\": \"0\", \"f1\": \"0.5\"}\n{\"global_step\": \"0\", \"f1\": \"0.6\"}\n"
                              "{\"global_step\": \"0\", \"f1\": \"0.7\"}\n");
  EXPECT_EQ(steps_of(read_metric_file(dir / "m.jsonl", "f1")), (std::vector<long>{1, 2, 3}));
  write_text(dir / "n.jsonl", "{\"f1\": 0.5}\n{\"f1\": 0.6}\n");
  EXPECT_EQ(steps_of(read_metric_file(dir / "n.jsonl", "f1")), (std::vector<long>{1, 2}));
}

TEST(MetricFile, AReportAtAStepAlreadyPassedReplacesTheCurveFromThere) {
  TempDir dir;
  // A final report repeating the last step (as an Estimator's last evaluation does): the steps
  // are kept, and the final value is the last one.
  write_text(dir / "again.jsonl", "{\"global_step\": 100, \"f1\": 0.5}\n{\"global_step\": 200, \"f1\": 0.6}\n"
                                  "{\"global_step\": 200, \"f1\": 0.65}\n");
  const auto again = read_metric_file(dir / "again.jsonl", "f1");
  EXPECT_EQ(steps_of(again), (std::vector<long>{100, 200}));
  EXPECT_DOUBLE_EQ(again.metrics.back().objective_value, 0.65);
  // Going back to a restored checkpoint's step.
  write_text(dir / "back.jsonl", "{\"global_step\": 10, \"f1\": 0.5}\n{\"global_step\": 20, \"f1\": 0.6}\n"
                                 "{\"global_step\": 30, \"f1\": 0.55}\n{\"global_step\": 20, \"f1\": 0.6}\n");
  const auto back = read_metric_file(dir / "back.jsonl", "f1");
  EXPECT_EQ(steps_of(back), (std::vector<long>{10, 20}));
  EXPECT_DOUBLE_EQ(back.metrics.back().objective_value, 0.6);
}

TEST(MetricFile, GarbageBecomesProblemsThatStayValidText) {
  TempDir dir;
  write_text(dir / "m.jsonl", "not json \xff\xfe caf\xc3\n{\"f1\": \"high\"}\n{\"f1\": 0.5, \"global_step\": \"nan\"}\n"
                              "{\"f1\": 0.5, \"global_step\": 1e300}\n{\"f1\": 0.5, \"global_step\": 2.5}\n[1, 2]\n{\"f1\": 0.9, \"global_step\": 7}\n");
  const auto c = read_metric_file(dir / "m.jsonl", "f1");
  EXPECT_EQ(steps_of(c), (std::vector<long>{7}));
  ASSERT_EQ(c.problems.size(), 6u);
  EXPECT_NE(c.problems[0].find("line 1: not a JSON object: not json ?? caf?"), std::string::npos) << c.problems[0];
  EXPECT_NE(c.problems[1].find("line 2: f1 is not a finite number"), std::string::npos);
  EXPECT_NE(c.problems[2].find("line 3: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[3].find("line 4: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[4].find("line 5: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[5].find("line 6: not a JSON object"), std::string::npos);
  for (const auto& p : c.problems) EXPECT_NO_THROW((void)nlohmann::json(p).dump());
}

}  // namespace
}  // namespace treeline::jobs
