// Int64 array marshaling with MarshalType selection (docs/format.md, "Payloads: MarshalTypes").
// Byte layouts of the payloads are described in int64_array.h.
#include "encoding/int64_array.h"

#include <algorithm>

#include "encoding/int.h"
#include "encoding/nearest_delta.h"
#include "encoding/zstd.h"

namespace vme::enc {
namespace {

constexpr size_t kMinCompressibleBlockSize = 128;

inline int64_t Sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t Add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

MarshalType MarshalInt64Array(std::string* dst, const int64_t* a, size_t n, uint8_t pb,
                              int64_t* first) {
  if (n == 0) {
    *first = 0;
    return MarshalType::kConst;
  }
  if (IsConst(a, n)) {
    *first = a[0];
    return MarshalType::kConst;
  }
  if (IsDeltaConst(a, n)) {
    *first = a[0];
    AppendVarInt64(dst, Sub(a[1], a[0]));
    return MarshalType::kDeltaConst;
  }
  const size_t orig = dst->size();
  MarshalType raw_type;
  if (IsGauge(a, n)) {
    raw_type = MarshalType::kNearestDelta;
    *first = MarshalInt64NearestDelta(dst, a, n, pb < 6 ? static_cast<uint8_t>(pb + 2) : pb);
  } else {
    raw_type = MarshalType::kNearestDelta2;
    *first = MarshalInt64NearestDelta2(dst, a, n, pb);
  }
  const size_t raw_size = dst->size() - orig;
  if (raw_size < kMinCompressibleBlockSize) return raw_type;

  thread_local std::string raw;
  raw.assign(dst->data() + orig, raw_size);
  dst->resize(orig);
  CompressZstd(dst, raw, GetCompressLevel(n));
  const size_t compressed_size = dst->size() - orig;
  if (static_cast<double>(compressed_size) > 0.9 * static_cast<double>(raw_size)) {
    dst->resize(orig);
    dst->append(raw);
    return raw_type;
  }
  return raw_type == MarshalType::kNearestDelta ? MarshalType::kZstdNearestDelta
                                                : MarshalType::kZstdNearestDelta2;
}

Status UnmarshalInt64Array(std::vector<int64_t>* dst, std::string_view src, MarshalType type,
                           int64_t first, size_t n) {
  const size_t base = dst->size();
  dst->resize(base + n);
  Status st = UnmarshalInt64ArrayTo(dst->data() + base, src, type, first, n);
  if (!st.ok()) dst->resize(base);
  return st;
}

}  // namespace

bool IsValidMarshalTypeByte(uint8_t t) { return t <= 6; }

bool IsConst(const int64_t* a, size_t n) {
  if (n == 0) return false;
  const int64_t v = a[0];
  for (size_t i = 1; i < n; i++) {
    if (a[i] != v) return false;
  }
  return true;
}

bool IsDeltaConst(const int64_t* a, size_t n) {
  if (n < 2) return false;
  const int64_t d = Sub(a[1], a[0]);
  for (size_t i = 2; i < n; i++) {
    if (Sub(a[i], a[i - 1]) != d) return false;
  }
  return true;
}

bool IsGauge(const int64_t* a, size_t n) {
  if (n < 2) return false;
  if (a[0] < 0) return true;
  size_t resets = 0;
  int64_t prev = a[0];
  for (size_t i = 1; i < n; i++) {
    const int64_t v = a[i];
    if (v < prev) {
      if (v < 0) return true;
      if (v > (prev >> 3)) return true;
      resets++;
    }
    prev = v;
  }
  if (resets <= 2) return false;
  return resets > (n >> 3);
}

int GetCompressLevel(size_t items) {
  if (items <= (1u << 6)) return 1;
  if (items <= (1u << 8)) return 2;
  if (items <= (1u << 10)) return 3;
  if (items <= (1u << 12)) return 4;
  return 5;
}

MarshalType MarshalTimestamps(std::string* dst, const int64_t* a, size_t n, uint8_t precision_bits,
                              int64_t* first) {
  return MarshalInt64Array(dst, a, n, precision_bits, first);
}

MarshalType MarshalValues(std::string* dst, const int64_t* a, size_t n, uint8_t precision_bits,
                          int64_t* first) {
  return MarshalInt64Array(dst, a, n, precision_bits, first);
}

Status UnmarshalTimestamps(std::vector<int64_t>* dst, std::string_view payload, MarshalType type,
                           int64_t first, size_t n) {
  return UnmarshalInt64Array(dst, payload, type, first, n);
}

Status UnmarshalValues(std::vector<int64_t>* dst, std::string_view payload, MarshalType type,
                       int64_t first, size_t n) {
  return UnmarshalInt64Array(dst, payload, type, first, n);
}

void EnsureNonDecreasingSequence(int64_t* a, size_t n, int64_t min, int64_t max) {
  if (n == 0) return;
  a[0] = min;
  int64_t prev = a[0];
  for (size_t i = 1; i < n; i++) {
    if (a[i] < prev) a[i] = prev;
    prev = a[i];
  }
  size_t i = n - 1;
  if (a[i] != max) {
    a[i] = max;
    while (i > 0 && a[i - 1] > max) {
      a[i - 1] = max;
      i--;
    }
  }
}

Status UnmarshalInt64ArrayTo(int64_t* out, std::string_view src, MarshalType type, int64_t first,
                             size_t n) {
  switch (type) {
    case MarshalType::kZstdNearestDelta:
    case MarshalType::kZstdNearestDelta2: {
      thread_local ScratchBuffer buf;
      // A varint takes at most 10 bytes, which bounds a valid payload.
      Status st = DecompressZstdTo(&buf, src, n * 10 + 16);
      if (!st.ok()) return st.WithContext("cannot decompress int64 array payload");
      if (type == MarshalType::kZstdNearestDelta) {
        return UnmarshalInt64NearestDeltaTo(out, buf.view(), first, n);
      }
      return UnmarshalInt64NearestDelta2To(out, buf.view(), first, n);
    }
    case MarshalType::kNearestDelta:
      return UnmarshalInt64NearestDeltaTo(out, src, first, n);
    case MarshalType::kNearestDelta2:
      return UnmarshalInt64NearestDelta2To(out, src, first, n);
    case MarshalType::kConst:
      if (!src.empty()) {
        return Status::Corruption("const int64 array: unexpected " + std::to_string(src.size()) +
                                  " payload bytes at offset 0");
      }
      std::fill(out, out + n, first);
      return Status::OK();
    case MarshalType::kDeltaConst: {
      std::string_view rest = src;
      int64_t d;
      if (!ReadVarInt64(&rest, &d)) {
        return Status::Corruption("delta-const int64 array: cannot decode delta at offset 0");
      }
      if (!rest.empty()) {
        return Status::Corruption("delta-const int64 array: unexpected trailing data at offset " +
                                  std::to_string(src.size() - rest.size()));
      }
      int64_t v = first;
      for (size_t i = 0; i < n; i++) {
        out[i] = v;
        v = Add(v, d);
      }
      return Status::OK();
    }
  }
  return Status::Corruption("unknown int64 array MarshalType " +
                            std::to_string(static_cast<int>(type)));
}

}  // namespace vme::enc
