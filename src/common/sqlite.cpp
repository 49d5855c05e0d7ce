#include "treeline/common/sqlite.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>

#include "treeline/common/error.h"

namespace treeline {

bool is_other_than_sqlite(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string magic(kSqliteFileHeader.size(), '\0');
  in.read(magic.data(), static_cast<std::streamsize>(magic.size()));
  return in.gcount() > 0 && magic != kSqliteFileHeader;
}

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path, Mode mode) : path_(path) {
  const int flags = (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError("cannot open SQLite database " + path.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(db_); }

void SqliteDatabase::execute(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  if (const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string message = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    message = "SQLite (" + path_.string() + "): " + message + " in: " + text;
    if ((rc & 0xff) == SQLITE_BUSY) throw SqliteBusy(message);
    throw SystemError(message);
  }
}

SqliteStatement SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  // SystemError: treeline's own SQL failing is not the user's doing; a caller that runs the user's
  // SQL (--query) says so itself.
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail) != SQLITE_OK)
    throw SystemError("SQLite (" + path_.string() + "): " + sqlite3_errmsg(db_) + " in: " +
                      std::string(sql));
  SqliteStatement statement(db_, stmt, std::string(sql));  // finalised however this ends
  if (stmt == nullptr) throw SystemError("SQLite (" + path_.string() + "): empty statement");
  // SQLite prepares the first statement only: the rest would be dropped without a word. What
  // follows is prepared too, to tell a statement from comments and semicolons.
  const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  sqlite3_stmt* next = nullptr;
  const int next_status = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
  sqlite3_finalize(next);
  if (next_status != SQLITE_OK || next != nullptr)
    throw SystemError("SQLite (" + path_.string() + "): one statement expected, found more after it: " +
                      std::string(rest.substr(std::min(rest.size(), rest.find_first_not_of(" \t\r\n;")))));
  return statement;
}

std::int64_t SqliteDatabase::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
    : db_(db), stmt_(stmt), sql_(std::move(sql)) {}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)) {}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
SqliteStatement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string message = "SQLite: " + std::string(sqlite3_errmsg(db_)) + " in: " + sql_;
  sqlite3_reset(stmt_);
  if ((rc & 0xff) == SQLITE_BUSY) throw SqliteBusy(message);
  throw SystemError(message);
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int SqliteStatement::column_count() const { return sqlite3_column_count(stmt_); }
std::string SqliteStatement::column_name(int i) const { return sqlite3_column_name(stmt_, i); }
bool SqliteStatement::is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
std::int64_t SqliteStatement::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
double SqliteStatement::column_double(int i) const { return sqlite3_column_double(stmt_, i); }
std::string_view SqliteStatement::column_text(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))};
}
std::optional<std::string> SqliteStatement::column_optional_text(int i) const {
  if (is_null(i)) return std::nullopt;
  return std::string(column_text(i));
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& db, bool immediate) : db_(db) {
  db_.execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}
SqliteTransaction::~SqliteTransaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}
void SqliteTransaction::commit() {
  db_.execute("COMMIT");
  done_ = true;
}

}  // namespace treeline
