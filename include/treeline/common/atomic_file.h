#pragma once
// Every artifact is written atomically: a temporary file beside the target, fsync, rename,
// fsync of the directory. A crash or a full disk mid-write leaves the previous version intact.
#include <filesystem>
#include <string_view>

namespace treeline {

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// Makes a rename or creation in `dir` durable (best effort).
void fsync_directory(const std::filesystem::path& dir);

// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace treeline
