#pragma once
// Downloads a data set over HTTP(S) to a file, verifying its SHA-256 on the way. The target is
// replaced atomically: on any failure no partial file is left and a previous file stays intact.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace treeline::data {

// The UCI Covertype data set, the default for `treeline data fetch`.
inline constexpr std::string_view kCovertypeUrl =
    "https://archive.ics.uci.edu/ml/machine-learning-databases/covtype/covtype.data.gz";
inline constexpr std::string_view kCovertypeSha256 =
    "614360d0257557dd1792834a85a1cdebfadc3c4f30b011d56afee7ffb5b15771";

// Called as bytes arrive with the running count and the announced size (0 if unknown).
// After a successful transfer it is called once with received == total, which marks the end.
using FetchProgress = std::function<void(std::uint64_t received, std::uint64_t total)>;

struct FetchRequest {
  std::string url;              // http:// or https://; redirects are followed
  std::string expected_sha256;  // 64 hex digits, any case; empty = don't check
  std::filesystem::path out;    // parent directories are created
  FetchProgress on_progress;    // may be empty
};

struct FetchResult {
  std::uint64_t bytes = 0;
  std::string sha256;  // lower-case hex of what was written to `out`
};

// Throws InputError for a bad request, an HTTP 4xx or a checksum mismatch, SystemError for
// network and file-system failures; an exception thrown by on_progress propagates unchanged.
FetchResult fetch_to_file(const FetchRequest& request);

// A progress printer drawing one updating line ("\r  12.3 MB / 41.2 MB  30%  3.1 MB/s") on `out`
// at most about ten times a second, ending it with a newline when the transfer finishes (or when
// the last copy of the printer is destroyed). Prints nothing unless `out` is a terminal.
FetchProgress make_terminal_progress(std::FILE* out);

}  // namespace treeline::data
