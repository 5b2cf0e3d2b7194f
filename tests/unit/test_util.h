// Helpers shared by the C++ unit tests: temporary directories, hex, and the check macros of
// check.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "check.h"
#include "util/status.h"

namespace vme::test {

inline std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Parses hex, ignoring spaces.
inline std::string Unhex(std::string_view h) {
  std::string out;
  int hi = -1;
  for (char c : h) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      continue;
    if (hi < 0)
      hi = v;
    else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// XORs the byte at `offset` of the file at `path` with 0x5A, in place (the file keeps its inode,
// so open handles see the damage). The offset must be inside the file.
inline void FlipByte(const std::string& path, uint64_t offset) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  REQUIRE(!ec && offset < size, "cannot flip byte %llu of %s (%llu bytes)",
          static_cast<unsigned long long>(offset), path.c_str(),
          static_cast<unsigned long long>(ec ? 0 : size));
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
  REQUIRE(f.good(), "cannot flip byte %llu of %s", static_cast<unsigned long long>(offset),
          path.c_str());
}

// A fresh, empty directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/vmetest.XXXXXX";
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vme::test

// bytes equal the hex string expected_hex (spaces ignored); both are printed as hex.
#define ASSERT_HEX(expected_hex, bytes) \
  REQUIRE_EQ(::vme::test::Hex(::vme::test::Unhex(expected_hex)), ::vme::test::Hex(bytes))
