// The hypertune metric file as trainers write it: cloudml-hypertune's strings, plain numbers,
// reports without a step, and garbage.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "treeline/jobs/metric_file.h"

namespace treeline::jobs {
namespace {

using treeline::testing::TempDir;
using treeline::testing::write_text;

// The whole file as a trainer that has exited left it.
MetricFileContents read_metric_file(const std::filesystem::path& path, const std::string& tag) {
  MetricFileFollower follower(path, tag);
  follower.update(/*complete=*/true);
  return follower.contents();
}

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
  EXPECT_NE(c.problems[0].find("report 1: not a JSON object: not json ?? caf?"), std::string::npos) << c.problems[0];
  EXPECT_NE(c.problems[1].find("report 2: f1 is not a finite number"), std::string::npos);
  EXPECT_NE(c.problems[2].find("report 3: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[3].find("report 4: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[4].find("report 5: global_step is not a step count"), std::string::npos);
  EXPECT_NE(c.problems[5].find("report 6: not a JSON object"), std::string::npos);
  for (const auto& p : c.problems) EXPECT_NO_THROW((void)nlohmann::json(p).dump());
}

// cloudml-hypertune's way: every report rewrites the file with its last 100 (a deque).
std::string window_of(int first, int last, bool with_step = true) {
  std::string text;
  for (int k = first; k <= last; ++k)
    text += with_step ? fmt::format("{{\"global_step\": \"{}\", \"f1\": \"{}\", \"timestamp\": {}.5}}\n", k, k / 1000.0, k)
                      : fmt::format("{{\"global_step\": \"0\", \"f1\": \"{}\"}}\n", k / 1000.0);
  return text;
}

TEST(MetricFileFollower, KeepsEveryReportOfAFileThatSlidesAlongTheCurve) {
  TempDir dir;
  MetricFileFollower follower(dir / "m.jsonl", "f1");
  EXPECT_FALSE(follower.update()) << "no file yet";
  write_text(dir / "m.jsonl", window_of(1, 60));
  EXPECT_TRUE(follower.update());
  write_text(dir / "m.jsonl", window_of(41, 140));  // 140 reports so far, the file holds the last 100
  EXPECT_TRUE(follower.update());
  EXPECT_FALSE(follower.update()) << "nothing new";
  write_text(dir / "m.jsonl", window_of(51, 150));
  EXPECT_TRUE(follower.update());
  const auto c = follower.contents();
  ASSERT_EQ(c.metrics.size(), 150u);
  for (int k = 1; k <= 150; ++k) EXPECT_EQ(c.metrics[static_cast<std::size_t>(k - 1)].training_step, k);
  EXPECT_DOUBLE_EQ(c.metrics.back().objective_value, 0.150);
  EXPECT_TRUE(c.problems.empty());
  // Read while being rewritten: empty, then the first lines of the next window only.
  write_text(dir / "m.jsonl", "");
  EXPECT_FALSE(follower.update());
  write_text(dir / "m.jsonl", window_of(52, 90));
  EXPECT_FALSE(follower.update()) << "a window inside what was seen adds nothing";
  EXPECT_EQ(follower.contents().metrics.size(), 150u);
  // More than a window between two reads: the gap is lost, the rest kept in order.
  write_text(dir / "m.jsonl", window_of(201, 300));
  EXPECT_TRUE(follower.update());
  const auto gap = follower.contents().metrics;
  ASSERT_EQ(gap.size(), 250u);
  EXPECT_EQ(gap[149].training_step, 150);
  EXPECT_EQ(gap[150].training_step, 201);
}

TEST(MetricFileFollower, NumbersReportsWithoutAStepAcrossWindows) {
  // cloudml-hypertune writes global_step "0" when given none: the reports are numbered in the
  // order the trainer wrote them, not by their place in the file.
  TempDir dir;
  MetricFileFollower follower(dir / "m.jsonl", "f1");
  write_text(dir / "m.jsonl", window_of(1, 100, /*with_step=*/false));
  EXPECT_TRUE(follower.update());
  write_text(dir / "m.jsonl", window_of(21, 120, /*with_step=*/false));
  EXPECT_TRUE(follower.update());
  const auto c = follower.contents();
  ASSERT_EQ(c.metrics.size(), 120u);
  EXPECT_EQ(c.metrics.back().training_step, 120);
  EXPECT_DOUBLE_EQ(c.metrics.back().objective_value, 0.120);
}

TEST(MetricFileFollower, AnAppendedFileAndAHalfWrittenLastLine) {
  TempDir dir;
  MetricFileFollower follower(dir / "m.jsonl", "f1");
  write_text(dir / "m.jsonl", window_of(1, 2) + "{\"global_step\": \"3\", \"f1");
  EXPECT_TRUE(follower.update());
  EXPECT_EQ(steps_of(follower.contents()), (std::vector<long>{1, 2})) << "the cut line waits";
  EXPECT_TRUE(follower.contents().problems.empty());
  write_text(dir / "m.jsonl", window_of(1, 4));
  EXPECT_TRUE(follower.update());
  EXPECT_EQ(steps_of(follower.contents()), (std::vector<long>{1, 2, 3, 4}));
  // The trainer has exited: a last line without its newline is all there will be.
  write_text(dir / "m.jsonl", window_of(1, 4) + "{\"global_step\": 5, \"f1\": 0.9}");
  EXPECT_FALSE(follower.update());
  EXPECT_TRUE(follower.update(/*complete=*/true));
  EXPECT_EQ(steps_of(follower.contents()), (std::vector<long>{1, 2, 3, 4, 5}));
}

TEST(MetricFileFollower, AnUnterminatedLastLineThatIsNoReportIsAProblem) {
  // Once the trainer has exited, garbage without a newline is named like garbage with one,
  // instead of the file reading as if the trainer had reported nothing.
  TempDir dir;
  write_text(dir / "m.jsonl", "garbage");
  auto c = read_metric_file(dir / "m.jsonl", "f1");
  EXPECT_TRUE(c.metrics.empty());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0], "report 1 (the last line, with no newline after it): not a JSON object: garbage");
  write_text(dir / "m.jsonl", window_of(1, 2) + "{\"f1\": 0.");
  c = read_metric_file(dir / "m.jsonl", "f1");
  EXPECT_EQ(steps_of(c), (std::vector<long>{1, 2})) << "the reports before it stand";
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_TRUE(c.problems[0].starts_with("report 3 (the last line")) << c.problems[0];
}

TEST(MetricFileFollower, ARewriteCutShortByTheTrainersEndChangesNothing) {
  // Stopped early, the trainer died while rewriting its window: the file holds the first lines
  // of the new window and a piece of one. The curve seen so far stands, its last report last.
  TempDir dir;
  MetricFileFollower follower(dir / "m.jsonl", "f1");
  write_text(dir / "m.jsonl", window_of(71, 170));
  EXPECT_TRUE(follower.update());
  const std::string next = window_of(72, 171);
  write_text(dir / "m.jsonl", next.substr(0, next.size() / 2 + 7));
  EXPECT_FALSE(follower.update(/*complete=*/true));
  const auto c = follower.contents();
  ASSERT_EQ(c.metrics.size(), 100u);
  EXPECT_EQ(c.metrics.back().training_step, 170);
  EXPECT_TRUE(c.problems.empty()) << c.problems.front();
  // A cut line that happens to be whole JSON is still no report when its window stops short.
  write_text(dir / "m.jsonl", window_of(72, 100) + "{\"f1\": 0.5}");
  EXPECT_FALSE(follower.update(/*complete=*/true));
  EXPECT_EQ(follower.contents().metrics.back().training_step, 170);
}

TEST(MetricFileFollower, ProblemsNameTheReportNotAFileLine) {
  TempDir dir;
  MetricFileFollower follower(dir / "m.jsonl", "f1");
  write_text(dir / "m.jsonl", window_of(1, 100));
  EXPECT_TRUE(follower.update());
  write_text(dir / "m.jsonl", window_of(2, 100) + "{\"f1\": \"high\", \"timestamp\": 1}\n");
  EXPECT_TRUE(follower.update());
  const auto c = follower.contents();
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("report 101: f1 is not a finite number"), std::string::npos) << c.problems[0];
}

}  // namespace
}  // namespace treeline::jobs
