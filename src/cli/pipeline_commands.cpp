#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>

#include "treeline/cli/commands.h"
#include "treeline/cli/common_flags.h"
#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/data/data_source.h"
#include "treeline/data/split.h"
#include "treeline/executors/thread_share.h"
#include "treeline/metrics/hypertune_reporter.h"
#include "treeline/model/trainer.h"
#include "treeline/pipeline/predict.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/pipeline/run_local.h"
#include "treeline/pipeline/train_evaluate.h"
#include "treeline/store/directory_store.h"

namespace treeline::cli {
namespace {

void add_run_local(CLI::App& app) {
  struct Flags {
    std::string project, name, store = default_store(), cover_types;
    bool json = false;
    DataFlags source;
    TrainingFlags training;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("run-local", "prepare the data, then train and evaluate every cover type (run_local.py)");
  cmd->add_option("PROJECT", flags->project, "project folder in the store")->required();
  cmd->add_option("NAME", flags->name, "run name (folder under PROJECT)")->required();
  flags->source.add_to(*cmd);
  cmd->add_option("--store", flags->store, "artifact store directory")->capture_default_str()->check(non_empty_path());
  cmd->add_option("--cover-types", flags->cover_types, "comma-separated subset, e.g. 1,3,5 (default: all seven)");
  cmd->add_flag("--json", flags->json, "print one JSON document on stdout");
  flags->training.add_to(*cmd);
  cmd->callback([flags, cmd] {
    pipeline::RunLocalRequest request;
    request.project = flags->project;
    request.name = flags->name;
    request.data = flags->source.data;
    request.query = flags->source.query;
    request.store_root = flags->store;
    request.split = flags->training.split_options();
    request.encoding = flags->training.parsed_encoding();
    request.training = flags->training.training_options(*cmd);
    if (cmd->count("--cover-types") > 0) request.cover_types = parse_cover_types(flags->cover_types);

    pipeline::RunLocalProgress progress;
    if (stderr_is_terminal()) {
      progress.on_stage = [](const std::string& stage) { fmt::print(stderr, "treeline: {}...\n", stage); };
      progress.on_result = [](const pipeline::CoverTypeResult& r, std::size_t done, std::size_t total) {
        if (r.metrics)
          fmt::print(stderr, "  [{}/{}] cover type {}: f1 {:.4f}, accuracy {:.4f} ({:.2f} s)\n", done, total,
                     r.cover_type, r.metrics->f1, r.metrics->accuracy, r.seconds);
        else
          fmt::print(stderr, "  [{}/{}] cover type {}: skipped: {}\n", done, total, r.cover_type, r.skipped_reason);
      };
    }
    const auto results = pipeline::run_local(request, progress);
    if (flags->json)
      std::cout << pipeline::results_to_json(results).dump() << "\n";
    else
      std::cout << pipeline::results_to_table(results);
  });
}

void add_prepare(CLI::App& app) {
  struct Flags {
    std::string project, name, store = default_store();
    DataFlags source;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("prepare", "store one binary one-vs-rest dataset per cover type");
  cmd->add_option("PROJECT", flags->project)->required();
  cmd->add_option("NAME", flags->name)->required();
  flags->source.add_to(*cmd);
  cmd->add_option("--store", flags->store, "artifact store directory")->capture_default_str()->check(non_empty_path());
  cmd->callback([flags] {
    store::validate_name(flags->project, "PROJECT");
    store::validate_name(flags->name, "NAME");
    auto source = data::open_data_source(flags->source.data, flags->source.query);
    store::DirectoryStore store(flags->store);
    const auto prepared = pipeline::prepare_datasets(*source, store, flags->project + "/" + flags->name);
    fmt::print("prepared {} rows from {} into {}\n", prepared.table.rows(), prepared.source,
               store.uri(pipeline::dataset_prefix(flags->project + "/" + flags->name)));
    for (int k = 1; k <= pipeline::kCoverTypes; ++k)
      fmt::print("  cover_type_{}: {} positives\n", k, prepared.positives[k - 1]);
  });
}

void add_train_evaluate(CLI::App& app) {
  struct Flags {
    std::string project, name, store = default_store(), job_dir, model_dir;
    int cover_type = 0;
    double validation_fraction = 0;
    int report_every = 0;
    std::string decision_threshold = "0.5", decision_threshold_from;
    bool json = false;
    TrainingFlags training;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("train-evaluate", "train and evaluate one cover type (train_evaluate.py)");
  cmd->add_option("--project", flags->project, "project whose prepared datasets to use")->required();
  cmd->add_option("--name", flags->name, "run name whose prepared datasets to use")->required();
  cmd->add_option("--cover-type", flags->cover_type, "cover type 1..7")->required()->check(whole_number(1, 7));
  cmd->add_option("--store", flags->store, "artifact store directory")->capture_default_str()->check(non_empty_path());
  cmd->add_option("--job-dir", flags->job_dir, "where model/ (preprocessor, model, metrics) is written")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--model-dir", flags->model_dir, "write the model set here instead of JOB_DIR/model")
      ->check(non_empty_path());
  cmd->add_option("--validation-fraction", flags->validation_fraction,
                  "evaluate on a validation split carved from the training split (tuning); 0: the test split");
  cmd->add_option("--report-every", flags->report_every,
                  "rounds between intermediate hypertune reports (0: a tenth of the rounds)")
      ->check(whole_number(0, kMaxInt));
  auto* threshold = cmd->add_option("--decision-threshold", flags->decision_threshold,
                                    "probability from which a row counts as positive in the metrics, or 'tune': "
                                    "the one that makes the reported metric best on the validation split")
                        ->capture_default_str();
  cmd->add_option("--decision-threshold-from", flags->decision_threshold_from,
                  "take the decision threshold a tuning trial left in this file (its JOB_DIR/decision_threshold.json)")
      ->excludes(threshold);
  cmd->add_flag("--json", flags->json, "print the metrics as JSON");
  flags->training.add_to(*cmd);
  cmd->callback([flags, cmd] {
    pipeline::TrainEvaluateRequest request;
    if (!flags->decision_threshold_from.empty()) {
      request.decision_threshold.value =
          pipeline::read_decision_threshold(flags->decision_threshold_from, "--decision-threshold-from");
    } else {
      request.decision_threshold = pipeline::parse_decision_threshold(flags->decision_threshold, "--decision-threshold");
    }
    request.store_root = flags->store;
    request.project = flags->project;
    request.name = flags->name;
    request.cover_type = flags->cover_type;
    request.job_dir = flags->job_dir;
    request.model_dir = flags->model_dir;
    request.split = flags->training.split_options();
    request.split.validation_fraction = flags->validation_fraction;
    request.encoding = flags->training.parsed_encoding();
    request.training = flags->training.training_options(*cmd);
    request.report_every = flags->report_every;
    // On stderr, unbuffered: a trial's log (`jobs logs --follow`) shows how far it is as it goes.
    const std::string split = request.split.validation_fraction > 0 ? "validation" : "test";
    request.on_report = [split](int done, int rounds, const std::string& metric, double value) {
      fmt::print(stderr, "train-evaluate: round {} of {}: {} {:.4f} on the {} split\n", done, rounds, metric, value, split);
    };
    if (auto updates = executors::thread_share_updates_from_environment(request.training.nthread)) {
      // Run by the platform: follow its share of the cores, and say so in the trial's log.
      request.training.thread_updates = [updates = std::move(updates)] {
        const auto threads = updates();
        if (threads) fmt::print(stderr, "train-evaluate: now {} thread(s), the platform's share of the cores\n", *threads);
        return threads;
      };
    }
    const auto result = pipeline::train_evaluate(request, metrics::HypertuneReporter::from_environment());
    if (flags->json) {
      nlohmann::json j = metrics::to_json(result.metrics);
      j["decision_threshold"] = result.decision_threshold;
      j["evaluated_on"] = result.evaluated_on;
      j["model_uri"] = result.model_uri;
      std::cout << j.dump() << "\n";
    } else {
      const auto& m = result.metrics;
      fmt::print("cover type {} on the {} split ({} rows), positive from probability {:.4g}:\n", request.cover_type,
                 result.evaluated_on, m.rows, result.decision_threshold);
      fmt::print("  accuracy {:.4f}  f1 {:.4f}  precision {:.4f}  recall {:.4f}  roc_auc {:.4f}  log_loss {:.4f}\n",
                 m.accuracy, m.f1, m.precision, m.recall, m.roc_auc, m.log_loss);
      fmt::print("  confusion: tn {} fp {} fn {} tp {}\n", m.confusion.true_negatives, m.confusion.false_positives,
                 m.confusion.false_negatives, m.confusion.true_positives);
      fmt::print("  model: {}\n", result.model_uri);
    }
  });
}

void add_predict(CLI::App& app) {
  struct Flags {
    std::string models, out;
    std::vector<std::string> keep_columns;
    DataFlags source;
    int nthread = 0;
    bool test_split = false;
    double test_fraction = 0.2;
    std::uint64_t seed = 42;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("predict", "score data with the seven stored models; argmax gives the cover type");
  cmd->add_option("--models", flags->models, "STORE/PROJECT/NAME")->required()->check(non_empty_path());
  flags->source.add_to(*cmd, /*required=*/true);
  cmd->add_option("--out", flags->out, "CSV of per-class probabilities and the predicted cover type");
  cmd->add_option("--keep-columns", flags->keep_columns,
                  "columns of the data written first in --out, as they are (an id), comma-separated")
      ->delimiter(',');
  cmd->add_option("--nthread", flags->nthread, "threads for XGBoost (0: all cores)")->check(whole_number(0, model::kMostThreads));
  auto* test_split = cmd->add_flag("--test-split", flags->test_split,
                "score only the test split of the data (the split run-local and submit hold out)");
  cmd->add_option("--test-fraction", flags->test_fraction,
                  "with --test-split: must be the models' own (they record it; default: theirs)")
      ->needs(test_split);
  cmd->add_option("--seed", flags->seed, "with --test-split: must be the models' own (default: theirs)")
      ->needs(test_split)
      ->check(seed_check());
  cmd->callback([flags, cmd] {
    if (std::error_code ec; !flags->out.empty() && std::filesystem::is_directory(flags->out, ec))
      throw InputError(fmt::format("--out {}: is a folder; expected the path of the CSV file to write", flags->out));
    auto source = data::open_data_source(flags->source.data, flags->source.query);
    pipeline::RowSelection selection;
    selection.test_split_only = flags->test_split;
    if (cmd->count("--test-fraction") > 0) selection.test_fraction = flags->test_fraction;
    if (cmd->count("--seed") > 0) selection.seed = flags->seed;
    const auto p = pipeline::predict(flags->models, *source, flags->nthread, selection, flags->keep_columns);
    if (!flags->out.empty()) write_file_atomically(flags->out, pipeline::predictions_to_csv(p));
    fmt::print("scored {} rows{} with the models of cover types {}\n", p.predicted.size(),
               !p.test_split ? ""
               : p.test_split->recorded
                   ? fmt::format(" (the test split they held out: seed {}, fraction {})", p.test_split->seed,
                                 p.test_split->fraction)
                   : fmt::format(" (the test split of seed {}, fraction {}: assumed, the models do not record theirs)",
                                 p.test_split->seed, p.test_split->fraction),
               fmt::join(p.cover_types, ","));
    if (p.unfinished_run)
      fmt::print(stderr, "treeline: warning: {}: its models may be partly an earlier run's; run it again\n",
                 *p.unfinished_run);
    std::vector<int> missing;
    for (int k = 1; k <= pipeline::kCoverTypes; ++k)
      if (std::find(p.cover_types.begin(), p.cover_types.end(), k) == p.cover_types.end()) missing.push_back(k);
    if (!missing.empty())
      fmt::print(stderr,
                 "treeline: warning: {} has no model for cover type{} {}: the argmax never predicts {}, so every "
                 "such row counts as wrong. Train all seven (run-local, or submit without --cover-types) for the "
                 "7-class prediction\n",
                 flags->models, missing.size() == 1 ? "" : "s", fmt::join(missing, ","), missing.size() == 1 ? "it" : "them");
    if (p.accuracy)
      fmt::print("{}: {:.4f}\n", missing.empty() ? "7-class accuracy" : fmt::format("accuracy with {} of the 7 models",
                                                                                    p.cover_types.size()),
                 *p.accuracy);
    if (!flags->out.empty()) fmt::print("wrote {}\n", flags->out);
  });
}

}  // namespace

void add_pipeline_commands(CLI::App& app) {
  add_run_local(app);
  add_prepare(app);
  add_train_evaluate(app);
  add_predict(app);
}

}  // namespace treeline::cli
