#include "treeline/data/fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/common/unique_fd.h"
#include "treeline/common/sha256.h"

namespace treeline::data {
namespace {

namespace fs = std::filesystem;

// Give up when no connection is made in this time, or when the transfer stays below
// kLowSpeedBytesPerSecond for kLowSpeedSeconds: a stalled server must not hang the CLI forever.
constexpr long kConnectTimeoutSeconds = 30;
constexpr long kLowSpeedBytesPerSecond = 1024;
constexpr long kLowSpeedSeconds = 60;
constexpr long kMaxRedirects = 10;
constexpr long kReceiveBufferBytes = 128 * 1024;

// ---- request validation -------------------------------------------------------------------

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

void validate_url(const std::string& url) {
  const bool is_http = starts_with_ignoring_case(url, "http://") && url.size() > 7;
  const bool is_https = starts_with_ignoring_case(url, "https://") && url.size() > 8;
  if (!is_http && !is_https)
    throw InputError("--url must be an http:// or https:// URL, got '" + url + "'");
}

// Returns the digest in lower case, or throws InputError naming --sha256.
std::string normalized_sha256(const std::string& hex) {
  const bool all_hex = std::all_of(
      hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (hex.size() != 64 || !all_hex)
    throw InputError("--sha256 must be 64 hexadecimal digits, got '" + hex + "'");
  std::string lower = hex;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return lower;
}

void validate_out(const fs::path& out) {
  if (out.empty() || !out.has_filename())
    throw InputError("--out must name a file, got '" + out.string() + "'");
  std::error_code ec;
  if (fs::is_directory(out, ec))
    throw InputError("--out names a directory, not a file: " + out.string());
}

// ---- libcurl ------------------------------------------------------------------------------

// curl_global_init must run once before any easy handle exists; a function-local static gives
// thread-safe one-time initialisation, and its destructor cleans up at exit.
class CurlLibrary {
 public:
  static void ensure_initialized() { static const CurlLibrary library; }

 private:
  CurlLibrary() {
    if (const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
      throw SystemError(std::string("libcurl: cannot initialise: ") + curl_easy_strerror(rc));
  }
  ~CurlLibrary() { curl_global_cleanup(); }
};

class CurlEasy {
 public:
  CurlEasy() {
    CurlLibrary::ensure_initialized();
    handle_ = curl_easy_init();
    if (handle_ == nullptr) throw SystemError("libcurl: cannot create a transfer handle");
  }
  ~CurlEasy() { curl_easy_cleanup(handle_); }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  template <typename Value>
  void set(CURLoption option, Value value) {
    if (const CURLcode rc = curl_easy_setopt(handle_, option, value); rc != CURLE_OK)
      throw SystemError(std::string("libcurl: cannot set an option: ") + curl_easy_strerror(rc));
  }

  long response_code() const {
    long code = 0;
    curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  // The Content-Length of the response being received, or 0 when the server did not say.
  std::uint64_t announced_length() const {
    curl_off_t length = -1;
    curl_easy_getinfo(handle_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    return length > 0 ? static_cast<std::uint64_t>(length) : 0;
  }

  CURLcode perform() { return curl_easy_perform(handle_); }

 private:
  CURL* handle_ = nullptr;
};

// What the write callback needs. Exceptions must not cross libcurl's C frames, so the callback
// stores the first one here and aborts the transfer; fetch_to_file rethrows it.
struct Transfer {
  CurlEasy* curl = nullptr;
  AtomicFileWriter* file = nullptr;
  Sha256 hash;
  const FetchProgress* on_progress = nullptr;
  std::uint64_t received = 0;
  std::uint64_t last_reported_total = 0;
  std::exception_ptr failure;

  void report_progress(std::uint64_t total) {
    last_reported_total = total;
    if (*on_progress) (*on_progress)(received, total);
  }
};

std::size_t receive_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  try {
    const std::string_view chunk(data, length);
    transfer.file->write(chunk);
    transfer.hash.update(chunk);
    transfer.received += length;
    transfer.report_progress(transfer.curl->announced_length());
    return length;
  } catch (...) {
    transfer.failure = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
}

void configure(CurlEasy& curl, const std::string& url, Transfer& transfer, char* error_buffer) {
  curl.set(CURLOPT_URL, url.c_str());
  curl.set(CURLOPT_ERRORBUFFER, error_buffer);
  curl.set(CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threaded programs
  curl.set(CURLOPT_FOLLOWLOCATION, 1L);
  curl.set(CURLOPT_MAXREDIRS, kMaxRedirects);
  curl.set(CURLOPT_PROTOCOLS_STR, "http,https");
  curl.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl.set(CURLOPT_FAILONERROR, 1L);  // an error page must never be taken for the data
  curl.set(CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl.set(CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerSecond);
  curl.set(CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
  curl.set(CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
  curl.set(CURLOPT_USERAGENT, "treeline/0.1 (libcurl)");
  curl.set(CURLOPT_WRITEFUNCTION, &receive_body);
  curl.set(CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
}

[[noreturn]] void throw_transfer_error(const std::string& url, CURLcode rc, long status,
                                       const char* error_buffer) {
  if (rc == CURLE_HTTP_RETURNED_ERROR || (rc == CURLE_OK && status >= 300)) {
    const std::string message =
        "cannot download " + url + ": the server answered HTTP " + std::to_string(status);
    // A 4xx says the URL is wrong or not ours to read; a 5xx is the server's failure.
    if (status >= 400 && status < 500) throw InputError(message);
    throw SystemError(message);
  }
  const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
  const std::string message = "cannot download " + url + ": " + detail;
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) throw InputError(message);
  throw SystemError(message);
}

}  // namespace

FetchResult fetch_to_file(const FetchRequest& request) {
  validate_url(request.url);
  const std::string expected =
      request.expected_sha256.empty() ? std::string() : normalized_sha256(request.expected_sha256);
  validate_out(request.out);

  if (request.out.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(request.out.parent_path(), ec);
    if (ec)
      throw SystemError("cannot create directory " + request.out.parent_path().string() + ": " +
                        ec.message());
  }

  AtomicFileWriter file(request.out);
  CurlEasy curl;
  Transfer transfer;
  transfer.curl = &curl;
  transfer.file = &file;
  transfer.on_progress = &request.on_progress;
  char error_buffer[CURL_ERROR_SIZE] = {};
  configure(curl, request.url, transfer, error_buffer);

  const CURLcode rc = curl.perform();
  if (transfer.failure) std::rethrow_exception(transfer.failure);
  const long status = curl.response_code();
  if (rc != CURLE_OK || status >= 300) throw_transfer_error(request.url, rc, status, error_buffer);

  // The closing report (received == total) tells progress printers the transfer is complete.
  if (transfer.received == 0 || transfer.last_reported_total != transfer.received)
    transfer.report_progress(transfer.received);

  FetchResult result{transfer.received, transfer.hash.hex_digest()};
  if (!expected.empty() && result.sha256 != expected)
    throw InputError("checksum mismatch for " + request.url + ": expected sha256 " + expected +
                     ", got " + result.sha256 + "; the download was discarded");
  file.commit();
  return result;
}

// ---- terminal progress --------------------------------------------------------------------

namespace {

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  std::size_t unit = 0;
  while (bytes >= 1000.0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1000.0;
    ++unit;
  }
  char text[32];
  if (unit == 0)
    std::snprintf(text, sizeof text, "%.0f %s", bytes, kUnits[unit]);
  else
    std::snprintf(text, sizeof text, "%.1f %s", bytes, kUnits[unit]);
  return text;
}

// One terminal line, redrawn in place with '\r'. Shared by all copies of the printer, so the
// line is ended exactly once: on the closing report, or when the last copy goes away.
class TerminalProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

  explicit TerminalProgressLine(std::FILE* out) : out_(out) {}
  ~TerminalProgressLine() {
    if (line_open_) end_line();
  }
  TerminalProgressLine(const TerminalProgressLine&) = delete;
  TerminalProgressLine& operator=(const TerminalProgressLine&) = delete;

  void update(std::uint64_t received, std::uint64_t total) {
    const auto now = Clock::now();
    if (!line_open_) {
      started_ = now;
      line_open_ = true;
    } else if (received != total && now - last_drawn_ < kRedrawInterval) {
      return;
    }
    draw(received, total, now);
    last_drawn_ = now;
    if (received == total) end_line();
  }

 private:
  void draw(std::uint64_t received, std::uint64_t total, Clock::time_point now) {
    std::string line = "  " + human_bytes(static_cast<double>(received));
    if (total > 0) {
      line += " / " + human_bytes(static_cast<double>(total));
      line += "  " + std::to_string(std::min<std::uint64_t>(100, received * 100 / total)) + "%";
    }
    const double seconds = std::chrono::duration<double>(now - started_).count();
    if (seconds > 0.05) line += "  " + human_bytes(static_cast<double>(received) / seconds) + "/s";
    // Blank out what a longer previous line left behind.
    const std::size_t width = line.size();
    if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
    drawn_width_ = width;
    std::fprintf(out_, "\r%s", line.c_str());
    std::fflush(out_);
  }

  void end_line() {
    std::fputc('\n', out_);
    std::fflush(out_);
    line_open_ = false;
    drawn_width_ = 0;
  }

  std::FILE* out_;
  bool line_open_ = false;
  std::size_t drawn_width_ = 0;
  Clock::time_point started_;
  Clock::time_point last_drawn_;
};

}  // namespace

FetchProgress make_terminal_progress(std::FILE* out) {
  if (out == nullptr || ::isatty(::fileno(out)) == 0) return [](std::uint64_t, std::uint64_t) {};
  auto line = std::make_shared<TerminalProgressLine>(out);
  return [line](std::uint64_t received, std::uint64_t total) { line->update(received, total); };
}

}  // namespace treeline::data
