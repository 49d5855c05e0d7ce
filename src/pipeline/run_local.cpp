#include "treeline/pipeline/run_local.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <cmath>

#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"
#include "treeline/data/data_source.h"
#include "treeline/jobs/job.h"
#include "treeline/pipeline/last_run.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"

namespace treeline::pipeline {

namespace {

// Prepares the data, then trains and stores each cover type's model.
std::vector<CoverTypeResult> prepare_and_train(const RunLocalRequest& request, const RunLocalProgress& progress,
                                               data::DataSource& source, store::ArtifactStore& store,
                                               const std::string& prefix, const std::function<void()>& before_storing) {
  auto stage = [&](const std::string& s) {
    if (progress.on_stage) progress.on_stage(s);
  };
  const PreparedData prepared = prepare_datasets(source, store, prefix, before_storing);

  stage(fmt::format("splitting, preprocessing and training on {} rows", prepared.table.rows()));
  // XGBoost parallelises one small fit poorly, so with N threads, N fits run side by side on one
  // thread each. Each worker has its own quantised matrix: the labels live in it.
  const int nthread = request.training.nthread > 0 ? request.training.nthread
                                                   : static_cast<int>(std::thread::hardware_concurrency());
  const int workers = std::max(1, std::min<int>(nthread, static_cast<int>(request.cover_types.size())));
  model::TrainingOptions per_fit = request.training;
  per_fit.nthread = std::max(1, nthread / workers);

  // Split and preprocessor are fitted once; further workers get matrices of their own.
  CoverTypeTrainer primary(prepared.table, request.split, request.encoding, per_fit.nthread);
  const DatasetReference dataset{store.uri(dataset_prefix(prefix)), prepared.table_sha256};
  std::vector<CoverTypeResult> results(request.cover_types.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex progress_mutex;
  std::exception_ptr failure;
  auto work = [&](bool first_worker) {
    try {
      std::optional<CoverTypeTrainer> sibling;
      CoverTypeTrainer* trainer = first_worker ? &primary : nullptr;
      for (std::size_t i = next++; i < request.cover_types.size(); i = next++) {
        const int k = request.cover_types[i];
        const auto start = std::chrono::steady_clock::now();
        CoverTypeResult& result = results[i];
        result.cover_type = k;
        if (prepared.positives[k - 1] == 0) {
          result.skipped_reason = fmt::format("no rows of cover type {} in {}", k, prepared.source);
        } else {
          if (trainer == nullptr) trainer = &sibling.emplace(primary, per_fit.nthread);
          try {
            TrainedModel trained = trainer->train(k, per_fit);
            trainer->store(store, model_prefix(prefix, k), trained, request.training.hyperparameters, dataset);
            result.metrics = trained.metrics;
            result.model_uri = store.uri(model_prefix(prefix, k) + "/model.json");
          } catch (const InputError& e) {
            result.skipped_reason = e.what();  // e.g. positives only in the test split
          }
        }
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::lock_guard lock(progress_mutex);
        if (progress.on_result) progress.on_result(result, ++done, request.cover_types.size());
      }
    } catch (...) {
      std::lock_guard lock(progress_mutex);
      if (!failure) failure = std::current_exception();
      next = request.cover_types.size();  // the others stop after their current fit
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(work, false);
  work(true);
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return results;
}

}  // namespace

std::vector<CoverTypeResult> run_local(const RunLocalRequest& request, const RunLocalProgress& progress) {
  store::validate_name(request.project, "PROJECT");
  store::validate_name(request.name, "NAME");
  for (int k : request.cover_types)
    if (k < 1 || k > kCoverTypes) throw InputError(fmt::format("--cover-types: {} is not a cover type (1..7)", k));
  const std::string prefix = request.project + "/" + request.name;
  // Checked before anything is read or stored.
  data::check_fraction(request.split.test_fraction, "--test-fraction", "the rows");

  if (progress.on_stage) progress.on_stage("reading and preparing the data");
  auto source = data::open_data_source(request.data, request.query);
  store::DirectoryStore store(request.store_root);
  // Models are replaced one cover type at a time: the run's record says when the set is whole.
  nlohmann::json run = {{"command", "run-local"},
                        {"state", "RUNNING"},
                        {"started", jobs::format_time(jobs::now_seconds())},
                        {"data", source->describe()},
                        {"cover_types", request.cover_types},
                        {"hyperparameters", request.training.hyperparameters.values()}};
  auto record = [&](const char* state, const std::string& error) {
    run["state"] = state;
    run["ended"] = jobs::format_time(jobs::now_seconds());
    if (!error.empty()) run["error"] = error;
    record_last_run(store, prefix, run);
  };
  // Once the data is read and good, before anything is stored: one run-local at a time writes
  // PROJECT/NAME (two would leave models of both under one SUCCEEDED), and the run is marked.
  UniqueFd lock;
  bool marked = false;  // data that cannot be read stores nothing, not even this
  auto mark_running = [&] {
    const std::filesystem::path name_dir = request.store_root / request.project / request.name;
    if (std::error_code ec; std::filesystem::create_directories(name_dir, ec), ec) {
      const std::string why = fmt::format("cannot create {} in the artifact store {}: {}", name_dir.string(),
                                          request.store_root.string(), ec.message());
      // A path through a file is --store's fault; a full or read-only disk is not.
      if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) throw InputError(why + " (check --store)");
      throw SystemError(why);
    }
    const std::filesystem::path lock_path = name_dir / ".run-local.lock";
    lock = UniqueFd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!lock) throw_errno("cannot open " + lock_path.string());
    while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) throw_errno("cannot lock " + lock_path.string());
      throw InputError(fmt::format("another run-local is writing {} (it holds {}); wait for it to end, or give "
                                   "another NAME",
                                   prefix, lock_path.string()));
    }
    record_last_run(store, prefix, run);
    marked = true;
  };
  try {
    auto results = prepare_and_train(request, progress, *source, store, prefix, mark_running);
    // A run that trained nothing did not do what was asked.
    if (std::none_of(results.begin(), results.end(), [](const CoverTypeResult& r) { return r.metrics.has_value(); })) {
      std::string why;
      for (const auto& r : results) why += fmt::format("; cover type {}: {}", r.cover_type, r.skipped_reason);
      throw InputError("no cover type was trained" + why);
    }
    record("SUCCEEDED", "");
    return results;
  } catch (const std::exception& e) {
    if (marked) {
      try {
        record("FAILED", e.what());
      } catch (const std::exception&) {
        // The store failed too (disk full?): the error that ended the run is the one to report.
      }
    }
    throw;
  }
}

nlohmann::json results_to_json(const std::vector<CoverTypeResult>& results) {
  nlohmann::json out = {{"results", nlohmann::json::array()}};
  for (const auto& r : results) {
    nlohmann::json j = {{"cover_type", r.cover_type}};
    if (r.metrics) {
      const auto& m = *r.metrics;
      j["accuracy"] = m.accuracy;
      j["f1"] = m.f1;
      j["precision"] = m.precision;
      j["recall"] = m.recall;
      j["roc_auc"] = std::isfinite(m.roc_auc) ? nlohmann::json(m.roc_auc) : nlohmann::json();
      j["log_loss"] = m.log_loss;
      j["model_uri"] = r.model_uri;
    } else {
      j["skipped"] = r.skipped_reason;
    }
    out["results"].push_back(j);
  }
  return out;
}

std::string results_to_table(const std::vector<CoverTypeResult>& results) {
  std::string out = fmt::format("{:<11} {:>9} {:>7} {:>9} {:>7} {:>8} {:>7}  {}\n", "cover_type", "accuracy", "f1",
                                "precision", "recall", "roc_auc", "time_s", "model_uri");
  double f1_sum = 0;
  int trained = 0;
  for (const auto& r : results) {
    if (!r.metrics) {
      out += fmt::format("{:<11} skipped: {}\n", r.cover_type, r.skipped_reason);
      continue;
    }
    const auto& m = *r.metrics;
    out += fmt::format("{:<11} {:>9.4f} {:>7.4f} {:>9.4f} {:>7.4f} {:>8.4f} {:>7.2f}  {}\n", r.cover_type, m.accuracy,
                       m.f1, m.precision, m.recall, m.roc_auc, r.seconds, r.model_uri);
    f1_sum += m.f1;
    ++trained;
  }
  if (trained > 0) out += fmt::format("mean f1 over {} cover types: {:.4f}\n", trained, f1_sum / trained);
  return out;
}

}  // namespace treeline::pipeline
