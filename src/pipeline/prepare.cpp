#include "treeline/pipeline/prepare.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "treeline/common/error.h"
#include "treeline/common/mapped_file.h"
#include "treeline/common/sha256.h"
#include "treeline/data/binary_dataset.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/store/manifest.h"

namespace treeline::pipeline {

std::string dataset_prefix(const std::string& prefix) { return prefix + "/datasets"; }
std::string model_prefix(const std::string& prefix, int cover_type) {
  return fmt::format("{}/models/cover_type_{}", prefix, cover_type);
}

namespace {

constexpr std::string_view kTableFile = "table.tlds";

std::string cover_type_manifest(const std::string& prefix, int cover_type) {
  return fmt::format("{}/cover_type_{}/manifest.json", dataset_prefix(prefix), cover_type);
}

nlohmann::json schema_json(const data::Table& t) {
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : t.numeric) columns.push_back({{"name", c.name}, {"type", "numeric"}});
  for (const auto& c : t.categorical) columns.push_back({{"name", c.name}, {"type", "categorical"}, {"levels", c.levels}});
  columns.push_back({{"name", t.label_name}, {"type", "class"}});
  return columns;
}

}  // namespace

PreparedData prepare_datasets(data::DataSource& source, store::ArtifactStore& store, const std::string& prefix,
                              const std::function<void()>& before_storing) {
  PreparedData prepared;
  prepared.source = source.describe();
  prepared.table = source.read(data::ReadOptions{});
  if (before_storing) before_storing();
  const data::Table& table = prepared.table;
  for (std::int32_t label : table.labels) ++prepared.positives[label - 1];

  const std::string bytes = data::encode_binary_dataset(table);
  const std::string digest = sha256_hex(bytes);
  prepared.table_sha256 = digest;
  std::vector<store::StoredFile> files;
  for (int k = 1; k <= kCoverTypes; ++k) {
    nlohmann::json manifest = {
        {"format", "treeline.dataset/1"},
        {"cover_type", k},
        {"label", fmt::format("{} == {}", table.label_name, k)},
        {"rows", table.rows()},
        {"positives", prepared.positives[k - 1]},
        {"source", prepared.source},
        {"schema", schema_json(table)},
        {"files", {{fmt::format("../{}", kTableFile), {{"sha256", digest}, {"bytes", bytes.size()}}}}},
    };
    files.push_back({fmt::format("cover_type_{}/manifest.json", k), manifest.dump(2) + "\n"});
  }
  files.push_back({std::string(kTableFile), bytes});
  store::write_with_manifest(store, dataset_prefix(prefix), std::move(files),
                             {{"source", prepared.source}, {"rows", table.rows()}});
  return prepared;
}

void check_prepared(const store::ArtifactStore& store, const std::string& prefix, int cover_type) {
  if (cover_type < 1 || cover_type > kCoverTypes)
    throw InputError(fmt::format("--cover-type: expected 1..{}, got {}", kCoverTypes, cover_type));
  const std::string manifest_key = cover_type_manifest(prefix, cover_type);
  if (!store.exists(manifest_key))
    throw InputError(fmt::format("{}: no prepared dataset for cover type {}; run `treeline prepare` (or run-local) first",
                                 store.uri(manifest_key), cover_type));
}

std::optional<std::string> prepared_source(const store::ArtifactStore& store, const std::string& prefix, int cover_type,
                                           const std::string& table_sha256) {
  const std::string key = cover_type_manifest(prefix, cover_type);
  if (!store.exists(key)) return std::nullopt;
  try {
    const auto manifest = nlohmann::json::parse(store.read(key));
    if (manifest.at("files").at(fmt::format("../{}", kTableFile)).at("sha256").get<std::string>() != table_sha256)
      return std::nullopt;
    return manifest.at("source").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // no longer a manifest this version reads: nothing to point at
  }
}

PreparedTable open_prepared_dataset(const store::ArtifactStore& store, const std::string& prefix, int cover_type) {
  check_prepared(store, prefix, cover_type);
  const std::string ds = dataset_prefix(prefix);
  const std::string manifest_key = cover_type_manifest(prefix, cover_type);
  const std::string table_key = fmt::format("{}/{}", ds, kTableFile);
  std::string expected_sha256;
  std::size_t expected_rows = 0;
  try {
    const auto manifest = nlohmann::json::parse(store.read(manifest_key));
    expected_sha256 = manifest.at("files").at(fmt::format("../{}", kTableFile)).at("sha256").get<std::string>();
    expected_rows = manifest.at("rows").get<std::size_t>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: not a prepared dataset's manifest ({}); run `treeline prepare` again",
                                 store.uri(manifest_key), e.what()));
  }
  // Checked on every open (~10 ms at 100k rows): a damaged table would otherwise train silently.
  const auto file = std::make_shared<const MappedFile>(store.local_path(table_key));
  store::check_sha256(store.uri(table_key), file->bytes(), expected_sha256, "run `treeline prepare` again");
  // The table's columns stay in the mapping: parallel trials share its pages, not copies. The
  // check above holds for the table's life because a prepared table is only ever replaced by a
  // rename (store::DirectoryStore), never rewritten in place under a mapping.
  PreparedTable opened{data::decode_binary_dataset(file->bytes(), store.uri(table_key), file), expected_sha256};
  if (opened.table.rows() != expected_rows)
    throw InputError(fmt::format("{}: the prepared table has {} rows, its manifest says {}", store.uri(ds),
                                 opened.table.rows(), expected_rows));
  return opened;
}

}  // namespace treeline::pipeline
