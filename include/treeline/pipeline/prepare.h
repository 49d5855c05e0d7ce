#pragma once
// The seed's first step: read the warehouse once and store one binary one-vs-rest dataset per
// cover type under PROJECT/NAME/datasets/. The seven share one binary table (table.tlds); each
// cover_type_K/manifest.json states its label rule, row and positive counts, source and schema,
// and the table's sha256.
#include <array>
#include <functional>
#include <optional>
#include <string>

#include "treeline/data/data_source.h"
#include "treeline/data/table.h"
#include "treeline/store/artifact_store.h"

namespace treeline::pipeline {

inline constexpr int kCoverTypes = 7;

struct PreparedData {
  data::Table table;
  std::string source;
  std::array<std::size_t, kCoverTypes> positives{};  // rows with Cover_Type == K, index K-1
  std::string table_sha256;                          // of the stored table.tlds
};

// A prepared table as a trainer opens it.
struct PreparedTable {
  data::Table table;
  std::string sha256;  // checked against the cover type's manifest
};

// The key under which a model set's manifest names the prepared table it learnt from.
inline constexpr const char* kDatasetSha256Key = "dataset_sha256";
// ... and the test split it held out: {"seed": S, "test_fraction": F}.
inline constexpr const char* kTestSplitKey = "test_split";

// `prefix` is "PROJECT/NAME". `before_storing`, if given, is called once the data is read and
// found good, before anything is stored (run-local marks its run there: bad data stores nothing).
PreparedData prepare_datasets(data::DataSource& source, store::ArtifactStore& store, const std::string& prefix,
                              const std::function<void()>& before_storing = {});

// Opens the prepared table (memory-mapped, no text parsing), checks cover type K was prepared
// and the table is the one its manifest names (sha256).
PreparedTable open_prepared_dataset(const store::ArtifactStore& store, const std::string& prefix, int cover_type);
// Only whether cover type K was prepared (its manifest is there): what a job checks before it is
// queued, where opening the table would cost a read of it. Throws InputError saying what to run.
void check_prepared(const store::ArtifactStore& store, const std::string& prefix, int cover_type);
// Where cover type K's prepared dataset came from (its manifest's source), when it is still the
// table with `table_sha256`: what models of that table learnt from. Empty otherwise.
std::optional<std::string> prepared_source(const store::ArtifactStore& store, const std::string& prefix, int cover_type,
                                           const std::string& table_sha256);

std::string dataset_prefix(const std::string& prefix);                  // PROJECT/NAME/datasets
std::string model_prefix(const std::string& prefix, int cover_type);    // PROJECT/NAME/models/cover_type_K

}  // namespace treeline::pipeline
