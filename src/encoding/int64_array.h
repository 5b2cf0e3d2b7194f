// Marshaling of int64 arrays (timestamps and value mantissas) with the MarshalTypes of
// VictoriaMetrics 1.72 lib/encoding/encoding.go (docs/format.md, "Payloads: MarshalTypes"):
//
//   1 ZSTDNearestDelta2  zstd frame of a NearestDelta2 payload
//   2 DeltaConst         varint(a[1] - a[0])
//   3 Const              empty payload
//   4 ZSTDNearestDelta   zstd frame of a NearestDelta payload
//   5 NearestDelta2      varint(a[1]-a[0]) then n-2 varint second differences
//   6 NearestDelta       n-1 varint deltas
//
// The first element is stored outside the payload (blockHeader.MinTimestamp / FirstValue).
// Type choice (VictoriaMetrics marshalInt64Array in lib/encoding/encoding.go): Const, else
// DeltaConst, else gauge -> NearestDelta (pb+2 if pb < 6), counter -> NearestDelta2; payloads >=
// 128 bytes are zstd-compressed at a level chosen by the item count and kept only if compressed <=
// 0.9 x raw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::enc {

enum class MarshalType : uint8_t {
  kZstdNearestDelta2 = 1,
  kDeltaConst = 2,
  kConst = 3,
  kZstdNearestDelta = 4,
  kNearestDelta2 = 5,
  kNearestDelta = 6,
};

// True if t is in 0..6 (the range blockHeader validation accepts; 0 fails at decode time).
bool IsValidMarshalTypeByte(uint8_t t);

// Appends the payload of a (n >= 1) to dst; sets *first to the first (possibly approximated)
// element and returns the chosen type. precision_bits in 1..64.
MarshalType MarshalTimestamps(std::string* dst, const int64_t* a, size_t n, uint8_t precision_bits,
                              int64_t* first);
MarshalType MarshalValues(std::string* dst, const int64_t* a, size_t n, uint8_t precision_bits,
                          int64_t* first);

// Appends n decoded elements to dst. Fails with Corruption on a malformed payload or a count
// mismatch (never reads out of bounds).
Status UnmarshalTimestamps(std::vector<int64_t>* dst, std::string_view payload, MarshalType type,
                           int64_t first, size_t n);
Status UnmarshalValues(std::vector<int64_t>* dst, std::string_view payload, MarshalType type,
                       int64_t first, size_t n);

// The same, writing exactly n elements to out[0..n) (unspecified on error).
Status UnmarshalInt64ArrayTo(int64_t* out, std::string_view payload, MarshalType type,
                             int64_t first, size_t n);

// EnsureNonDecreasingSequence of VictoriaMetrics lib/encoding/encoding.go, applied to timestamps
// decoded with pb < 64.
void EnsureNonDecreasingSequence(int64_t* a, size_t n, int64_t min, int64_t max);

// Exposed for tests (VictoriaMetrics 1.72 tests in lib/encoding/*_test.go).
bool IsConst(const int64_t* a, size_t n);
bool IsDeltaConst(const int64_t* a, size_t n);
bool IsGauge(const int64_t* a, size_t n);
int GetCompressLevel(size_t items);

}  // namespace vme::enc
