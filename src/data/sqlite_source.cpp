#include "treeline/data/sqlite_source.h"

#include <fmt/format.h>


#include "treeline/common/error.h"
#include "treeline/common/number_text.h"
#include "treeline/common/sqlite.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/data/warehouse_rows.h"

namespace treeline::data {
namespace cov = covertype;

SqliteDataSource::SqliteDataSource(std::filesystem::path path, std::string query)
    : path_(std::move(path)), query_(std::move(query)) {}

std::string SqliteDataSource::describe() const { return fmt::format("sqlite:{} ({})", path_.string(), query_); }

Table SqliteDataSource::read(const ReadOptions& options) {
  if (query_.empty())
    throw InputError(fmt::format("--query: a SELECT is needed to read from sqlite:{}, e.g. \"SELECT * FROM covertype\"",
                                 path_.string()));
  if (!std::filesystem::exists(path_))
    throw InputError(fmt::format("sqlite:{}: no such database file", path_.string()));
  if (std::filesystem::is_directory(path_))
    throw InputError(fmt::format("sqlite:{}: a directory; expected a SQLite database file", path_.string()));
  // SQLite opens any file and only fails at the query: a file that is no database is named as such.
  if (is_other_than_sqlite(path_))
    throw InputError(fmt::format("sqlite:{}: not a SQLite database file; for CSV give --data {}", path_.string(),
                                 path_.string()));
  SqliteDatabase db(path_, SqliteDatabase::Mode::kReadOnly);
  SqliteStatement stmt = [&] {
    try {
      return db.prepare(query_);
    } catch (const SystemError& e) {
      throw InputError(fmt::format("--query: {}", e.what()));
    }
  }();
  const std::string where = fmt::format("sqlite:{}", path_.string());
  // An INSERT, DELETE or PRAGMA returns no columns (the database is opened read-only, so none runs).
  if (stmt.column_count() == 0)
    throw InputError(fmt::format("--query: '{}' returns no columns; expected a SELECT of the warehouse's columns, "
                                 "e.g. \"SELECT * FROM covertype\"",
                                 query_));
  std::vector<std::string> names;
  for (int i = 0; i < stmt.column_count(); ++i) names.push_back(stmt.column_name(i));
  WarehouseRowReader reader(where, "query result columns", names, options);
  std::vector<std::string_view> fields(names.size());
  std::size_t row = 0;
  std::string place;
  try {
    while (stmt.step()) {
      ++row;
      // NULL reads as the word, so an error shows it instead of an empty value.
      for (int i = 0; i < static_cast<int>(names.size()); ++i) fields[i] = stmt.is_null(i) ? "NULL" : stmt.column_text(i);
      place.assign("result row ").append(std::to_string(row));
      reader.add_row(fields, place);
    }
  } catch (const SystemError& e) {
    // A query that fails at run time is the user's to fix.
    throw InputError(fmt::format("{}: --query failed after {} rows: {}", where, row, e.what()));
  }
  if (row == 0) throw InputError(fmt::format("{}: the query returned no rows: {}", where, query_));
  return reader.take();
}

namespace {

// A soil level is an ELU code's digits: only codes of the schema's list are read into a table.
std::int64_t soil_type_number(const std::string& level) {
  const auto code = parse_integer<std::int64_t>(level);
  if (!code) throw Error(fmt::format("soil level '{}' is not an ELU code", level));
  return *code;
}

}  // namespace

std::optional<std::size_t> load_into_sqlite(const Table& table, const std::filesystem::path& path,
                                            const std::string& table_name) {
  for (char c : table_name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw InputError(fmt::format("--table: '{}' is not a plain SQL name (letters, digits, _)", table_name));
  if (table_name.empty() || std::isdigit(static_cast<unsigned char>(table_name.front())))
    throw InputError(fmt::format("--table: '{}' is not a plain SQL name (letters, digits, _)", table_name));
  if (std::filesystem::is_directory(path))
    throw InputError(fmt::format("--into sqlite:{}: a folder; expected a SQLite database file (made if missing)",
                                 path.string()));
  if (is_other_than_sqlite(path))
    throw InputError(fmt::format("--into sqlite:{}: not a SQLite database file; give a new file or a warehouse "
                                 "made by `treeline data load`",
                                 path.string()));
  SqliteDatabase db(path, SqliteDatabase::Mode::kReadWriteCreate);
  SqliteTransaction tx(db);
  std::optional<std::size_t> replaced;
  {
    SqliteStatement exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE");
    exists.bind(1, std::string_view(table_name));
    if (exists.step()) {
      SqliteStatement count = db.prepare(fmt::format("SELECT COUNT(*) FROM \"{}\"", table_name));
      count.step();
      replaced = static_cast<std::size_t>(count.column_int(0));
    }
  }
  db.execute(fmt::format("DROP TABLE IF EXISTS \"{}\"", table_name));
  std::string columns;
  for (const auto& col : table.numeric) columns += fmt::format("\"{}\" INTEGER NOT NULL, ", col.name);
  columns += fmt::format("\"{}\" TEXT NOT NULL, \"{}\" INTEGER NOT NULL, \"{}\" INTEGER", cov::kWilderness, cov::kSoil,
                         cov::kLabel);
  db.execute(fmt::format("CREATE TABLE \"{}\" ({})", table_name, columns));
  std::string placeholders;
  for (std::size_t i = 0; i < cov::kWarehouseColumns; ++i) placeholders += i == 0 ? "?" : ",?";
  SqliteStatement insert = db.prepare(fmt::format("INSERT INTO \"{}\" VALUES ({})", table_name, placeholders));
  for (std::size_t r = 0; r < table.rows(); ++r) {
    int i = 1;
    for (const auto& col : table.numeric) {
      const double v = col.values[r];
      if (v == static_cast<double>(static_cast<std::int64_t>(v)))
        insert.bind(i++, static_cast<std::int64_t>(v));
      else
        insert.bind(i++, v);
    }
    const auto& wilderness = table.categorical[cov::kWildernessColumn];
    insert.bind(i++, std::string_view(wilderness.levels[wilderness.codes[r]]));
    const auto& soil = table.categorical[cov::kSoilColumn];
    insert.bind(i++, soil_type_number(soil.levels[soil.codes[r]]));
    if (table.labelled)
      insert.bind(i++, static_cast<std::int64_t>(table.labels[r]));
    else
      insert.bind_null(i++);
    insert.step();
    insert.reset();
  }
  tx.commit();
  return replaced;
}

}  // namespace treeline::data
