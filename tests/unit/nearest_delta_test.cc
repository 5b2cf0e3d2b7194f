// NearestDelta / NearestDelta2 codecs (VictoriaMetrics marshalInt64NearestDelta in
// lib/encoding/nearest_delta.go, marshalInt64NearestDelta2 in lib/encoding/nearest_delta2.go, tests
// in lib/encoding/*_test.go).
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "encoding/nearest_delta.h"
#include "test_util.h"

using vme::test::Hex;
namespace enc = vme::enc;

namespace {

// The precision check of the upstream tests: the decoded value b of a must differ from it
// by less than |a| * 2^-(pb-1).
void CheckPrecisionBits(const std::vector<int64_t>& a, const std::vector<int64_t>& b, int pb) {
  REQUIRE_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i++) {
    int64_t av = a[i], bv = b[i];
    if (av < bv) std::swap(av, bv);
    const int64_t eps = av - bv;
    if (eps == 0) continue;
    if (av < 0) av = -av;
    int pbe = 1;
    while (eps < av) {
      av >>= 1;
      pbe++;
    }
    if (pbe < pb) {
      FAIL("item %zu: %lld decoded as %lld: %d precision bits, want %d", i,
           static_cast<long long>(a[i]), static_cast<long long>(b[i]), pbe, pb);
    }
  }
}

// Marshals a with one codec (after a "pre" prefix that must stay), compares the payload
// with want_hex, and checks the round trip (exact at pb 64, else within the precision bound).
template <typename Marshal, typename Unmarshal>
void CheckCodec(const char* name, Marshal marshal, Unmarshal unmarshal,
                const std::vector<int64_t>& a, int pb, const char* want_hex) {
  std::string b = "pre";
  const int64_t first = marshal(&b, a.data(), a.size(), pb);
  REQUIRE_EQ(first, a[0]);
  REQUIRE(b.compare(0, 3, "pre") == 0);
  const std::string payload = b.substr(3);
  if (Hex(payload) != want_hex) {
    FAIL("%s pb=%d: got %s, want %s", name, pb, Hex(payload).c_str(), want_hex);
  }
  std::vector<int64_t> out = {-7};
  REQUIRE_OK(unmarshal(&out, payload, first, a.size()));
  REQUIRE_EQ(out.size(), a.size() + 1);
  REQUIRE_EQ(out[0], -7);
  out.erase(out.begin());
  if (pb == 64) {
    REQUIRE(out == a);
  } else {
    CheckPrecisionBits(a, out, pb);
  }
}

void CheckDelta(const std::vector<int64_t>& a, int pb, const char* want_hex) {
  CheckCodec("NearestDelta", enc::MarshalInt64NearestDelta, enc::UnmarshalInt64NearestDelta, a, pb,
             want_hex);
}

void CheckDelta2(const std::vector<int64_t>& a, int pb, const char* want_hex) {
  CheckCodec("NearestDelta2", enc::MarshalInt64NearestDelta2, enc::UnmarshalInt64NearestDelta2, a,
             pb, want_hex);
}

void CheckStep(int64_t next, int64_t prev, int pb, int64_t want_d, int want_tz) {
  int tz = -1;
  const int prev_tz = enc::GetTrailingZeros(prev, pb);
  const int64_t d = enc::NearestDeltaStep(next, prev, pb, prev_tz, &tz);
  if (d != want_d || tz != want_tz) {
    FAIL("nearestDelta(%lld, %lld, %d): got (%lld, %d), want (%lld, %d)",
         static_cast<long long>(next), static_cast<long long>(prev), pb, static_cast<long long>(d),
         tz, static_cast<long long>(want_d), want_tz);
  }
}

}  // namespace

static void TestNearestDeltaPayloads() {
  CheckDelta({0}, 4, "");
  CheckDelta({0, 0}, 4, "00");
  CheckDelta({1, -3}, 4, "07");
  CheckDelta({255, 255}, 4, "00");
  CheckDelta({0, 1, 2, 3, 4, 5}, 4, "0202020202");
  const std::vector<int64_t> down = {5, 4, 3, 2, 1, 0};
  CheckDelta(down, 1, "0003000301");
  CheckDelta(down, 2, "0003010101");
  CheckDelta(down, 3, "0101010101");
  CheckDelta(down, 4, "0101010101");
  const std::vector<int64_t> neg = {-500, -600, -700, -800, -890};
  const char* want[] = {"00000000",         "0000ff0300",       "00ff01ff01ff01",
                        "7fff017fff01",     "bf01bf01bf01bf01", "bf01bf01bf01bf01",
                        "bf01cf01bf01af01", "c701c701c701af01"};
  for (int pb = 1; pb <= 8; pb++) CheckDelta(neg, pb, want[pb - 1]);
  CheckDelta({10, 7, 12, 3, 9, 11}, 64, "050a110c04");
}

static void TestNearestDelta2Payloads() {
  CheckDelta2({0, 0}, 4, "00");
  CheckDelta2({1, -3}, 4, "07");
  CheckDelta2({255, 255}, 4, "00");
  CheckDelta2({0, 1, 2, 3, 4, 5}, 4, "0200000000");
  CheckDelta2({5, 4, 3, 2, 1, 0}, 4, "0100000000");
  const std::vector<int64_t> neg = {-5000, -6000, -7000, -8000, -8900};
  const char* want[] = {"cf0f000000",   "cf0f000000",   "cf0f000000",   "cf0f00008001",
                        "cf0f0000c001", "cf0f0000c001", "cf0f0000c001", "cf0f0000c801"};
  for (int pb = 1; pb <= 8; pb++) CheckDelta2(neg, pb, want[pb - 1]);
  CheckDelta2({100, 110, 125, 125, 140, 160}, 64, "140a1d1e0a");
  CheckDelta2({1600000000000, 1600000015000, 1600000030010, 1600000044990, 1600000060000}, 64,
              "b0ea01143b3c");
}

static void TestNearestDeltaStep() {
  CheckStep(100, 100, 4, 0, 2);
  CheckStep(123456, 123456, 4, 0, 12);
  CheckStep(9876543210, 9876543210, 4, 0, 29);
  CheckStep(1, 2, 3, -1, 0);
  CheckStep(2, 3, 1, 0, 1);
  CheckStep(8, 0, 3, 8, 1);
  CheckStep(9, 0, 3, 8, 1);
  CheckStep(15, 0, 3, 14, 1);
  CheckStep(16, 0, 3, 16, 2);
  CheckStep(18, 0, 3, 16, 2);
  CheckStep(0, 59, 6, -59, 0);
  const int64_t d128[] = {0, 0, 0, 0, 0, 4, 6, 7};
  for (int pb = 1; pb <= 8; pb++) CheckStep(128, 121, pb, d128[pb - 1], 8 - pb);
  CheckStep(32, 37, 4, -4, 2);
  CheckStep(32, 37, 6, -5, 0);
  const int64_t dneg[] = {-24, -28, -30, -30};
  for (int pb = 1; pb <= 4; pb++) CheckStep(-10, 20, pb, dneg[pb - 1], 4 - pb);
  CheckStep(10, -20, 1, 24, 3);
  CheckStep(1234000000000000, 1235000000000000, 35, -999999995904, 16);
  CheckStep(std::numeric_limits<int64_t>::max(), 0, 1, std::numeric_limits<int64_t>::max(), 2);
  // Wrap-around extremes must not trap (UBSan).
  int tz;
  enc::NearestDeltaStep(std::numeric_limits<int64_t>::min(), 1, 3, 0, &tz);
  enc::NearestDeltaStep(std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 3,
                        60, &tz);
  REQUIRE_EQ(enc::GetTrailingZeros(std::numeric_limits<int64_t>::min(), 3), 61);
  REQUIRE_EQ(enc::GetTrailingZeros(0, 3), 0);
  REQUIRE_EQ(enc::GetTrailingZeros(-255, 4), 4);
}

static void TestRandomRoundTrips() {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> norm;
  std::vector<int64_t> gauge, counter, extremes;
  int64_t g = 0, c = 0;
  for (int i = 0; i < 8192; i++) {
    g += static_cast<int64_t>(norm(rng) * 1e6);
    gauge.push_back(g);
    c += static_cast<int64_t>(std::abs(norm(rng)) * 1e6);
    counter.push_back(c);
    extremes.push_back(static_cast<int64_t>(rng()));
  }
  for (int pb : {1, 3, 8, 20, 63, 64}) {
    for (const auto* a : {&gauge, &counter, &extremes}) {
      std::string b;
      const int64_t first = enc::MarshalInt64NearestDelta(&b, a->data(), a->size(), pb);
      std::vector<int64_t> out;
      REQUIRE_OK(enc::UnmarshalInt64NearestDelta(&out, b, first, a->size()));
      if (pb == 64) REQUIRE(out == *a);
      if (a != &extremes) CheckPrecisionBits(*a, out, pb);

      std::string b2;
      const int64_t first2 = enc::MarshalInt64NearestDelta2(&b2, a->data(), a->size(), pb);
      std::vector<int64_t> out2;
      REQUIRE_OK(enc::UnmarshalInt64NearestDelta2(&out2, b2, first2, a->size()));
      if (pb == 64) REQUIRE(out2 == *a);
      if (a == &counter) CheckPrecisionBits(*a, out2, pb);
    }
  }
}

static void TestMalformed() {
  std::vector<int64_t> out = {1, 2};
  // Count mismatches, truncation, trailing data, over-long varints.
  REQUIRE(!enc::UnmarshalInt64NearestDelta(&out, "", 0, 0).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta(&out, "\x02", 0, 1).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta(&out, "\x02", 0, 3).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta(&out, "\x02\x80", 0, 3).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta(&out, std::string(11, '\x80') + "\x01", 0, 2).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, "", 0, 1).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, "", 0, 2).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, "\x02\x02", 0, 2).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, "\x02\x02", 0, 4).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, "\x82", 0, 2).ok());
  REQUIRE(!enc::UnmarshalInt64NearestDelta2(&out, std::string(10, '\xff'), 0, 2).ok());
  REQUIRE((out == std::vector<int64_t>{1, 2}));
  REQUIRE_OK(enc::UnmarshalInt64NearestDelta(&out, "", 5, 1));
  REQUIRE_OK(enc::UnmarshalInt64NearestDelta2(&out, "\x01", 5, 2));
  REQUIRE((out == std::vector<int64_t>{1, 2, 5, 5, 4}));

  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 2000; iter++) {
    std::string garbage(rng() % 40, '\0');
    for (auto& ch : garbage) ch = static_cast<char>(rng());
    const size_t n = rng() % 50;
    std::vector<int64_t> o;
    enc::UnmarshalInt64NearestDelta(&o, garbage, 0, n).IgnoreError();
    enc::UnmarshalInt64NearestDelta2(&o, garbage, 0, n).IgnoreError();
  }
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestNearestDeltaPayloads),
      VME_TEST(TestNearestDelta2Payloads),
      VME_TEST(TestNearestDeltaStep),
      VME_TEST(TestRandomRoundTrips),
      VME_TEST(TestMalformed),
  };
  return vme::test::RunTests(tests, argc, argv);
}
