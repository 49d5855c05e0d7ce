#include "treeline/data/binary_dataset.h"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <nlohmann/json.hpp>

#include "treeline/common/error.h"
#include "treeline/common/mapped_file.h"

namespace treeline::data {
namespace {

constexpr std::string_view kMagic = "TLDS0001";
constexpr std::size_t kAlign = 64;

std::size_t align_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

template <typename T>
void append_column(std::string& out, std::span<const T> values) {
  out.resize(align_up(out.size()), '\0');
  const std::size_t at = out.size();
  out.resize(at + values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data() + at, values.data(), values.size() * sizeof(T));
}

// A column of the dataset: a view into the mapping when `mapping` keeps the bytes alive (they
// are aligned for T: the mapping starts on a page, the column on 64 bytes), else a copy.
template <typename T>
ColumnValues<T> read_column(std::string_view bytes, std::size_t offset, std::size_t rows, const std::string& where,
                            const std::shared_ptr<const void>& mapping) {
  if (offset % kAlign != 0 || offset + rows * sizeof(T) > bytes.size())
    throw InputError(fmt::format("{}: truncated or corrupt binary dataset (column at byte {})", where, offset));
  const char* at = bytes.data() + offset;
  if (mapping && reinterpret_cast<std::uintptr_t>(at) % alignof(T) == 0)
    return ColumnValues<T>::view({reinterpret_cast<const T*>(at), rows}, mapping);
  std::vector<T> out(rows);
  if (rows > 0) std::memcpy(out.data(), at, rows * sizeof(T));
  return out;
}

}  // namespace

std::string encode_binary_dataset(const Table& table) {
  const std::size_t rows = table.rows();
  // Offsets depend on the header's length, so lay out columns relative to a data start that is
  // fixed after a first pass over the header.
  nlohmann::json header = {{"rows", rows}, {"label_name", table.label_name}, {"labelled", table.labelled}};
  std::size_t offset = 0;
  auto place = [&](std::size_t bytes) {
    offset = align_up(offset);
    const std::size_t at = offset;
    offset += bytes;
    return at;
  };
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& col : table.numeric)
    columns.push_back({{"name", col.name}, {"kind", "float32"}, {"offset", place(rows * 4)}});
  for (const auto& col : table.categorical)
    columns.push_back({{"name", col.name}, {"kind", "category_int32"}, {"levels", col.levels}, {"offset", place(rows * 4)}});
  header["columns"] = columns;
  header["label_offset"] = place(rows * 4);

  const std::string header_text = header.dump();
  std::string out(kMagic);
  const std::uint64_t len = header_text.size();
  out.append(reinterpret_cast<const char*>(&len), sizeof(len));
  out += header_text;
  out.resize(align_up(out.size()), '\0');

  std::string data;
  for (const auto& col : table.numeric) append_column<float>(data, col.values);
  for (const auto& col : table.categorical) append_column<std::int32_t>(data, col.codes);
  append_column<std::int32_t>(data, table.labels);
  out += data;
  return out;
}

Table decode_binary_dataset(std::string_view bytes, const std::string& where, std::shared_ptr<const void> mapping) {
  if (bytes.size() < kMagic.size() + 8 || bytes.substr(0, kMagic.size()) != kMagic)
    throw InputError(fmt::format("{}: not a treeline binary dataset (expected magic {})", where, kMagic));
  std::uint64_t len = 0;
  std::memcpy(&len, bytes.data() + kMagic.size(), sizeof(len));
  const std::size_t header_start = kMagic.size() + sizeof(len);
  if (header_start + len > bytes.size())
    throw InputError(fmt::format("{}: truncated binary dataset header", where));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.substr(header_start, len));
  } catch (const nlohmann::json::exception& e) {
    throw InputError(fmt::format("{}: corrupt binary dataset header: {}", where, e.what()));
  }
  const std::size_t data_start = align_up(header_start + len);
  const std::string_view data = bytes.substr(data_start);
  const auto rows = header.at("rows").get<std::size_t>();
  Table t;
  t.label_name = header.at("label_name").get<std::string>();
  t.labelled = header.at("labelled").get<bool>();
  for (const auto& col : header.at("columns")) {
    const auto kind = col.at("kind").get<std::string>();
    const auto offset = col.at("offset").get<std::size_t>();
    if (kind == "float32") {
      t.numeric.push_back({col.at("name").get<std::string>(), read_column<float>(data, offset, rows, where, mapping)});
    } else if (kind == "category_int32") {
      CategoricalColumn c{col.at("name").get<std::string>(), col.at("levels").get<std::vector<std::string>>(),
                          read_column<std::int32_t>(data, offset, rows, where, mapping)};
      // Codes index the levels downstream; one out of range would write past a table.
      for (std::size_t r = 0; r < c.codes.size(); ++r)
        if (c.codes[r] < 0 || static_cast<std::size_t>(c.codes[r]) >= c.levels.size())
          throw InputError(fmt::format("{}: column {}, row {}: category code {} outside its {} levels; the file is "
                                       "damaged", where, c.name, r, c.codes[r], c.levels.size()));
      t.categorical.push_back(std::move(c));
    } else {
      throw InputError(fmt::format("{}: unknown column kind '{}'", where, kind));
    }
  }
  t.labels = read_column<std::int32_t>(data, header.at("label_offset").get<std::size_t>(), rows, where, mapping);
  return t;
}

Table read_binary_dataset(const std::filesystem::path& path) {
  auto file = std::make_shared<const MappedFile>(path);
  return decode_binary_dataset(file->bytes(), path.string(), file);
}

}  // namespace treeline::data
