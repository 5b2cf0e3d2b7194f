// NearestDelta / NearestDelta2 codecs (VictoriaMetrics marshalInt64NearestDelta in
// lib/encoding/nearest_delta.go, marshalInt64NearestDelta2 in lib/encoding/nearest_delta2.go).
// Payloads are plain varint (zig-zag LEB128) sequences; all arithmetic wraps like Go's int64.
#include "encoding/nearest_delta.h"

#include <bit>
#include <cstring>

#include "encoding/int.h"

namespace vme::enc {
namespace {

inline int64_t Add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t Sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline uint64_t Abs(int64_t x) {
  return x < 0 ? 0 - static_cast<uint64_t>(x) : static_cast<uint64_t>(x);
}
inline int BitLen(int64_t x) { return 64 - std::countl_zero(Abs(x)); }
inline int DecIfNonZero(int x) { return x > 0 ? x - 1 : 0; }

inline size_t PutVarint(char* p, int64_t v) {
  uint64_t u = ZigZag64(v);
  size_t n = 0;
  while (u >= 0x80) {
    p[n++] = static_cast<char>(u | 0x80);
    u >>= 7;
  }
  p[n++] = static_cast<char>(u);
  return n;
}

// Decodes one varint from [*p, end); false on truncation or an over-long encoding.
inline bool GetVarint(const char** p, const char* end, int64_t* v) {
  if (*p < end && static_cast<unsigned char>(**p) < 0x80) {
    *v = UnZigZag64(static_cast<unsigned char>(**p));
    ++*p;
    return true;
  }
  if (end - *p >= 2 && static_cast<unsigned char>((*p)[1]) < 0x80) {
    const uint64_t u = (static_cast<unsigned char>((*p)[0]) & 0x7fu) |
                       (uint64_t{static_cast<unsigned char>((*p)[1])} << 7);
    *v = UnZigZag64(u);
    *p += 2;
    return true;
  }
  uint64_t u;
  const size_t k = DecodeVarUint64(*p, static_cast<size_t>(end - *p), &u);
  if (k == 0) return false;
  *p += k;
  *v = UnZigZag64(u);
  return true;
}

// Appends to dst what `fill(char* out) -> bytes written` writes for count varints, sizing the
// buffer once.
template <typename Fn>
void AppendVarints(std::string* dst, size_t count, Fn&& fill) {
  const size_t old = dst->size();
  dst->resize(old + count * 10);
  char* out = dst->data() + old;
  const size_t written = fill(out);
  dst->resize(old + written);
}

Status Corrupt(const char* what, size_t offset) {
  return Status::Corruption(std::string(what) + " at payload offset " + std::to_string(offset));
}

}  // namespace

int GetTrailingZeros(int64_t x, uint8_t pb) {
  const int bits = BitLen(x);
  return bits > pb ? bits - pb : 0;
}

int64_t NearestDeltaStep(int64_t next, int64_t prev, uint8_t pb, int prev_tz, int* tz) {
  const int64_t d = Sub(next, prev);
  if (d == 0) {
    *tz = DecIfNonZero(prev_tz);
    return 0;
  }
  const int origin_bits = BitLen(next);
  if (origin_bits <= pb) {
    *tz = DecIfNonZero(prev_tz);
    return d;
  }
  const int t = origin_bits - pb;
  if (t > prev_tz + 4) {
    *tz = prev_tz + 2;
    return d;
  }
  if (t + 4 < prev_tz) {
    *tz = prev_tz - 2;
    return d;
  }
  *tz = t;
  const uint64_t mask = t >= 64 ? 0 : ~((uint64_t{1} << t) - 1);
  const uint64_t m = Abs(d) & mask;
  return d < 0 ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
}

int64_t MarshalInt64NearestDelta(std::string* dst, const int64_t* a, size_t n, uint8_t pb) {
  if (n == 0) return 0;
  const int64_t first = a[0];
  AppendVarints(dst, n - 1, [&](char* out) {
    char* p = out;
    int64_t v = first;
    if (pb >= 64) {
      for (size_t i = 1; i < n; i++) {
        p += PutVarint(p, Sub(a[i], v));
        v = a[i];
      }
    } else {
      int tz = GetTrailingZeros(v, pb);
      for (size_t i = 1; i < n; i++) {
        const int64_t d = NearestDeltaStep(a[i], v, pb, tz, &tz);
        v = Add(v, d);
        p += PutVarint(p, d);
      }
    }
    return static_cast<size_t>(p - out);
  });
  return first;
}

int64_t MarshalInt64NearestDelta2(std::string* dst, const int64_t* a, size_t n, uint8_t pb) {
  if (n < 2) return n == 0 ? 0 : a[0];
  const int64_t first = a[0];
  AppendVarints(dst, n - 1, [&](char* out) {
    char* p = out;
    int64_t d1 = Sub(a[1], a[0]);
    p += PutVarint(p, d1);
    int64_t v = a[1];
    if (pb >= 64) {
      for (size_t i = 2; i < n; i++) {
        const int64_t d2 = Sub(Sub(a[i], v), d1);
        d1 = Add(d1, d2);
        v = Add(v, d1);
        p += PutVarint(p, d2);
      }
    } else {
      int tz = GetTrailingZeros(v, pb);
      for (size_t i = 2; i < n; i++) {
        const int64_t d2 = NearestDeltaStep(Sub(a[i], v), d1, pb, tz, &tz);
        d1 = Add(d1, d2);
        v = Add(v, d1);
        p += PutVarint(p, d2);
      }
    }
    return static_cast<size_t>(p - out);
  });
  return first;
}

namespace {

// Varint decoding for the payload loops. Most deltas take one or two bytes: while 8 bytes can
// be loaded, those are decoded from one little-endian load without data-dependent branches;
// longer varints and the last bytes go through GetVarint.
inline uint64_t Load64Le(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

// Decodes varints from [*pp, end) and hands each to add(d) until `count` were handed;
// false on malformed input (then *pp is at the varint that failed).
template <typename Add>
inline bool DecodeVarints(const char** pp, const char* end, size_t count, Add&& add) {
  const char* p = *pp;
  size_t i = 0;
  while (i < count) {
    if (end - p >= 8) {
      const char* const fast_end = end - 8;
      while (i < count && p <= fast_end) {
        const uint64_t w = Load64Le(p);
        const uint64_t c0 = (w >> 7) & 1;                       // the first byte continues
        if (__builtin_expect((c0 & (w >> 15)) != 0, 0)) break;  // three bytes or more
        // Second byte's 7 bits, kept only for a two-byte varint.
        add(UnZigZag64((w & 0x7f) | ((w >> 1) & 0x3f80 & (0 - c0))));
        p += 1 + c0;
        i++;
      }
      if (i == count) break;
    }
    int64_t d;
    if (!GetVarint(&p, end, &d)) {
      *pp = p;
      return false;
    }
    add(d);
    i++;
  }
  *pp = p;
  return true;
}

}  // namespace

Status UnmarshalInt64NearestDeltaTo(int64_t* out, std::string_view src, int64_t first, size_t n) {
  if (n == 0) return Status::Corruption("nearest delta: zero items");
  if (src.size() < n - 1) return Corrupt("nearest delta: payload too short", src.size());
  const char* p = src.data();
  const char* end = p + src.size();
  int64_t v = first;
  out[0] = v;
  int64_t* o = out + 1;
  if (!DecodeVarints(&p, end, n - 1, [&](int64_t d) {
        v = Add(v, d);
        *o++ = v;
      })) {
    return Corrupt("nearest delta: cannot decode delta", static_cast<size_t>(p - src.data()));
  }
  if (p != end) {
    return Corrupt("nearest delta: unexpected trailing data", static_cast<size_t>(p - src.data()));
  }
  return Status::OK();
}

Status UnmarshalInt64NearestDelta2To(int64_t* out, std::string_view src, int64_t first, size_t n) {
  if (n < 2) return Status::Corruption("nearest delta2: fewer than 2 items");
  if (src.size() < n - 1) return Corrupt("nearest delta2: payload too short", src.size());
  const char* p = src.data();
  const char* end = p + src.size();
  int64_t d1;
  if (!GetVarint(&p, end, &d1)) return Corrupt("nearest delta2: cannot decode first delta", 0);
  int64_t v = first;
  out[0] = v;
  v = Add(v, d1);
  out[1] = v;
  int64_t* o = out + 2;
  if (!DecodeVarints(&p, end, n - 2, [&](int64_t d2) {
        d1 = Add(d1, d2);
        v = Add(v, d1);
        *o++ = v;
      })) {
    return Corrupt("nearest delta2: cannot decode delta", static_cast<size_t>(p - src.data()));
  }
  if (p != end) {
    return Corrupt("nearest delta2: unexpected trailing data", static_cast<size_t>(p - src.data()));
  }
  return Status::OK();
}

Status UnmarshalInt64NearestDelta(std::vector<int64_t>* dst, std::string_view src, int64_t first,
                                  size_t n) {
  const size_t base = dst->size();
  dst->resize(base + n);
  Status st = UnmarshalInt64NearestDeltaTo(dst->data() + base, src, first, n);
  if (!st.ok()) dst->resize(base);
  return st;
}

Status UnmarshalInt64NearestDelta2(std::vector<int64_t>* dst, std::string_view src, int64_t first,
                                   size_t n) {
  const size_t base = dst->size();
  dst->resize(base + n);
  Status st = UnmarshalInt64NearestDelta2To(dst->data() + base, src, first, n);
  if (!st.ok()) dst->resize(base);
  return st;
}

}  // namespace vme::enc
