#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_util.h"
#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/sqlite_source.h"
#include "treeline/data/split.h"
#include "treeline/common/random.h"
#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/pipeline/cover_type_trainer.h"
#include "treeline/pipeline/last_run.h"
#include "treeline/pipeline/predict.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/pipeline/run_local.h"
#include "treeline/pipeline/train_evaluate.h"
#include "treeline/store/directory_store.h"

using namespace treeline;
using namespace treeline::pipeline;
using treeline::testing::TempDir;

namespace {

RunLocalRequest small_request(const TempDir& dir) {
  RunLocalRequest r;
  r.project = "p";
  r.name = "n";
  r.data = treeline::testing::sample_data();
  r.store_root = dir.path();
  r.training.nthread = 1;
  r.training.hyperparameters.set("n_estimators", "20");
  return r;
}

}  // namespace

TEST(RunLocal, TrainsStoresAndPredictsAllSevenCoverTypes) {
  TempDir dir;
  const auto results = run_local(small_request(dir));
  ASSERT_EQ(results.size(), 7u);
  double f1 = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.metrics.has_value()) << r.skipped_reason;
    EXPECT_GT(r.metrics->accuracy, 0.7);
    EXPECT_TRUE(std::filesystem::exists(r.model_uri));
    f1 += r.metrics->f1;
  }
  EXPECT_GT(f1 / 7, 0.6);
  EXPECT_TRUE(std::filesystem::exists(dir / "p/n/datasets/cover_type_4/manifest.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "p/n/datasets/table.tlds"));

  data::CsvDataSource source(treeline::testing::sample_data());
  const auto predictions = predict(dir / "p/n", source, 1);
  ASSERT_TRUE(predictions.accuracy.has_value());
  EXPECT_GT(*predictions.accuracy, 0.75);
  EXPECT_EQ(predictions.cover_types.size(), 7u);

  // Only the held-out test split: about 20% of the rows, exactly the split training used.
  const auto on_test = predict(dir / "p/n", source, 1, RowSelection{.test_split_only = true});
  const data::Table sample = source.read({});
  const auto split = data::stratified_split(sample.labels, data::all_rows(sample.rows()), 0.2, 42);
  EXPECT_EQ(on_test.predicted.size(), split.test.size());
  for (std::size_t i = 0; i < split.test.size(); ++i) ASSERT_EQ(on_test.labels[i], sample.labels[split.test[i]]);
  EXPECT_LT(*on_test.accuracy, *predictions.accuracy);  // the training rows are easier

  // An id column carried through to the output, row for row, also on the test split alone.
  data::load_into_sqlite(sample, dir / "w.db", "covertype");
  data::SqliteDataSource with_id(dir / "w.db", "SELECT rowid AS row_id, * FROM covertype ORDER BY rowid");
  const auto kept = predict(dir / "p/n", with_id, 1, RowSelection{.test_split_only = true}, {"row_id"});
  ASSERT_EQ(kept.kept.size(), 1u);
  ASSERT_EQ(kept.kept[0].values.size(), split.test.size());
  for (std::size_t i = 0; i < split.test.size(); ++i) ASSERT_EQ(kept.kept[0].values[i], std::to_string(split.test[i] + 1));
  EXPECT_EQ(kept.predicted, on_test.predicted);
  EXPECT_TRUE(predictions_to_csv(kept).starts_with("row_id,p_cover_type_1,"));
  EXPECT_THROW_WITH(predict(dir / "p/n", with_id, 1, {}, {"id"}), InputError, "--keep-columns id",
                    "no such column (query result columns); its columns outside the schema: 'row_id'");

  // Same seed, same data: same metrics.
  const auto again = run_local(small_request(dir));
  EXPECT_DOUBLE_EQ(again[0].metrics->f1, results[0].metrics->f1);
}

TEST(RunLocal, CoverTypeWithoutPositivesIsReportedNotACrash) {
  TempDir dir;
  const data::Table sample = data::CsvDataSource(treeline::testing::sample_data()).read({});
  std::string csv = data::to_warehouse_csv(sample);
  std::string filtered;
  std::size_t pos = 0;
  while (pos < csv.size()) {
    const std::size_t end = csv.find('\n', pos);
    const std::string line = csv.substr(pos, end - pos);
    if (line.size() < 2 || line.substr(line.size() - 2) != ",4") filtered += line + "\n";
    pos = end + 1;
  }
  treeline::testing::write_text(dir / "no4.csv", filtered);
  auto request = small_request(dir);
  request.data = (dir / "no4.csv").string();
  request.cover_types = {3, 4};
  const auto results = run_local(request);
  EXPECT_TRUE(results[0].metrics.has_value());
  EXPECT_FALSE(results[1].metrics.has_value());
  EXPECT_NE(results[1].skipped_reason.find("no rows of cover type 4"), std::string::npos);
  EXPECT_NE(results_to_table(results).find("skipped"), std::string::npos);
}

TEST(RunLocal, RefusesBadNamesBeforeWritingAnything) {
  TempDir dir;
  auto request = small_request(dir);
  request.project = "..";
  EXPECT_THROW_WITH(run_local(request), InputError, "PROJECT");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(RunLocal, BadDataLeavesStoreUntouched) {
  TempDir dir;
  const auto first = run_local(small_request(dir));
  const std::string model_before = store::DirectoryStore(dir.path()).read("p/n/models/cover_type_1/model.json");
  treeline::testing::write_text(dir / "bad.csv", data::covertype::warehouse_header() + "\n1,2,3\n");
  auto request = small_request(dir);
  request.data = (dir / "bad.csv").string();
  EXPECT_THROW_WITH(run_local(request), InputError, "bad.csv", "line 2");
  EXPECT_EQ(store::DirectoryStore(dir.path()).read("p/n/models/cover_type_1/model.json"), model_before);
  data::CsvDataSource source(treeline::testing::sample_data());
  EXPECT_NO_THROW(predict(dir / "p/n", source, 1));
}

// run-local of `cover_types` on the sample in `dir`; returns its request, to run again changed.
RunLocalRequest run_local_of(const TempDir& dir, std::vector<int> cover_types) {
  auto request = small_request(dir);
  request.cover_types = std::move(cover_types);
  run_local(request);
  return request;
}

TEST(Predict, RefusesAModelThatDoesNotMatchItsManifest) {
  TempDir dir;
  auto request = small_request(dir);
  request.cover_types = {1};
  run_local(request);
  std::string model = store::DirectoryStore(dir.path()).read("p/n/models/cover_type_1/model.json");
  model[model.size() / 2] = model[model.size() / 2] == '1' ? '2' : '1';
  treeline::testing::write_text(dir / "p/n/models/cover_type_1/model.json", model);
  data::CsvDataSource source(treeline::testing::sample_data());
  EXPECT_THROW_WITH(predict(dir / "p/n", source, 1), InputError, "model.json", "does not match its manifest");
}

TEST(Predict, RefusesModelsOfDifferentData) {
  TempDir dir;
  auto request = run_local_of(dir, {1, 2});
  data::CsvDataSource source(treeline::testing::sample_data());
  EXPECT_NO_THROW(predict(dir / "p/n", source, 1));
  // A later run on other rows retrains cover type 2 only: cover type 1's model is stale.
  const std::string text = data::read_maybe_gzip(treeline::testing::sample_data());
  std::size_t end = 0;
  for (int line = 0; line <= 5000; ++line) end = text.find('\n', end) + 1;  // the header and 5000 rows
  treeline::testing::write_text(dir / "fewer.csv", text.substr(0, end));
  request.data = (dir / "fewer.csv").string();
  request.cover_types = {2};
  run_local(request);
  EXPECT_THROW_WITH(predict(dir / "p/n", source, 1), InputError, "cover_type_2 learnt from another prepared table",
                    "cover_type_1");
}

TEST(Predict, TestSplitOfModelsFromBeforeTheyRecordedItIsTheOneGivenAndSaidToBeAssumed) {
  TempDir dir;
  auto request = run_local_of(dir, {1, 2});
  data::CsvDataSource source(treeline::testing::sample_data());
  const auto recorded = predict(dir / "p/n", source, 1, {.test_split_only = true});
  ASSERT_TRUE(recorded.test_split.has_value());
  EXPECT_TRUE(recorded.test_split->recorded);
  EXPECT_THROW_WITH(predict(dir / "p/n", source, 1, {.test_split_only = true, .seed = 7}), InputError,
                    "the models held out the test split of seed 42 and fraction 0.2");
  // As a model set stored before the split was recorded: its manifest without the key.
  for (int k : {1, 2}) {
    const auto path = dir / fmt::format("p/n/models/cover_type_{}/manifest.json", k);
    auto manifest = nlohmann::json::parse(data::read_maybe_gzip(path.string()));
    manifest["metadata"].erase(kTestSplitKey);
    treeline::testing::write_text(path, manifest.dump(2));
  }
  const auto assumed = predict(dir / "p/n", source, 1, {.test_split_only = true, .seed = 7});
  ASSERT_TRUE(assumed.test_split.has_value());
  EXPECT_FALSE(assumed.test_split->recorded);
  EXPECT_EQ(assumed.test_split->seed, 7u);
  EXPECT_EQ(assumed.labels.size(), recorded.labels.size()) << "the same share of rows, drawn with seed 7";
}

TEST(LastRun, OnlyARunLocalThatDidNotSucceedIsWarnedOf) {
  TempDir dir;
  store::DirectoryStore store(dir.path());
  EXPECT_EQ(unfinished_run(store, "p/n"), std::nullopt) << "no record";
  record_last_run(store, "p/n", {{"command", "run-local"}, {"state", "RUNNING"}, {"started", "T"}, {"cover_types", {1, 2}}});
  EXPECT_EQ(unfinished_run(store, "p/n"), "the last run-local on these models, started T on cover types [1,2], did not "
                                          "finish (killed?)");
  record_last_run(store, "p/n", {{"command", "run-local"}, {"state", "FAILED"}, {"error", "disk full"}});
  EXPECT_NE(unfinished_run(store, "p/n")->find("failed: disk full"), std::string::npos);
  record_last_run(store, "p/n", {{"command", "run-local"}, {"state", "SUCCEEDED"}});
  EXPECT_EQ(unfinished_run(store, "p/n"), std::nullopt);
  record_last_run(store, "p/n", {{"command", "submit"}, {"state", "SUBMITTED"}});
  EXPECT_EQ(unfinished_run(store, "p/n"), std::nullopt) << "a submit's jobs say how it went";
  treeline::testing::write_text(dir / "p/n/last_run/run.json", "{not json");
  EXPECT_NE(unfinished_run(store, "p/n")->find("is not readable JSON"), std::string::npos);
}

// A trial's request on the sample's prepared datasets in `dir`: cover type 3, 30 rounds, 20% validation.
TrainEvaluateRequest prepared_trial_request(const TempDir& dir) {
  data::CsvDataSource source(treeline::testing::sample_data());
  store::DirectoryStore store(dir / "store");
  prepare_datasets(source, store, "p/n");
  TrainEvaluateRequest request;
  request.store_root = dir / "store";
  request.project = "p";
  request.name = "n";
  request.cover_type = 3;
  request.job_dir = dir / "job";
  request.split.validation_fraction = 0.2;
  request.training.nthread = 1;
  request.training.hyperparameters.set("n_estimators", "30");
  return request;
}

TEST(TrainEvaluate, TrainsFromPreparedDatasetAndReportsHypertuneMetrics) {
  TempDir dir;
  TrainEvaluateRequest request = prepared_trial_request(dir);
  metrics::HypertuneReporter reporter(dir / "hp.jsonl", "f1", "7");
  const auto result = train_evaluate(request, reporter);
  EXPECT_EQ(result.evaluated_on, "validation");
  EXPECT_GT(result.metrics.f1, 0.5);
  EXPECT_TRUE(std::filesystem::exists(dir / "job/model/model.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "job/model/preprocessor.json"));
  // Intermediate reports every 3 rounds, then the final one at step 30.
  std::ifstream in(dir / "hp.jsonl");
  std::string line, last;
  int lines = 0;
  while (std::getline(in, line)) last = line, ++lines;
  EXPECT_EQ(lines, 10);
  EXPECT_EQ(nlohmann::json::parse(last)["global_step"], "30");
  EXPECT_NEAR(std::stod(nlohmann::json::parse(last)["f1"].get<std::string>()), result.metrics.f1, 1e-12);
}

TEST(EvaluatePredictions, ATunedCutIsReportedCrossFittedAtEveryReportAndAtTheEnd) {
  // A rare class whose best cut is well below 0.5, with some overlap, so the sweep has a choice.
  Random random(5);
  std::vector<float> labels, p;
  for (int i = 0; i < 3000; ++i) {
    const bool positive = i % 8 == 0;
    labels.push_back(positive);
    p.push_back(static_cast<float>(positive ? random.uniform(0.15, 0.6) : random.uniform(0, 0.3)));
  }
  const metrics::MetricDefinition& f1 = metrics::find_metric("f1");
  const DecisionThreshold tuned{0.5, &f1};
  const metrics::ThresholdGuard guard;
  for (const metrics::ThresholdGuard& g : {guard, metrics::ThresholdGuard{.resamples = 0}}) {
    const Evaluation e = evaluate_predictions(labels, p, tuned, g);
    EXPECT_TRUE(e.cross_fitted);
    EXPECT_EQ(e.threshold, metrics::tune_threshold(labels, p, f1, g).threshold);
    const metrics::BinaryMetrics held_out = metrics::cross_fitted_metrics(labels, p, f1).value();
    EXPECT_EQ(e.metrics.confusion.true_positives, held_out.confusion.true_positives);
    EXPECT_EQ(e.metrics.confusion.false_positives, held_out.confusion.false_positives);
    EXPECT_DOUBLE_EQ(e.metrics.f1, held_out.f1);
    // Below what the cut reads on the rows it was tuned on.
    EXPECT_LT(e.metrics.f1, metrics::tune_threshold(labels, p, f1, {.resamples = 0}).metrics.f1);
  }
  // A fixed cut: the metrics at it.
  const Evaluation fixed = evaluate_predictions(labels, p, {0.25, nullptr}, guard);
  EXPECT_FALSE(fixed.cross_fitted);
  EXPECT_EQ(fixed.threshold, 0.25);
  EXPECT_DOUBLE_EQ(fixed.metrics.f1, metrics::evaluate_binary(labels, p, 0.25).f1);
  // Too few positives to hold any out: the metrics at the tuned cut, and said so.
  const std::vector<float> one_positive = {1, 0, 0, 0};
  const std::vector<float> scores = {0.4f, 0.3f, 0.2f, 0.1f};
  const Evaluation few = evaluate_predictions(one_positive, scores, tuned, {.resamples = 0});
  EXPECT_FALSE(few.cross_fitted);
  EXPECT_DOUBLE_EQ(few.metrics.f1, 1.0);
}

TEST(TrainEvaluate, TunesTheDecisionThresholdOnValidationAndAFinalTrainingTakesIt) {
  TempDir dir;
  TrainEvaluateRequest request = prepared_trial_request(dir);
  request.job_dir = dir / "trial";
  const metrics::HypertuneReporter silent(std::nullopt, "f1", "");
  const auto at_half = train_evaluate(request, silent);
  request.decision_threshold.tune = true;
  const auto tuned = train_evaluate(request, silent);
  // The same model on the same rows; its metrics at the tuned cut are cross-fitted, which the
  // threshold-free ones are not.
  EXPECT_EQ(tuned.metrics.rows, at_half.metrics.rows);
  EXPECT_DOUBLE_EQ(tuned.metrics.roc_auc, at_half.metrics.roc_auc);
  EXPECT_TRUE(nlohmann::json::parse(read_file(dir / "trial/model/metrics.json"))["metrics_cross_fitted"].get<bool>());
  EXPECT_TRUE(nlohmann::json::parse(read_file(dir / "trial" / kDecisionThresholdFile))["cross_fitted"].get<bool>());
  // The trial leaves its threshold beside its model set, as metrics.json records it too.
  EXPECT_DOUBLE_EQ(read_decision_threshold(dir / "trial" / kDecisionThresholdFile, "--from"), tuned.decision_threshold);
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(read_file(dir / "trial/model/metrics.json"))["decision_threshold"].get<double>(),
                   tuned.decision_threshold);

  // The final training: the whole training split, the test split, the trial's threshold.
  TrainEvaluateRequest final_request = request;
  final_request.decision_threshold.tune = false;
  final_request.split.validation_fraction = 0;
  final_request.job_dir = dir / "final";
  final_request.decision_threshold.value = read_decision_threshold(dir / "trial" / kDecisionThresholdFile, "--from");
  const auto final_result = train_evaluate(final_request, silent);
  EXPECT_EQ(final_result.evaluated_on, "test");
  EXPECT_DOUBLE_EQ(final_result.decision_threshold, tuned.decision_threshold);
  EXPECT_FALSE(std::filesystem::exists(dir / "final" / kDecisionThresholdFile));  // it tuned nothing
  EXPECT_FALSE(nlohmann::json::parse(read_file(dir / "final/model/metrics.json"))["metrics_cross_fitted"].get<bool>());

  // Tuned on the test split it would flatter the model; a threshold-free metric has none to tune.
  final_request.decision_threshold.tune = true;
  EXPECT_THROW_WITH(train_evaluate(final_request, silent), InputError, "only be tuned on a validation split");
  EXPECT_THROW_WITH(train_evaluate(request, metrics::HypertuneReporter(std::nullopt, "roc_auc", "")), InputError,
                    "--decision-threshold=tune", "is roc_auc, which does not depend");
  EXPECT_THROW_WITH(read_decision_threshold(dir / "nowhere.json", "--from"), InputError,
                    "--from=" + (dir / "nowhere.json").string() + ": no such file");
  // The file takes what tuning can leave: never 1 (a cut above every probability is below it),
  // and 0 when every row is best called positive.
  write_file_atomically(dir / "one.json", R"({"decision_threshold": 1})");
  EXPECT_THROW_WITH(read_decision_threshold(dir / "one.json", "--from"), InputError, "a number in [0, 1)");
  write_file_atomically(dir / "zero.json", R"({"decision_threshold": 0})");
  EXPECT_EQ(read_decision_threshold(dir / "zero.json", "--from"), 0.0);
  write_file_atomically(dir / "bad.json", R"({"decision_threshold": 7})");
  EXPECT_THROW_WITH(read_decision_threshold(dir / "bad.json", "--from"), InputError, "--from=", "expected");
  EXPECT_THROW_WITH(parse_decision_threshold("1", "--decision-threshold"), InputError,
                    "--decision-threshold=1: expected a number in (0, 1) or tune");
  EXPECT_TRUE(parse_decision_threshold("tune", "--decision-threshold").tune);
  EXPECT_DOUBLE_EQ(parse_decision_threshold("0.25", "--decision-threshold").value, 0.25);
}

TEST(TrainEvaluate, RefusesADamagedPreparedTable) {
  TempDir dir;
  TrainEvaluateRequest request = prepared_trial_request(dir);
  const auto table = dir / "store/p/n/datasets/table.tlds";
  std::string bytes = read_file(table);
  bytes[bytes.size() - 100] ^= 0x40;  // one flipped bit among the codes and labels
  treeline::testing::write_text(table, bytes);
  EXPECT_THROW_WITH(train_evaluate(request, metrics::HypertuneReporter(std::nullopt, "f1", "")), InputError,
                    "table.tlds", "does not match its manifest", "treeline prepare");
}

TEST(TrainEvaluate, ModelDirMayBeRelativeOrEndInASlash) {
  TempDir dir;
  TrainEvaluateRequest request = prepared_trial_request(dir);
  const metrics::HypertuneReporter silent(std::nullopt, "f1", "");
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  request.model_dir = "final_model";  // no parent in the path as given
  const auto relative = train_evaluate(request, silent);
  request.model_dir = "out/models/cover_type_3/";
  const auto slash = train_evaluate(request, silent);
  request.model_dir = "/";
  EXPECT_THROW_WITH(train_evaluate(request, silent), InputError, "--model-dir=/", "expected a directory");
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(std::filesystem::exists(dir / "final_model/model.json")) << relative.model_uri;
  EXPECT_TRUE(std::filesystem::exists(dir / "out/models/cover_type_3/model.json")) << slash.model_uri;
}

TEST(TrainEvaluate, NeedsAPreparedDataset) {
  TempDir dir;
  TrainEvaluateRequest request;
  request.store_root = dir.path();
  request.project = "p";
  request.name = "n";
  request.job_dir = dir / "job";
  EXPECT_THROW_WITH(train_evaluate(request, metrics::HypertuneReporter(std::nullopt, "f1", "")), InputError,
                    "no prepared dataset", "prepare");
}
