#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace treeline {

// Incremental SHA-256 over OpenSSL's EVP interface; hex digests, lower case.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  std::string hex_digest();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

std::string sha256_hex(std::string_view bytes);
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace treeline
