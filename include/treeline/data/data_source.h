#pragma once
// Where labelled rows come from: a CSV file (plain or gzip) or a SQL warehouse. The pipeline
// asks a DataSource for a Table and knows nothing of files or SQL.
#include <memory>
#include <string>
#include <vector>

#include "treeline/data/table.h"

namespace treeline::data {

struct ReadOptions {
  bool require_label = true;  // predict reads unlabelled data too
  // Columns read as text beside the schema's (predict --keep-columns Id): named by the header or
  // the query, never features.
  std::vector<std::string> keep_columns{};
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual Table read(const ReadOptions& options) = 0;
  // "data/covertype-sample.csv.gz" or "sqlite:warehouse.db (SELECT ...)": for manifests and messages.
  virtual std::string describe() const = 0;
};

// `spec` is a CSV path, or "sqlite:PATH" with `query` the SELECT to run.
std::unique_ptr<DataSource> open_data_source(const std::string& spec, const std::string& query = "");

}  // namespace treeline::data
