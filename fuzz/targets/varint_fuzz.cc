// Fuzz target `varint`: the primitive integer decoders of src/encoding/int.h (varuint, varint,
// length-prefixed bytes, fixed-width zig-zag).
//
// Input: the first byte picks the decoder, the rest is decoded until it runs out or fails.
// Property: every decoded value re-encodes to bytes that decode to the same value, and the
// re-encoding is never longer than what was consumed (the encoder writes the shortest form).
#include <string>
#include <string_view>

#include "encoding/int.h"
#include "fuzz_input.h"
#include "fuzz_target.h"

VME_FUZZ_TARGET(varint) {
  using namespace vme::enc;
  vme::fuzz::Input in(data, size);
  const uint8_t mode = in.U8() % 4;
  std::string_view src = in.Rest();
  std::string re;
  while (!src.empty()) {
    const size_t before = src.size();
    re.clear();
    switch (mode) {
      case 0: {
        uint64_t v;
        if (!ReadVarUint64(&src, &v)) return;
        AppendVarUint64(&re, v);
        std::string_view r(re);
        uint64_t back;
        VME_FUZZ_CHECK(ReadVarUint64(&r, &back) && back == v && r.empty(), "varuint round trip");
        break;
      }
      case 1: {
        int64_t v;
        if (!ReadVarInt64(&src, &v)) return;
        AppendVarInt64(&re, v);
        std::string_view r(re);
        int64_t back;
        VME_FUZZ_CHECK(ReadVarInt64(&r, &back) && back == v && r.empty(), "varint round trip");
        break;
      }
      case 2: {
        std::string_view b;
        if (!ReadBytes(&src, &b)) return;
        AppendBytes(&re, b);
        std::string_view r(re);
        std::string_view back;
        VME_FUZZ_CHECK(ReadBytes(&r, &back) && back == b && r.empty(), "bytes round trip");
        break;
      }
      default: {
        uint64_t u;
        if (!ReadU64(&src, &u)) return;
        const int64_t v = UnZigZag64(u);
        AppendI64zz(&re, v);
        VME_FUZZ_CHECK(LoadI64zz(re.data()) == v && LoadU64(re.data()) == u, "i64zz round trip");
        VME_FUZZ_CHECK(UnZigZag16(ZigZag16(static_cast<int16_t>(v))) == static_cast<int16_t>(v),
                       "i16zz round trip");
        break;
      }
    }
    VME_FUZZ_CHECK(re.size() <= before - src.size(), "re-encoding longer than the input");
  }
}
