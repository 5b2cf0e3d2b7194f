// NearestDelta (gauges) and NearestDelta2 (counters) codecs of VictoriaMetrics 1.72
// lib/encoding/nearest_delta.go and nearest_delta2.go (VictoriaMetrics marshalInt64NearestDelta,
// marshalInt64NearestDelta2).
//
// NearestDelta payload:  (n-1) x varint delta_i, first value stored outside.
// NearestDelta2 payload: varint(a[1]-a[0]) then (n-2) x varint second differences.
// With precision_bits < 64 the deltas are rounded so that decoding yields an approximation
// within a relative error of 2^-precision_bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vme::enc {

// Both append the payload to dst and return the first element (a[0]). n >= 1 (NearestDelta)
// or n >= 2 (NearestDelta2).
int64_t MarshalInt64NearestDelta(std::string* dst, const int64_t* a, size_t n, uint8_t pb);
int64_t MarshalInt64NearestDelta2(std::string* dst, const int64_t* a, size_t n, uint8_t pb);

Status UnmarshalInt64NearestDelta(std::vector<int64_t>* dst, std::string_view src, int64_t first,
                                  size_t n);
Status UnmarshalInt64NearestDelta2(std::vector<int64_t>* dst, std::string_view src, int64_t first,
                                   size_t n);
// The same, writing exactly n elements to out[0..n) (left unspecified on error).
Status UnmarshalInt64NearestDeltaTo(int64_t* out, std::string_view src, int64_t first, size_t n);
Status UnmarshalInt64NearestDelta2To(int64_t* out, std::string_view src, int64_t first, size_t n);

// nearestDelta(next, prev, pb, prevTZ) -> (delta, tz) and getTrailingZeros, for tests.
int64_t NearestDeltaStep(int64_t next, int64_t prev, uint8_t pb, int prev_tz, int* tz);
int GetTrailingZeros(int64_t x, uint8_t pb);

}  // namespace vme::enc
