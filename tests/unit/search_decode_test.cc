// The decoders of the search path against straightforward reference decoders, on random data:
// nearest-delta payloads (1-, 2- and longer varints, truncated and trailing bytes),
// UnmarshalInt64ArrayTo for every MarshalType, and DecimalToFloat (bit-identical floats,
// specials, every scale).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "encoding/decimal.h"
#include "encoding/int.h"
#include "encoding/int64_array.h"
#include "encoding/nearest_delta.h"

namespace {

using vme::Status;

// Reference: one varint at a time, then the running sum (the decoders before the fast loop).
bool RefNearestDelta(std::string_view src, int64_t first, size_t n, std::vector<int64_t>* out,
                     bool delta2) {
  out->assign(n, 0);
  std::string_view rest = src;
  int64_t v = first;
  (*out)[0] = v;
  int64_t d1 = 0;
  for (size_t i = 1; i < n; i++) {
    int64_t d;
    if (!vme::enc::ReadVarInt64(&rest, &d)) return false;
    if (!delta2) {
      v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(d));
    } else if (i == 1) {
      d1 = d;
      v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(d1));
    } else {
      d1 = static_cast<int64_t>(static_cast<uint64_t>(d1) + static_cast<uint64_t>(d));
      v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(d1));
    }
    (*out)[i] = v;
  }
  return rest.empty();
}

// Random deltas: mostly one- and two-byte varints, some long ones.
std::vector<int64_t> RandomSeries(std::mt19937_64& rng, size_t n) {
  std::vector<int64_t> a(n);
  int64_t v = static_cast<int64_t>(rng());
  const int mode = static_cast<int>(rng() % 4);
  for (size_t i = 0; i < n; i++) {
    int64_t d;
    const uint64_t r = rng() % 100;
    if (mode == 0 || r < 50) {
      d = static_cast<int64_t>(rng() % 129) - 64;  // one byte
    } else if (mode == 1 || r < 90) {
      d = static_cast<int64_t>(rng() % 16385) - 8192;  // up to two bytes
    } else {
      d = static_cast<int64_t>(rng() >> (rng() % 64));  // any length
    }
    v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(d));
    a[i] = v;
  }
  return a;
}

void TestNearestDeltaMatchesReference() {
  std::mt19937_64 rng(42);
  for (int iter = 0; iter < 3000; iter++) {
    const size_t n = 2 + rng() % 300;
    const std::vector<int64_t> a = RandomSeries(rng, n);
    for (bool delta2 : {false, true}) {
      std::string payload;
      const int64_t first = delta2 ? vme::enc::MarshalInt64NearestDelta2(&payload, a.data(), n, 64)
                                   : vme::enc::MarshalInt64NearestDelta(&payload, a.data(), n, 64);
      std::vector<int64_t> want;
      REQUIRE(RefNearestDelta(payload, first, n, &want, delta2));
      REQUIRE(want == a);
      std::vector<int64_t> got(n);
      Status st = delta2 ? vme::enc::UnmarshalInt64NearestDelta2To(got.data(), payload, first, n)
                         : vme::enc::UnmarshalInt64NearestDeltaTo(got.data(), payload, first, n);
      REQUIRE_OK(st);
      REQUIRE(got == a);
      // Damaged payloads: cut short, one byte too many, a continuation bit set at the end.
      std::vector<std::string> bad = {payload.substr(0, payload.size() - 1), payload + "\x01"};
      std::string cont = payload;
      cont.back() = static_cast<char>(cont.back() | 0x80);
      bad.push_back(cont);
      for (const std::string& b : bad) {
        std::vector<int64_t> ref;
        const bool ref_ok = RefNearestDelta(b, first, n, &ref, delta2);
        st = delta2 ? vme::enc::UnmarshalInt64NearestDelta2To(got.data(), b, first, n)
                    : vme::enc::UnmarshalInt64NearestDeltaTo(got.data(), b, first, n);
        REQUIRE_EQ(st.ok(), ref_ok);
        if (ref_ok) REQUIRE(got == ref);
      }
    }
  }
}

void TestInt64ArrayToMatchesVectorDecoder() {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 2000; iter++) {
    const size_t n = 1 + rng() % 2000;
    std::vector<int64_t> a = RandomSeries(rng, n);
    if (iter % 5 == 0) a.assign(n, a[0]);  // Const
    if (iter % 5 == 1)
      for (size_t i = 0; i < n; i++) a[i] = 1000 + 10 * static_cast<int64_t>(i);  // DeltaConst
    const uint8_t pb = iter % 3 == 0 ? static_cast<uint8_t>(1 + rng() % 64) : 64;
    std::string payload;
    int64_t first;
    const vme::enc::MarshalType t = vme::enc::MarshalValues(&payload, a.data(), n, pb, &first);
    std::vector<int64_t> want;
    REQUIRE_OK(vme::enc::UnmarshalValues(&want, payload, t, first, n));
    if (pb == 64) REQUIRE(want == a);
    std::vector<int64_t> got(n);
    REQUIRE_OK(vme::enc::UnmarshalInt64ArrayTo(got.data(), payload, t, first, n));
    REQUIRE(got == want);
  }
}

// Reference: the general loop, one value at a time.
double RefToFloat(int64_t m, int16_t scale) {
  if (vme::dec::IsSpecialMantissa(m)) return vme::dec::ToFloat(m, 0);
  const double f = static_cast<double>(m);
  if (scale < 0) return f / vme::dec::Pow10(static_cast<int16_t>(-scale));
  return f * vme::dec::Pow10(scale);
}

uint64_t Bits(double f) {
  uint64_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

void TestDecimalToFloatIsBitIdentical() {
  std::mt19937_64 rng(99);
  const int16_t scales[] = {0, -1, -2, -3, -7, -12, -18, -20, -300, -330, 1, 2, 5, 17, 300, 400};
  for (int iter = 0; iter < 4000; iter++) {
    const size_t n = 1 + rng() % 300;
    std::vector<int64_t> m(n);
    const int mode = iter % 5;
    for (size_t i = 0; i < n; i++) {
      switch (mode) {
        case 0:  // small, like W1 (values * 100)
          m[i] = static_cast<int64_t>(rng() % 40000) - 20000;
          break;
        case 1:  // near the exact-conversion limit of 2^51
          m[i] = (int64_t{1} << 51) - static_cast<int64_t>(rng() % 3) * ((rng() & 1) ? 1 : -1);
          if (rng() & 1) m[i] = -m[i];
          break;
        case 2:  // anything
          m[i] = static_cast<int64_t>(rng());
          break;
        case 3:  // zeros with an occasional special
          m[i] = rng() % 50 == 0 ? vme::dec::kVStaleNaN : 0;
          break;
        default:  // small with specials
          m[i] = rng() % 20 == 0 ? (rng() & 1 ? vme::dec::kVInfPos : vme::dec::kVInfNeg)
                                 : static_cast<int64_t>(rng() % 1000);
      }
    }
    if (iter % 7 == 0) m.assign(n, 0);
    if (iter % 11 == 0) m.assign(n, 1);
    const int16_t scale = scales[rng() % (sizeof(scales) / sizeof(scales[0]))];
    std::vector<double> got(n);
    vme::dec::DecimalToFloat(got.data(), m.data(), n, scale);
    bool all_zero = true, all_one = scale == 0;
    for (int64_t x : m) {
      all_zero = all_zero && x == 0;
      all_one = all_one && x == 1;
    }
    for (size_t i = 0; i < n; i++) {
      const double want = all_zero ? 0.0 : all_one ? 1.0 : RefToFloat(m[i], scale);
      if (Bits(got[i]) != Bits(want)) {
        FAIL("mantissa %lld scale %d: bits %llx, want %llx", static_cast<long long>(m[i]),
             static_cast<int>(scale), static_cast<unsigned long long>(Bits(got[i])),
             static_cast<unsigned long long>(Bits(want)));
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestNearestDeltaMatchesReference), VME_TEST(TestInt64ArrayToMatchesVectorDecoder),
       VME_TEST(TestDecimalToFloatIsBitIdentical)},
      argc, argv);
}
