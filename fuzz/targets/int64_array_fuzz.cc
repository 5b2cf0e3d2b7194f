// Fuzz target `int64_array`: every int64 array MarshalType of src/encoding/int64_array.h
// (ZSTDNearestDelta2, DeltaConst, Const, ZSTDNearestDelta, NearestDelta2, NearestDelta), as
// blocks store timestamps and value mantissas.
//
// Input: u8 marshal type (0..255; only 1..6 exist), u16be item count (the reader allows at
// most 16384, blockHeader.RowsCount), i64 first item, payload.
// Properties: a payload that decodes gives exactly n items, and the items re-encode (timestamps
// and values, precision 64) to a payload that decodes to the same items.
#include <string>
#include <vector>

#include "encoding/int64_array.h"
#include "fuzz_input.h"
#include "fuzz_target.h"

VME_FUZZ_TARGET(int64_array) {
  using namespace vme::enc;
  vme::fuzz::Input in(data, size);
  const auto type = static_cast<MarshalType>(in.U8());
  const size_t n = in.U16() % 16385;
  const int64_t first = in.I64();
  const std::string_view payload = in.Rest();
  std::vector<int64_t> a;
  if (!UnmarshalValues(&a, payload, type, first, n).ok()) return;
  VME_FUZZ_CHECK(a.size() == n, "decoded item count");
  VME_FUZZ_CHECK(IsValidMarshalTypeByte(static_cast<uint8_t>(type)), "unknown type decoded");
  if (n == 0) return;
  for (bool timestamps : {false, true}) {
    std::string re;
    int64_t first2;
    const MarshalType t2 = timestamps ? MarshalTimestamps(&re, a.data(), n, 64, &first2)
                                      : MarshalValues(&re, a.data(), n, 64, &first2);
    std::vector<int64_t> b;
    const vme::Status st = timestamps ? UnmarshalTimestamps(&b, re, t2, first2, n)
                                      : UnmarshalValues(&b, re, t2, first2, n);
    VME_FUZZ_CHECK(st.ok(), "re-encoded payload does not decode");
    VME_FUZZ_CHECK(a == b, "decode(encode(decode(x))) differs");
  }
}
