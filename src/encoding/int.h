// Primitive integer encodings of VictoriaMetrics lib/encoding/int.go (MarshalUint64 /
// MarshalVarInt64).
//
//   u16be/u32be/u64be  unsigned big-endian fixed width
//   i16zz / i64zz      zig-zag ((v << 1) ^ (v >> bits-1)), then big-endian fixed width
//   varuint            unsigned LEB128, 7 bits per byte, low group first, <= 10 bytes
//   varint             zig-zag, then varuint
//   bytes              varuint(len) followed by the raw bytes
//
// Append* functions append to a std::string used as a byte buffer. Read* functions consume
// from the front of a std::string_view and return false on truncated or malformed input
// (never read out of bounds); on false the view is left unspecified.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vme::enc {

inline uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag64(uint64_t u) { return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)); }
inline uint16_t ZigZag16(int16_t v) {
  return static_cast<uint16_t>((static_cast<uint16_t>(v) << 1) ^ static_cast<uint16_t>(v >> 15));
}
inline int16_t UnZigZag16(uint16_t u) {
  return static_cast<int16_t>((u >> 1) ^ static_cast<uint16_t>(~(u & 1) + 1));
}

inline void AppendU16(std::string* dst, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(b, 2);
}
inline void AppendU32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; i++) b[i] = static_cast<char>(v >> (24 - 8 * i));
  dst->append(b, 4);
}
inline void AppendU64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; i++) b[i] = static_cast<char>(v >> (56 - 8 * i));
  dst->append(b, 8);
}
inline void AppendI16zz(std::string* dst, int16_t v) { AppendU16(dst, ZigZag16(v)); }
inline void AppendI64zz(std::string* dst, int64_t v) { AppendU64(dst, ZigZag64(v)); }

inline uint16_t LoadU16(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}
inline uint32_t LoadU32(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
inline uint64_t LoadU64(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | b[i];
  return v;
}
inline int64_t LoadI64zz(const void* p) { return UnZigZag64(LoadU64(p)); }
inline int16_t LoadI16zz(const void* p) { return UnZigZag16(LoadU16(p)); }

inline bool ReadU16(std::string_view* src, uint16_t* v) {
  if (src->size() < 2) return false;
  *v = LoadU16(src->data());
  src->remove_prefix(2);
  return true;
}
inline bool ReadU32(std::string_view* src, uint32_t* v) {
  if (src->size() < 4) return false;
  *v = LoadU32(src->data());
  src->remove_prefix(4);
  return true;
}
inline bool ReadU64(std::string_view* src, uint64_t* v) {
  if (src->size() < 8) return false;
  *v = LoadU64(src->data());
  src->remove_prefix(8);
  return true;
}

inline void AppendVarUint64(std::string* dst, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  dst->append(b, n);
}
inline void AppendVarInt64(std::string* dst, int64_t v) { AppendVarUint64(dst, ZigZag64(v)); }

// Decodes one varuint from p[0..n). Returns the number of bytes used, or 0 on error
// (truncated input or more than 10 bytes).
inline size_t DecodeVarUint64(const char* p, size_t n, uint64_t* v) {
  uint64_t x = 0;
  unsigned shift = 0;
  for (size_t i = 0; i < n && i < 10; i++) {
    const auto b = static_cast<unsigned char>(p[i]);
    x |= uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) {
      *v = x;
      return i + 1;
    }
    shift += 7;
  }
  return 0;
}
inline bool ReadVarUint64(std::string_view* src, uint64_t* v) {
  const size_t k = DecodeVarUint64(src->data(), src->size(), v);
  if (k == 0) return false;
  src->remove_prefix(k);
  return true;
}
inline bool ReadVarInt64(std::string_view* src, int64_t* v) {
  uint64_t u;
  if (!ReadVarUint64(src, &u)) return false;
  *v = UnZigZag64(u);
  return true;
}

inline void AppendBytes(std::string* dst, std::string_view s) {
  AppendVarUint64(dst, s.size());
  dst->append(s);
}
inline bool ReadBytes(std::string_view* src, std::string_view* out) {
  uint64_t n;
  if (!ReadVarUint64(src, &n) || n > src->size()) return false;
  *out = src->substr(0, n);
  src->remove_prefix(n);
  return true;
}

}  // namespace vme::enc
