#pragma once
// SQLite as the embedded stand-in for the workshop's BigQuery warehouse: a SELECT whose result
// columns carry the warehouse schema's names.
#include <filesystem>
#include <optional>
#include <string>

#include "treeline/data/data_source.h"

namespace treeline::data {

class SqliteDataSource : public DataSource {
 public:
  SqliteDataSource(std::filesystem::path path, std::string query);
  Table read(const ReadOptions& options) override;
  std::string describe() const override;

 private:
  std::filesystem::path path_;
  std::string query_;
};

// Creates (or replaces) `table_name` in the SQLite file at `path` holding `table` in the warehouse
// schema, in one transaction: a failure leaves the database as it was. Returns the rows the table
// held before, when it existed (so the caller can say what was replaced).
std::optional<std::size_t> load_into_sqlite(const Table& table, const std::filesystem::path& path,
                                            const std::string& table_name);

}  // namespace treeline::data
