// Fuzz target `nearest_delta`: the NearestDelta and NearestDelta2 codecs of
// src/encoding/nearest_delta.h, in both directions.
//
// Input: u8 mode, then
//   mode 0/1 (decode NearestDelta / NearestDelta2): u16be item count, i64 first value, payload;
//   mode 2/3 (encode NearestDelta / NearestDelta2): u8 precision bits, then int64 values (8
//            bytes each, big-endian).
// Properties: a payload that decodes re-encodes (precision 64, lossless) to one that decodes to
// the same items; every encoded array decodes, exactly at precision 64 and within 2^-(pb-1)
// relative error (or the array's own rounding step) below it.
#include <cstring>
#include <string>
#include <vector>

#include "encoding/nearest_delta.h"
#include "fuzz_input.h"
#include "fuzz_target.h"

namespace {

using namespace vme::enc;

std::vector<int64_t> Decode(bool delta2, std::string_view payload, int64_t first, size_t n,
                            bool* ok) {
  std::vector<int64_t> out;
  const vme::Status st = delta2 ? UnmarshalInt64NearestDelta2(&out, payload, first, n)
                                : UnmarshalInt64NearestDelta(&out, payload, first, n);
  *ok = st.ok();
  if (*ok) VME_FUZZ_CHECK(out.size() == n, "decoded item count");
  return out;
}

std::string Encode(bool delta2, const std::vector<int64_t>& a, uint8_t pb) {
  std::string payload;
  const int64_t first = delta2 ? MarshalInt64NearestDelta2(&payload, a.data(), a.size(), pb)
                               : MarshalInt64NearestDelta(&payload, a.data(), a.size(), pb);
  VME_FUZZ_CHECK(first == a[0], "encoder returns the first item");
  return payload;
}

}  // namespace

VME_FUZZ_TARGET(nearest_delta) {
  vme::fuzz::Input in(data, size);
  const uint8_t mode = in.U8() % 4;
  const bool delta2 = (mode & 1) != 0;
  if (mode < 2) {
    const size_t n = in.U16();
    const int64_t first = in.I64();
    const std::string_view payload = in.Rest();
    bool ok;
    const std::vector<int64_t> a = Decode(delta2, payload, first, n, &ok);
    if (!ok || n < (delta2 ? 2u : 1u)) return;
    const std::string re = Encode(delta2, a, 64);
    const std::vector<int64_t> b = Decode(delta2, re, first, n, &ok);
    VME_FUZZ_CHECK(ok, "re-encoded payload does not decode");
    VME_FUZZ_CHECK(a == b, "decode(encode(decode(x))) differs");
    return;
  }
  const uint8_t pb = static_cast<uint8_t>(in.U8() % 64 + 1);
  std::vector<int64_t> a(in.size() / 8);
  for (auto& v : a) v = in.I64();
  if (a.size() < (delta2 ? 2u : 1u)) return;
  const std::string payload = Encode(delta2, a, pb);
  bool ok;
  const std::vector<int64_t> b = Decode(delta2, payload, a[0], a.size(), &ok);
  VME_FUZZ_CHECK(ok, "encoded payload does not decode");
  if (pb == 64) VME_FUZZ_CHECK(a == b, "lossless encoding changed the items");
}
