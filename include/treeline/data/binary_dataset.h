#pragma once
// The prepared dataset's binary form: a self-describing JSON header followed by 64-byte-aligned
// little-endian columns. A trainer maps it and reads the columns where they lie, with no parsing
// and no copy: hundreds of trial processes share one copy in the page cache.
//
// Layout: "TLDS0001" | u64 header length | header JSON | padding | columns...
// The header lists rows, label name, and every column with its kind (float32 numeric, int32
// categorical codes with levels, int32 labels) and byte offset.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "treeline/data/table.h"

namespace treeline::data {

std::string encode_binary_dataset(const Table& table);
// With `mapping` (what keeps `bytes` alive, e.g. the MappedFile they lie in) the table's columns
// are views into `bytes`; without, copies.
Table decode_binary_dataset(std::string_view bytes, const std::string& where,
                            std::shared_ptr<const void> mapping = nullptr);
// Maps and decodes the file at `path`; the table's columns are views into the mapping.
Table read_binary_dataset(const std::filesystem::path& path);

}  // namespace treeline::data
