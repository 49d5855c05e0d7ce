#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace treeline::testing {

// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("treeline-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string shared_data(const std::string& name) {
  return std::string(TREELINE_SOURCE_DIR) + "/../shared/data/" + name;
}
inline std::string sample_data() { return std::string(TREELINE_SOURCE_DIR) + "/data/covertype-sample.csv.gz"; }

// Expects `statement` to throw E whose message contains every one of `parts`.
#define EXPECT_THROW_WITH(statement, E, ...)                                        \
  do {                                                                              \
    try {                                                                           \
      statement;                                                                    \
      ADD_FAILURE() << "expected " #E " from " #statement;                          \
    } catch (const E& e) {                                                          \
      for (const std::string& part : {__VA_ARGS__})                                 \
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)              \
            << "message '" << e.what() << "' lacks '" << part << "'";               \
    }                                                                               \
  } while (0)

}  // namespace treeline::testing
