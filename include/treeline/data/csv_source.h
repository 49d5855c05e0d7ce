#pragma once
// CSV files, plain or gzip, in either Covertype schema, told apart by their first line: a header
// means the warehouse schema; 55 (or, unlabelled, 54) integers mean UCI's covtype.data.
#include <cstddef>
#include <filesystem>

#include "treeline/data/data_source.h"

namespace treeline::data {

class CsvDataSource : public DataSource {
 public:
  explicit CsvDataSource(std::filesystem::path path);
  Table read(const ReadOptions& options) override;
  std::string describe() const override { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The decompressed bytes of a plain or gzip file (members concatenated; zero padding after them
// allowed, anything else refused). zlib is handed `inflate_chunk` compressed bytes at a time: its
// counts are 32-bit (tests use tiny chunks to cross their ends).
std::string read_maybe_gzip(const std::filesystem::path& path, std::size_t inflate_chunk = std::size_t{1} << 30);

// Writes a table in the warehouse schema, with header (for `data load` round trips and tests).
std::string to_warehouse_csv(const Table& table);

}  // namespace treeline::data
