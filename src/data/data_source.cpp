#include "treeline/data/data_source.h"

#include "treeline/common/error.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/sqlite_source.h"

namespace treeline::data {

std::unique_ptr<DataSource> open_data_source(const std::string& spec, const std::string& query) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (spec.rfind(kSqlite, 0) == 0) return std::make_unique<SqliteDataSource>(spec.substr(kSqlite.size()), query);
  if (!query.empty())
    throw InputError("--query applies to a SQL warehouse (--data sqlite:PATH), not to the file " + spec);
  return std::make_unique<CsvDataSource>(spec);
}

}  // namespace treeline::data
