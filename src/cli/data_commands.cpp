#include <fmt/format.h>

#include <memory>

#include "treeline/cli/commands.h"
#include "treeline/common/error.h"
#include "treeline/data/csv_source.h"
#include "treeline/data/fetch.h"
#include "treeline/data/sqlite_source.h"

namespace treeline::cli {
namespace {

void add_load(CLI::App& data) {
  struct Flags {
    std::string csv, into, table = "covertype";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = data.add_subcommand("load", "load a CSV into a SQLite warehouse table");
  cmd->add_option("CSV", flags->csv, "CSV file (plain or .gz), either schema")->required();
  cmd->add_option("--into", flags->into, "sqlite:PATH of the warehouse")->required();
  cmd->add_option("--table", flags->table, "table name")->capture_default_str();
  cmd->callback([flags] {
    constexpr std::string_view kScheme = "sqlite:";
    if (flags->into.rfind(kScheme, 0) != 0)
      throw InputError(fmt::format("--into '{}': expected sqlite:PATH", flags->into));
    const std::string path = flags->into.substr(kScheme.size());
    data::CsvDataSource source(flags->csv);
    const data::Table table = source.read(data::ReadOptions{});
    const auto replaced = data::load_into_sqlite(table, path, flags->table);
    fmt::print("loaded {} rows from {} into sqlite:{} table {}{}\n", table.rows(), flags->csv, path, flags->table,
               replaced ? fmt::format(", replacing the {} rows it held", *replaced) : "");
  });
}

void add_fetch(CLI::App& data) {
  struct Flags {
    std::string url = std::string(data::kCovertypeUrl), sha256 = std::string(data::kCovertypeSha256), out;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = data.add_subcommand("fetch", "download the full Covertype data set, verifying its checksum");
  cmd->add_option("--url", flags->url, "where to download from")->capture_default_str();
  cmd->add_option("--sha256", flags->sha256, "expected SHA-256 of the download ('' to skip the check)")
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "file to write (written only once complete and verified)")->required();
  cmd->callback([flags] {
    const auto result = data::fetch_to_file(
        {.url = flags->url, .expected_sha256 = flags->sha256, .out = flags->out,
         .on_progress = data::make_terminal_progress(stderr)});
    fmt::print("wrote {} ({} bytes, sha256 {})\n", flags->out, result.bytes, result.sha256);
  });
}

}  // namespace

void add_data_commands(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "load data into a SQLite warehouse, or fetch the full data set");
  data->require_subcommand(1);
  add_load(*data);
  add_fetch(*data);
}

}  // namespace treeline::cli
