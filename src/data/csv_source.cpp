#include "treeline/data/csv_source.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/common/sqlite.h"
#include "treeline/data/covertype_schema.h"
#include "treeline/data/warehouse_rows.h"

namespace treeline::data {
namespace cov = covertype;

namespace {

struct InflateEnder {
  void operator()(z_stream* s) const {
    inflateEnd(s);
    delete s;
  }
};

// A gzip member starts at `offset` (its magic bytes).
bool is_gzip_member(std::string_view bytes, std::size_t offset) {
  return bytes.size() >= offset + 2 && static_cast<unsigned char>(bytes[offset]) == 0x1f &&
         static_cast<unsigned char>(bytes[offset + 1]) == 0x8b;
}

// Splits on commas into `out` (reused between lines to avoid allocation).
void split_fields(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

bool looks_numeric(std::string_view field) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '"')) field.remove_prefix(1);
  return !field.empty() && (std::isdigit(static_cast<unsigned char>(field.front())) || field.front() == '-' ||
                            field.front() == '+' || field.front() == '.');
}

// Reads UCI covtype.data rows: 10 numeric, 4 one-hot wilderness, 40 one-hot soil, [Cover_Type].
class UciRowReader {
 public:
  UciRowReader(std::string where, bool labelled) : where_(std::move(where)), table_(cov::make_empty_table()) {
    table_.labelled = labelled;
    columns_ = labelled ? cov::kUciColumns : cov::kUciColumns - 1;
  }

  void add_row(std::span<const std::string_view> fields, std::string_view place) {
    if (fields.size() != columns_)
      throw InputError(fmt::format("{}: {}: expected {} columns (UCI covtype.data schema), found {}", where_,
                                   place, columns_, fields.size()));
    for (std::size_t i = 0; i < cov::kNumericColumns.size(); ++i)
      table_.numeric[i].values.push_back(parse_float_field(fields[i], where_, place, cov::kNumericColumns[i]));
    table_.categorical[cov::kWildernessColumn].codes.push_back(one_hot(fields, 10, 4, "Wilderness_Area", place));
    table_.categorical[cov::kSoilColumn].codes.push_back(one_hot(fields, 14, 40, "Soil_Type", place));
    table_.labels.push_back(table_.labelled ? parse_cover_type(fields[54], where_, place) : 0);
  }

  Table take() { return std::move(table_); }

 private:
  std::int32_t one_hot(std::span<const std::string_view> fields, std::size_t first, std::size_t count,
                       std::string_view group, std::string_view place) {
    int hot = -1;
    for (std::size_t j = 0; j < count; ++j) {
      const std::string column = fmt::format("{}{}", group, j + 1);
      const long v = parse_integer_field(fields[first + j], where_, place, column);
      if (v != 0 && v != 1)
        throw InputError(fmt::format("{}: {}: column {}: expected 0 or 1, found '{}'", where_, place, column,
                                     fields[first + j]));
      if (v == 1) {
        if (hot >= 0)
          throw InputError(fmt::format("{}: {}: columns {}{} and {}: expected exactly one 1 among {}1..{}{}",
                                       where_, place, group, hot + 1, column, group, group, count));
        hot = static_cast<int>(j);
      }
    }
    if (hot < 0)
      throw InputError(fmt::format("{}: {}: expected exactly one 1 among {}1..{}{}, found none", where_, place,
                                   group, group, count));
    return hot;
  }

  std::string where_;
  std::size_t columns_;
  Table table_;
};

}  // namespace

std::string read_maybe_gzip(const std::filesystem::path& path, std::size_t inflate_chunk) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("{}: a folder; expected a CSV file (plain or gzip) or sqlite:PATH", path.string()));
  std::string raw = read_file(path);  // a pipe too (--data /dev/stdin)
  if (!is_gzip_member(raw, 0)) return raw;  // plain text
  // Member by member (gzip files may be concatenated). zlib's gzread would skip what follows the
  // last member when it is no gzip, so rows appended as text to a .gz would be dropped unseen.
  std::unique_ptr<z_stream, InflateEnder> stream(new z_stream{});
  if (inflateInit2(stream.get(), 15 + 16) != Z_OK)  // 16: gzip wrapper, its CRC checked
    throw SystemError(fmt::format("{}: cannot start decompressing: zlib out of memory", path.string()));
  std::string out;
  std::array<char, 1 << 18> buf;
  std::size_t fed = 0;  // bytes of `raw` handed to zlib so far (avail_in of them not yet used)
  auto feed = [&] {
    const std::size_t chunk = std::min<std::size_t>(raw.size() - fed, inflate_chunk);
    stream->next_in = reinterpret_cast<Bytef*>(raw.data() + fed);
    stream->avail_in = static_cast<uInt>(chunk);
    fed += chunk;
  };
  feed();
  while (true) {
    int status = Z_OK;
    while (status == Z_OK) {
      if (stream->avail_in == 0 && fed < raw.size()) feed();
      stream->next_out = reinterpret_cast<Bytef*>(buf.data());
      stream->avail_out = static_cast<uInt>(buf.size());
      status = inflate(stream.get(), Z_NO_FLUSH);
      out.append(buf.data(), buf.size() - stream->avail_out);
      if (status == Z_BUF_ERROR && stream->avail_in == 0 && fed == raw.size())
        throw InputError(fmt::format("{}: truncated gzip file: the compressed stream ends early (an interrupted "
                                     "download or copy?)",
                                     path.string()));
      if (status == Z_BUF_ERROR) status = Z_OK;  // more input to hand over, or the output was full
    }
    if (status != Z_STREAM_END)
      throw InputError(fmt::format("{}: cannot decompress: {}", path.string(),
                                   stream->msg != nullptr ? stream->msg : "not valid gzip data"));
    const std::size_t offset = fed - stream->avail_in;  // where this member ended
    if (offset == raw.size()) return out;
    if (!is_gzip_member(raw, offset)) {
      // Zeros pad a file to a block (tar, dd), and gzip -d takes them silently; anything else
      // could be rows.
      if (raw.find_first_not_of('\0', offset) == std::string::npos) return out;
      throw InputError(fmt::format("{}: {} bytes follow the end of the gzip data (text appended to a compressed "
                                   "file?); expected one gzip file, or gzip files concatenated",
                                   path.string(), raw.size() - offset));
    }
    inflateReset(stream.get());
    fed = offset;
    feed();
  }
}

namespace {

// A database or other binary file given as CSV would otherwise be reported by its first "line",
// cut at its first zero byte.
void reject_binary(std::string_view text, const std::string& where) {
  if (text.starts_with(kSqliteFileHeader))
    throw InputError(fmt::format("{}: a SQLite database, not CSV text; read it with --data sqlite:{} --query "
                                 "\"SELECT * FROM covertype\"",
                                 where, where));
  const std::size_t zero = text.substr(0, 1 << 16).find('\0');
  if (zero != std::string_view::npos)
    throw InputError(fmt::format("{}: binary data, not CSV text (byte {} is zero); expected the warehouse "
                                 "schema's CSV, plain or gzip-compressed",
                                 where, zero + 1));
}

}  // namespace

CsvDataSource::CsvDataSource(std::filesystem::path path) : path_(std::move(path)) {}

Table CsvDataSource::read(const ReadOptions& options) {
  const std::string where = path_.string();
  const std::string text = read_maybe_gzip(path_);
  reject_binary(text, where);

  // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first column's name.
  std::size_t pos = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  std::size_t line_number = 0;
  std::vector<std::string_view> fields;
  auto next_line = [&](std::string_view& line) {
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      line = std::string_view(text).substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos = end + 1;
      ++line_number;
      if (line.find_first_not_of(" \t") != std::string_view::npos) return true;  // blank lines are skipped
    }
    return false;
  };

  // Lines ended by CR alone (classic Mac) would read as one line with every row's fields.
  if (text.find('\n') == std::string::npos && text.find('\r') != std::string::npos)
    throw InputError(fmt::format("{}: its lines end in CR alone (an old Mac format); expected LF or CRLF line ends "
                                 "(convert with: tr '\\r' '\\n')",
                                 where));
  std::string_view first;
  if (!next_line(first)) throw InputError(fmt::format("{}: the file is empty; expected a header or data rows", where));
  split_fields(first, fields);
  const std::size_t first_line = line_number;  // blank lines may come before it

  auto read_rows = [&](auto& reader, bool first_is_data) -> Table {
    std::string place;
    if (first_is_data) reader.add_row(fields, fmt::format("line {}", line_number));
    std::string_view line;
    while (next_line(line)) {
      split_fields(line, fields);
      place.assign("line ").append(std::to_string(line_number));
      reader.add_row(fields, place);
    }
    Table t = reader.take();
    if (t.rows() == 0) throw InputError(fmt::format("{}: no data rows after the header", where));
    return t;
  };

  if (looks_numeric(fields.front())) {
    const bool labelled = fields.size() == cov::kUciColumns;
    if (!labelled && !(fields.size() == cov::kUciColumns - 1 && !options.require_label)) {
      if (fields.size() == cov::kUciColumns - 1)
        throw InputError(fmt::format("{}: line {}: 54 columns of UCI covtype.data without Cover_Type: "
                                     "missing label column {}",
                                     where, first_line, cov::kLabel));
      throw InputError(fmt::format(
          "{}: line {}: unknown schema: {} columns and no header; expected the warehouse schema with header "
          "({}) or UCI covtype.data's 55 integer columns",
          where, first_line, fields.size(), cov::warehouse_header()));
    }
    if (!options.keep_columns.empty())
      throw InputError(fmt::format("--keep-columns {}: {} is UCI covtype.data, whose columns have no names to keep",
                                   options.keep_columns.front(), where));
    UciRowReader reader(where, labelled);
    return read_rows(reader, true);
  }
  std::vector<std::string> names(fields.begin(), fields.end());
  WarehouseRowReader reader(where, fmt::format("line {} (header)", first_line), names, options);
  return read_rows(reader, false);
}

std::string to_warehouse_csv(const Table& table) {
  std::string out = cov::warehouse_header();
  out.push_back('\n');
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (const auto& col : table.numeric) fmt::format_to(std::back_inserter(out), "{},", col.values[r]);
    for (const auto& col : table.categorical) fmt::format_to(std::back_inserter(out), "{},", col.levels[col.codes[r]]);
    fmt::format_to(std::back_inserter(out), "{}\n", table.labels[r]);
  }
  return out;
}

}  // namespace treeline::data
