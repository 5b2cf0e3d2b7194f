// Splitting a fuzz input into fields. Every read succeeds: past the end, numbers read as 0 and
// byte strings as empty, so a short input is still a valid (small) case.
//
// Framing used by targets and by fuzz/build_corpus.py (keep the two in step):
//   u8 / u16be / u32be / u64be   fixed-width fields, big-endian
//   chunk                        u32be length, then that many bytes (clamped to what is left)
//   rest                         everything after the last field
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vme::fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : s_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return s_.empty(); }
  size_t size() const { return s_.size(); }

  uint64_t Uint(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) {
      v <<= 8;
      if (!s_.empty()) {
        v |= static_cast<unsigned char>(s_[0]);
        s_.remove_prefix(1);
      }
    }
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(Uint(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Uint(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Uint(4)); }
  uint64_t U64() { return Uint(8); }
  int64_t I64() { return static_cast<int64_t>(Uint(8)); }

  std::string_view Bytes(size_t n) {
    if (n > s_.size()) n = s_.size();
    std::string_view out = s_.substr(0, n);
    s_.remove_prefix(n);
    return out;
  }
  std::string_view Chunk() { return Bytes(U32()); }
  std::string_view Rest() { return Bytes(s_.size()); }

 private:
  std::string_view s_;
};

}  // namespace vme::fuzz
