// fetch_to_file against a small HTTP/1.1 server on 127.0.0.1 run by the test itself; no traffic
// leaves the loopback interface.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "treeline/common/atomic_file.h"
#include "treeline/common/error.h"
#include "treeline/common/sha256.h"
#include "treeline/data/fetch.h"

namespace treeline::data {
namespace {

namespace fs = std::filesystem;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// A TCP socket bound to an ephemeral port on 127.0.0.1; returns the port.
int bind_loopback(const Socket& socket) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("test server: cannot bind 127.0.0.1");
  socklen_t length = sizeof address;
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

struct CannedResponse {
  int status = 200;
  std::string body;
  std::size_t close_after_body_bytes = std::string::npos;  // simulate a dropped connection
  std::string location;                                    // for redirects
};

CannedResponse serve_body(std::string body) {
  return {200, std::move(body), std::string::npos, {}};
}
CannedResponse fail_with(int status) {
  return {status, "canned error page\n", std::string::npos, {}};
}
CannedResponse redirect_to(std::string location) {
  return {302, "moved\n", std::string::npos, std::move(location)};
}
CannedResponse drop_midway(std::string body, std::size_t sent_bytes) {
  return {200, std::move(body), sent_bytes, {}};
}

// Serves canned responses, one connection at a time, until destroyed. Unknown paths get 404.
class LoopbackHttpServer {
 public:
  explicit LoopbackHttpServer(std::map<std::string, CannedResponse> routes)
      : routes_(std::move(routes)), listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    port_ = bind_loopback(listener_);
    if (::listen(listener_.get(), 16) != 0) throw std::runtime_error("test server: cannot listen");
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackHttpServer() {
    stopping_ = true;
    thread_.join();
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void serve() {
    while (!stopping_) {
      pollfd ready{listener_.get(), POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;  // wake regularly to notice stopping_
      Socket client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (client.get() >= 0) answer(client);
    }
  }

  void answer(const Socket& client) {
    timeval timeout{2, 0};  // a stuck client must not hang the test
    ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      const ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    // "GET /path HTTP/1.1"
    const std::size_t path_begin = request.find(' ') + 1;
    const std::string path = request.substr(path_begin, request.find(' ', path_begin) - path_begin);

    const CannedResponse not_found = fail_with(404);
    const auto route = routes_.find(path);
    const CannedResponse& response = route != routes_.end() ? route->second : not_found;

    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " Canned\r\n" +
                       "Content-Length: " + std::to_string(response.body.size()) + "\r\n" +
                       "Connection: close\r\n";
    if (!response.location.empty()) head += "Location: " + response.location + "\r\n";
    head += "\r\n";
    const std::size_t body_bytes = std::min(response.body.size(), response.close_after_body_bytes);
    if (send_all(client, head))
      send_all(client, std::string_view(response.body).substr(0, body_bytes));
  }

  static bool send_all(const Socket& client, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(client.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  std::map<std::string, CannedResponse> routes_;
  Socket listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

std::string random_bytes(std::size_t size) {
  std::mt19937 generator(1234);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xff);
  return bytes;
}

class FetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A proxy configured in the environment must not see (or swallow) loopback traffic.
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }

  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "treeline-fetch-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    out_ = dir_ / "covtype.data.gz";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::set<std::string> files_in_dir() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.insert(entry.path().filename().string());
    return names;
  }

  // Runs the fetch expecting `Expected` to be thrown; returns its message.
  template <typename Expected>
  std::string fetch_error(const FetchRequest& request) {
    try {
      fetch_to_file(request);
    } catch (const Expected& e) {
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception type: " << e.what();
      return {};
    }
    ADD_FAILURE() << "fetch_to_file did not throw";
    return {};
  }

  fs::path dir_;
  fs::path out_;
};

TEST_F(FetchTest, DownloadsAndVerifiesChecksum) {
  const std::string body = random_bytes(300 * 1024);
  LoopbackHttpServer server({{"/data.gz", serve_body(body)}});
  const std::string digest = sha256_hex(body);

  const FetchResult result = fetch_to_file({server.url("/data.gz"), digest, out_, {}});

  EXPECT_EQ(result.bytes, body.size());
  EXPECT_EQ(result.sha256, digest);
  EXPECT_EQ(read_file(out_), body);
  EXPECT_EQ(sha256_file_hex(out_), digest);
  EXPECT_EQ(files_in_dir(), std::set<std::string>{out_.filename().string()});
}

TEST_F(FetchTest, AcceptsUpperCaseChecksumAndCreatesParentDirectories) {
  const std::string body = "a,b,c\n1,2,3\n";
  LoopbackHttpServer server({{"/small.csv", serve_body(body)}});
  std::string digest = sha256_hex(body);
  for (char& c : digest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const fs::path nested = dir_ / "raw" / "small.csv";

  const FetchResult result = fetch_to_file({server.url("/small.csv"), digest, nested, {}});

  EXPECT_EQ(result.sha256, sha256_hex(body));
  EXPECT_EQ(read_file(nested), body);
}

TEST_F(FetchTest, WithoutExpectedChecksumStillReportsDigest) {
  const std::string body = "no checksum given";
  LoopbackHttpServer server({{"/x", serve_body(body)}});
  const FetchResult result = fetch_to_file({server.url("/x"), "", out_, {}});
  EXPECT_EQ(result.sha256, sha256_hex(body));
  EXPECT_EQ(read_file(out_), body);
}

TEST_F(FetchTest, FollowsRedirects) {
  const std::string body = random_bytes(10000);
  LoopbackHttpServer server({{"/old", redirect_to("/new")}, {"/new", serve_body(body)}});
  const FetchResult result = fetch_to_file({server.url("/old"), sha256_hex(body), out_, {}});
  EXPECT_EQ(result.bytes, body.size());
  EXPECT_EQ(read_file(out_), body);
}

TEST_F(FetchTest, ChecksumMismatchLeavesNoFile) {
  const std::string body = random_bytes(50000);
  LoopbackHttpServer server({{"/data.gz", serve_body(body)}});
  const std::string wrong = sha256_hex("something else");
  const std::string url = server.url("/data.gz");

  const std::string message = fetch_error<InputError>({url, wrong, out_, {}});

  EXPECT_NE(message.find(url), std::string::npos) << message;
  EXPECT_NE(message.find(wrong), std::string::npos) << message;
  EXPECT_NE(message.find(sha256_hex(body)), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, ChecksumMismatchKeepsExistingFile) {
  write_file_atomically(out_, "previous version");
  LoopbackHttpServer server({{"/data.gz", serve_body(random_bytes(50000))}});

  fetch_error<InputError>({server.url("/data.gz"), sha256_hex("something else"), out_, {}});

  EXPECT_EQ(read_file(out_), "previous version");
  EXPECT_EQ(files_in_dir(), std::set<std::string>{out_.filename().string()});
}

TEST_F(FetchTest, HttpNotFoundNamesUrlAndStatus) {
  LoopbackHttpServer server({});
  const std::string url = server.url("/missing.gz");

  const std::string message = fetch_error<InputError>({url, "", out_, {}});

  EXPECT_NE(message.find("404"), std::string::npos) << message;
  EXPECT_NE(message.find(url), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, ServerErrorIsSystemError) {
  LoopbackHttpServer server({{"/boom", fail_with(503)}});
  const std::string message = fetch_error<SystemError>({server.url("/boom"), "", out_, {}});
  EXPECT_NE(message.find("503"), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, ConnectionRefusedIsSystemError) {
  // Bound but not listening: connections to this port are refused while we hold it.
  const Socket reserved(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int port = bind_loopback(reserved);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/data.gz";

  const std::string message = fetch_error<SystemError>({url, "", out_, {}});

  EXPECT_NE(message.find(url), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, ServerClosingMidBodyLeavesNothingBehind) {
  write_file_atomically(out_, "previous version");
  const std::string body = random_bytes(200000);
  LoopbackHttpServer server({{"/data.gz", drop_midway(body, body.size() / 2)}});

  fetch_error<SystemError>({server.url("/data.gz"), "", out_, {}});

  EXPECT_EQ(read_file(out_), "previous version");
  EXPECT_EQ(files_in_dir(), std::set<std::string>{out_.filename().string()});
}

TEST_F(FetchTest, ProgressCountsIncreaseToTheTotal) {
  const std::string body = random_bytes(1 << 20);
  LoopbackHttpServer server({{"/data.gz", serve_body(body)}});
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
  auto record = [&reports](std::uint64_t received, std::uint64_t total) {
    reports.emplace_back(received, total);
  };

  fetch_to_file({server.url("/data.gz"), sha256_hex(body), out_, record});

  ASSERT_GE(reports.size(), 2u);
  for (std::size_t i = 1; i < reports.size(); ++i)
    EXPECT_GT(reports[i].first, reports[i - 1].first);
  for (const auto& [received, total] : reports) EXPECT_EQ(total, body.size());
  EXPECT_EQ(reports.back().first, body.size());
}

TEST_F(FetchTest, ExceptionFromProgressCallbackPropagatesAndRemovesPartialFile) {
  struct Cancelled : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  const std::string body = random_bytes(1 << 20);
  LoopbackHttpServer server({{"/data.gz", serve_body(body)}});
  auto cancel_midway = [](std::uint64_t received, std::uint64_t) {
    if (received > 0) throw Cancelled("cancelled by the user");
  };

  EXPECT_THROW(fetch_to_file({server.url("/data.gz"), "", out_, cancel_midway}), Cancelled);
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, RejectsMalformedChecksumBeforeConnecting) {
  const std::string message =
      fetch_error<InputError>({"http://127.0.0.1:9/data.gz", "abc123", out_, {}});
  EXPECT_NE(message.find("--sha256"), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST_F(FetchTest, RejectsNonHttpUrl) {
  const std::string message = fetch_error<InputError>({"file:///etc/passwd", "", out_, {}});
  EXPECT_NE(message.find("--url"), std::string::npos) << message;
  EXPECT_TRUE(files_in_dir().empty());
}

TEST(FetchConstants, CovertypeChecksumIsWellFormed) {
  EXPECT_EQ(kCovertypeSha256.size(), 64u);
  EXPECT_TRUE(kCovertypeUrl.starts_with("https://"));
}

TEST(FetchTerminalProgress, PrintsNothingWhenNotATerminal) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  ASSERT_NE(file, nullptr);
  {
    const FetchProgress progress = make_terminal_progress(file.get());
    progress(100, 1000);
    progress(1000, 1000);
  }
  EXPECT_EQ(std::ftell(file.get()), 0);
}

TEST(FetchTerminalProgress, DrawsOneUpdatingLineOnATerminal) {
  // A pseudo-terminal stands in for the user's terminal; its master side shows what was drawn.
  const Socket master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_GE(master.get(), 0);
  ASSERT_EQ(::grantpt(master.get()), 0);
  ASSERT_EQ(::unlockpt(master.get()), 0);
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> terminal(
      std::fopen(::ptsname(master.get()), "w"), &std::fclose);
  ASSERT_NE(terminal, nullptr);

  const FetchProgress progress = make_terminal_progress(terminal.get());
  progress(6'000'000, 12'000'000);
  progress(7'000'000, 12'000'000);  // within 100 ms of the first: skipped
  progress(12'000'000, 12'000'000);

  std::string shown;
  char buffer[1024];
  pollfd readable{master.get(), POLLIN, 0};
  while (::poll(&readable, 1, 200) > 0) {
    const ssize_t n = ::read(master.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    shown.append(buffer, static_cast<std::size_t>(n));
  }
  EXPECT_NE(shown.find("\r  6.0 MB / 12.0 MB  50%"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("7.0 MB"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\r  12.0 MB / 12.0 MB  100%"), std::string::npos) << shown;
  EXPECT_EQ(shown.back(), '\n') << shown;
}

}  // namespace
}  // namespace treeline::data
