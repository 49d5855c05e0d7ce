#include "treeline/pipeline/predict.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "treeline/common/error.h"
#include "treeline/common/sha256.h"
#include "treeline/data/binary_dataset.h"
#include "treeline/data/split.h"
#include "treeline/features/preprocessor.h"
#include "treeline/model/xgboost_handles.h"
#include "treeline/pipeline/last_run.h"
#include "treeline/pipeline/prepare.h"
#include "treeline/store/directory_store.h"
#include "treeline/store/manifest.h"

namespace treeline::pipeline {

Predictions predict(const std::filesystem::path& models_dir, data::DataSource& source, int nthread,
                    const RowSelection& selection, const std::vector<std::string>& keep_columns) {
  if (!std::filesystem::is_directory(models_dir / "models"))
    throw InputError(fmt::format("--models {}: no models/ folder; expected STORE/PROJECT/NAME as written by run-local",
                                 models_dir.string()));
  store::DirectoryStore store(models_dir);
  std::vector<std::pair<int, nlohmann::json>> manifests;  // cover type, its model set's manifest
  std::optional<std::pair<int, std::string>> first_dataset;  // cover type, table sha256
  std::optional<std::pair<int, nlohmann::json>> first_split;  // cover type, {seed, test_fraction}
  for (int k = 1; k <= kCoverTypes; ++k) {
    const std::string prefix = fmt::format("models/cover_type_{}", k);
    if (!store.exists(prefix + "/manifest.json")) {
      // treeline stores a set whole (manifest included) or not at all: its model and preprocessor
      // without a manifest were changed since. (A custom trainer's model.json alone is not ours.)
      if (store.exists(prefix + "/model.json") && store.exists(prefix + "/preprocessor.json"))
        throw InputError(fmt::format("{}: a model without its manifest.json, so it cannot be checked; the set was "
                                     "changed after it was stored: train cover type {} again (run-local "
                                     "--cover-types {}) or remove the folder",
                                     store.uri(prefix), k, k));
      continue;
    }
    manifests.emplace_back(k, store::read_manifest(store, prefix));
    const auto metadata = manifests.back().second.value("metadata", nlohmann::json::object());
    // Models of other data (a later run that skipped this cover type) would argmax silently
    // against these: refuse the mix. Sets stored before the key existed carry none.
    if (const std::string sha = metadata.value(kDatasetSha256Key, std::string()); !sha.empty()) {
      if (!first_dataset) first_dataset.emplace(k, sha);
      else if (first_dataset->second != sha)
        throw InputError(fmt::format(
            "--models {}: cover_type_{} learnt from another prepared table (sha256 {:.12}) than cover_type_{} "
            "({:.12}); train every cover type on the same data (run-local or submit without --cover-types) or "
            "remove the stale model set",
            models_dir.string(), k, sha, first_dataset->first, first_dataset->second));
    }
    if (const auto split = metadata.find(kTestSplitKey); split != metadata.end() && selection.test_split_only) {
      if (!first_split) first_split.emplace(k, *split);
      else if (first_split->second != *split)
        throw InputError(fmt::format("--test-split: cover_type_{} held out another test split ({}) than cover_type_{} "
                                     "({}): no rows are unseen by all of them; train them with the same --seed "
                                     "and --test-fraction",
                                     k, split->dump(), first_split->first, first_split->second.dump()));
    }
  }
  if (manifests.empty())
    throw InputError(fmt::format("--models {}: no stored models under models/cover_type_K/", models_dir.string()));
  Predictions out;
  out.unfinished_run = unfinished_run(store, ".");  // the store is rooted at PROJECT/NAME

  const data::Table table = source.read(data::ReadOptions{.require_label = false, .keep_columns = keep_columns});
  std::vector<std::size_t> rows = data::all_rows(table.rows());
  if (selection.test_split_only) {
    if (!table.labelled) throw InputError("--test-split needs labelled data: the split is stratified by Cover_Type");
    if (first_dataset) {
      const std::string sha = sha256_hex(data::encode_binary_dataset(table));
      if (sha != first_dataset->second) {
        // Where the models' data came from, if the prepared datasets beside them are still theirs.
        const std::string theirs = prepared_source(store, ".", first_dataset->first, first_dataset->second)
                                       .value_or("the data they were prepared from");
        throw InputError(fmt::format(
            "--test-split: the data ({}) is not the table the models learnt from (sha256 {:.12}, theirs {:.12}), so "
            "its test split would hold rows they trained on; give {}, or score all rows without --test-split",
            source.describe(), sha, first_dataset->second, theirs));
      }
    }
    std::uint64_t seed = selection.seed.value_or(42);
    double fraction = selection.test_fraction.value_or(0.2);
    if (first_split) {
      std::uint64_t theirs_seed = 0;
      double theirs_fraction = 0;
      try {
        theirs_seed = first_split->second.at("seed").get<std::uint64_t>();
        theirs_fraction = first_split->second.at("test_fraction").get<double>();
      } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: metadata.{} is not {{seed, test_fraction}}: {}",
                                     store.uri(fmt::format("models/cover_type_{}/manifest.json", first_split->first)),
                                     kTestSplitKey, e.what()));
      }
      if ((selection.seed && *selection.seed != theirs_seed) ||
          (selection.test_fraction && *selection.test_fraction != theirs_fraction))
        throw InputError(fmt::format("--seed/--test-fraction: the models held out the test split of seed {} and "
                                     "fraction {}; another split would score rows they trained on (leave both "
                                     "out: --test-split takes theirs)",
                                     theirs_seed, theirs_fraction));
      seed = theirs_seed;
      fraction = theirs_fraction;
    }
    rows = data::stratified_split(table.labels, rows, fraction, seed).test;
    out.test_split = Predictions::TestSplit{seed, fraction, first_split.has_value()};
  }

  if (table.labelled)
    for (std::size_t r : rows) out.labels.push_back(table.labels[r]);
  for (const auto& column : table.kept) {
    out.kept.push_back({column.name, {}});
    for (std::size_t r : rows) out.kept.back().values.push_back(column.values[r]);
  }
  for (const auto& [k, manifest] : manifests) {
    const std::string prefix = fmt::format("models/cover_type_{}", k);
    const std::string where = store.uri(prefix + "/preprocessor.json");
    const auto preprocessor = features::Preprocessor::from_json(
        nlohmann::json::parse(store::read_verified(store, prefix, manifest, "preprocessor.json")), where);
    model::Booster booster = model::Booster::load(store::read_verified(store, prefix, manifest, "model.json"));
    if (nthread > 0) booster.set_param("nthread", std::to_string(nthread));
    const model::DMatrix matrix(preprocessor.transform(table, rows), nthread);
    out.cover_types.push_back(k);
    out.probabilities.push_back(booster.predict(matrix));
  }

  out.predicted.resize(rows.size());
  std::size_t correct = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::size_t best = 0;
    for (std::size_t m = 1; m < out.cover_types.size(); ++m)
      if (out.probabilities[m][i] > out.probabilities[best][i]) best = m;
    out.predicted[i] = out.cover_types[best];
    if (table.labelled && out.predicted[i] == out.labels[i]) ++correct;
  }
  if (table.labelled && !rows.empty()) out.accuracy = static_cast<double>(correct) / static_cast<double>(rows.size());
  return out;
}

std::string predictions_to_csv(const Predictions& p) {
  // A kept value is written as CSV needs it: quoted when it holds a comma, quote or line break.
  auto field = [](std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  std::string out;
  for (const auto& column : p.kept) out += field(column.name) + ",";
  for (int k : p.cover_types) out += fmt::format("p_cover_type_{},", k);
  out += "predicted";
  if (!p.labels.empty()) out += ",Cover_Type";
  out += "\n";
  for (std::size_t r = 0; r < p.predicted.size(); ++r) {
    for (const auto& column : p.kept) out += field(column.values[r]) + ",";
    for (const auto& probs : p.probabilities) fmt::format_to(std::back_inserter(out), "{:.9g},", probs[r]);
    fmt::format_to(std::back_inserter(out), "{}", p.predicted[r]);
    if (!p.labels.empty()) fmt::format_to(std::back_inserter(out), ",{}", p.labels[r]);
    out += "\n";
  }
  return out;
}

}  // namespace treeline::pipeline
