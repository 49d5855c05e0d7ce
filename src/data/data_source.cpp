#include "treeline/data/data_source.h"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <optional>
#include <string>

#include "treeline/common/error.h"
#include "treeline/common/spelling.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/sqlite_source.h"

namespace treeline::data {

namespace {

// "gs://bucket/x.csv", "sqlit:w.db": a scheme-like prefix on a path that does not exist.
std::optional<std::string> scheme_of(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  for (std::size_t i = 0; i < colon; ++i)
    if (!std::isalpha(static_cast<unsigned char>(spec[i]))) return std::nullopt;
  return spec.substr(0, colon);
}

}  // namespace

std::unique_ptr<DataSource> open_data_source(const std::string& spec, const std::string& query) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (spec.rfind(kSqlite, 0) == 0) return std::make_unique<SqliteDataSource>(spec.substr(kSqlite.size()), query);
  if (spec.empty()) throw InputError("--data: expected a CSV file or sqlite:PATH, found an empty value");
  std::error_code ec;
  if (const auto scheme = scheme_of(spec); scheme && !std::filesystem::exists(spec, ec)) {
    if (closest_spelling(*scheme, {"sqlite"}))
      throw InputError(fmt::format("--data {}: no such file; did you mean sqlite:{}?", spec,
                                   spec.substr(scheme->size() + 1)));
    throw InputError(fmt::format("--data {}: no such file, and '{}:' is not a kind of data treeline reads: give a "
                                 "local CSV file (plain or gzip), or a SQLite warehouse as sqlite:PATH with --query{}",
                                 spec, *scheme,
                                 spec.find("://") != std::string::npos ? " (copy remote files here first)" : ""));
  }
  if (!query.empty())
    throw InputError("--query applies to a SQL warehouse (--data sqlite:PATH), not to the file " + spec);
  return std::make_unique<CsvDataSource>(spec);
}

}  // namespace treeline::data
