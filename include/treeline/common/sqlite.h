#pragma once
// RAII around SQLite's C handles. Errors carry SQLite's own message and the statement.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "treeline/common/error.h"

namespace treeline {

// The first 16 bytes of every SQLite database file: how a file given as CSV, or as sqlite:PATH,
// is told to be (or not be) one before anything reads it as the other.
inline constexpr std::string_view kSqliteFileHeader{"SQLite format 3\0", 16};

class SqliteStatement;

// SQLITE_BUSY that the busy timeout did not cover: SQLite returns it at once where waiting could
// deadlock (two connections each holding a lock the other needs), so the caller may start over.
class SqliteBusy : public SystemError {
 public:
  using SystemError::SystemError;
};

// Whether `path` is a file whose content is not a SQLite database (a CSV file, say). SQLite opens
// any file and fails only at the first statement, with a message that names no flag.
bool is_other_than_sqlite(const std::filesystem::path& path);

class SqliteDatabase {
 public:
  enum class Mode { kReadOnly, kReadWriteCreate };
  SqliteDatabase(const std::filesystem::path& path, Mode mode);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  void execute(std::string_view sql);  // one or more statements without results
  SqliteStatement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;

  // Binding is 1-based, as in SQLite.
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind_null(int index);
  // Returns true while a row is available; false when done.
  bool step();
  void reset();

  int column_count() const;
  std::string column_name(int i) const;
  bool is_null(int i) const;
  std::int64_t column_int(int i) const;
  double column_double(int i) const;
  std::string_view column_text(int i) const;
  std::optional<std::string> column_optional_text(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

// A transaction that rolls back unless committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db, bool immediate = true);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDatabase& db_;
  bool done_ = false;
};

}  // namespace treeline
