// Fuzz target `decimal`: the float64 <-> decimal conversions of src/encoding/decimal.h that
// every value block goes through (AppendFloatToDecimal on write, DecimalToFloat on read,
// CalibrateScale in merges).
//
// Input: u8 mode, then
//   mode 0 (float block): float64 values (8 bytes each, big-endian bit patterns);
//   mode 1 (decimal block): i16 scale (u16be), int64 mantissas;
//   mode 2 (calibrate): u16be count of a, i16 scale of a, i16 scale of b, the mantissas of a,
//          then those of b.
// Properties: one value converts back within 1e-12 relative error (+-Inf and stale NaN
// exactly); a block keeps its length and its special values; CalibrateScale keeps both arrays'
// lengths and returns a scale it gave to both.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "encoding/decimal.h"
#include "fuzz_input.h"
#include "fuzz_target.h"

namespace {

namespace dec = vme::dec;

double FromBits(uint64_t bits) {
  double f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

std::vector<int64_t> Mantissas(vme::fuzz::Input* in, size_t n) {
  std::vector<int64_t> m(n);
  for (auto& v : m) v = in->I64();
  return m;
}

}  // namespace

VME_FUZZ_TARGET(decimal) {
  vme::fuzz::Input in(data, size);
  const uint8_t mode = in.U8() % 3;
  if (mode == 0) {
    std::vector<double> values;
    while (in.size() >= 8) {
      const double f = FromBits(in.U64());
      if (std::isnan(f) && !dec::IsStaleNaN(f)) continue;  // plain NaN is dropped before
      values.push_back(f);
      int64_t v;
      int16_t e;
      dec::FromFloat(f, &v, &e);
      const double back = dec::ToFloat(v, e);
      if (std::isinf(f) || dec::IsStaleNaN(f)) {
        VME_FUZZ_CHECK(std::memcmp(&back, &f, 8) == 0, "special value changed");
      } else if (std::fabs(f) >= 1e-280 && std::fabs(f) <= 1e300) {
        if (!(std::fabs(f - back) * 1e12 <= std::fabs(f) + std::fabs(back))) {
          std::fprintf(stderr, "decimal: %.17g -> (%lld, %d) -> %.17g\n", f,
                       static_cast<long long>(v), e, back);
        }
        VME_FUZZ_CHECK(std::fabs(f - back) * 1e12 <= std::fabs(f) + std::fabs(back),
                       "one-value round trip beyond 1e-12 relative error");
      }
    }
    std::vector<int64_t> m;
    const int16_t scale = dec::AppendFloatToDecimal(&m, values.data(), values.size());
    VME_FUZZ_CHECK(m.size() == values.size(), "mantissa count");
    std::vector<double> back;
    dec::AppendDecimalToFloat(&back, m.data(), m.size(), scale);
    VME_FUZZ_CHECK(back.size() == values.size(), "float count");
    for (size_t i = 0; i < values.size(); i++) {
      if (dec::IsStaleNaN(values[i])) VME_FUZZ_CHECK(dec::IsStaleNaN(back[i]), "stale NaN lost");
      if (std::isinf(values[i])) VME_FUZZ_CHECK(back[i] == values[i], "infinity changed");
    }
    return;
  }
  if (mode == 1) {
    const auto scale = static_cast<int16_t>(in.U16());
    const std::vector<int64_t> m = Mantissas(&in, in.size() / 8);
    std::vector<double> out(m.size());
    dec::DecimalToFloat(out.data(), m.data(), m.size(), scale);
    for (size_t i = 0; i < m.size(); i++) {
      if (m[i] == dec::kVInfPos) VME_FUZZ_CHECK(out[i] == INFINITY, "+Inf mantissa");
      if (m[i] == dec::kVInfNeg) VME_FUZZ_CHECK(out[i] == -INFINITY, "-Inf mantissa");
      if (m[i] == dec::kVStaleNaN) VME_FUZZ_CHECK(dec::IsStaleNaN(out[i]), "stale NaN mantissa");
    }
    return;
  }
  const size_t na = in.U16();
  const auto ae = static_cast<int16_t>(in.U16());
  const auto be = static_cast<int16_t>(in.U16());
  std::vector<int64_t> a = Mantissas(&in, std::min(na, in.size() / 8));
  std::vector<int64_t> b = Mantissas(&in, in.size() / 8);
  const size_t a_size = a.size(), b_size = b.size();
  dec::CalibrateScale(&a, ae, &b, be);
  VME_FUZZ_CHECK(a.size() == a_size && b.size() == b_size, "CalibrateScale changed a length");
}
