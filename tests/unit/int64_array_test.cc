// Int64 array marshaling and MarshalType selection (VictoriaMetrics 1.72 tests in
// lib/encoding/*_test.go; docs/format.md, "Payloads: MarshalTypes", "blockHeader (89 bytes)").
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "encoding/decimal.h"
#include "encoding/int64_array.h"
#include "test_util.h"

using vme::enc::MarshalType;
using vme::test::Hex;
namespace enc = vme::enc;
namespace dec = vme::dec;

namespace {

using Vec = std::vector<int64_t>;

void CheckPrecisionBits(const Vec& a, const Vec& b, int pb) {
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

// Marshals a (after a prefix), checks type / payload / first, decodes it back (after a
// prefix) and returns the decoded values.
Vec MarshalRoundTrip(const Vec& a, int pb, MarshalType want_type, const char* want_hex = nullptr,
                     bool values = true) {
  std::string b = "xyz";
  int64_t first = 0;
  const MarshalType t = values ? enc::MarshalValues(&b, a.data(), a.size(), pb, &first)
                               : enc::MarshalTimestamps(&b, a.data(), a.size(), pb, &first);
  REQUIRE(b.compare(0, 3, "xyz") == 0);
  const std::string payload = b.substr(3);
  if (t != want_type) {
    FAIL("type: got %d, want %d", static_cast<int>(t), static_cast<int>(want_type));
  }
  if (want_hex != nullptr && Hex(payload) != want_hex) {
    FAIL("payload: got %s, want %s", Hex(payload).c_str(), want_hex);
  }
  Vec out = {99};
  const vme::Status st = values ? enc::UnmarshalValues(&out, payload, t, first, a.size())
                                : enc::UnmarshalTimestamps(&out, payload, t, first, a.size());
  REQUIRE_OK(st);
  REQUIRE_EQ(out.size(), a.size() + 1);
  REQUIRE_EQ(out[0], 99);
  out.erase(out.begin());
  REQUIRE_EQ(first, out[0]);
  if (pb == 64) REQUIRE(out == a);
  return out;
}

uint64_t Bits(double f) {
  uint64_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

// float64 values -> decimal -> MarshalValues -> UnmarshalValues -> float64.
std::vector<double> FloatPipeline(const std::vector<double>& in) {
  Vec m;
  const int16_t scale = dec::AppendFloatToDecimal(&m, in.data(), in.size());
  std::string b;
  int64_t first;
  const MarshalType t = enc::MarshalValues(&b, m.data(), m.size(), 64, &first);
  Vec back;
  REQUIRE_OK(enc::UnmarshalValues(&back, b, t, first, m.size()));
  REQUIRE(back == m);
  std::vector<double> out;
  dec::AppendDecimalToFloat(&out, back.data(), back.size(), scale);
  return out;
}

void CheckFloatPipeline(const std::vector<double>& in, const std::vector<double>& want) {
  const std::vector<double> out = FloatPipeline(in);
  REQUIRE_EQ(out.size(), want.size());
  for (size_t i = 0; i < out.size(); i++) {
    if (Bits(out[i]) != Bits(want[i])) {
      FAIL("item %zu: %.17g came back as %.17g, want %.17g", i, in[i], out[i], want[i]);
    }
  }
}

}  // namespace

static void TestPredicates() {
  auto is_const = [](Vec a) { return enc::IsConst(a.data(), a.size()); };
  auto is_dc = [](Vec a) { return enc::IsDeltaConst(a.data(), a.size()); };
  auto is_gauge = [](Vec a) { return enc::IsGauge(a.data(), a.size()); };
  REQUIRE(!is_const({}));
  REQUIRE(is_const({1}));
  REQUIRE(!is_const({1, 2}));
  REQUIRE(is_const({1, 1}));
  REQUIRE(!is_const({1, 1, 2}));

  REQUIRE(!is_dc({}));
  REQUIRE(!is_dc({1}));
  REQUIRE(is_dc({1, 2}));
  REQUIRE(is_dc({3, 2, 1, 0, -1, -2}));
  REQUIRE(!is_dc({3, 2, 1, 0, -1, -2, 2}));
  REQUIRE(is_dc({1, 1}));
  REQUIRE(!is_dc({1, 2, 1}));
  REQUIRE(is_dc({std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}));

  REQUIRE(!is_gauge({}));
  REQUIRE(!is_gauge({0}));
  REQUIRE(!is_gauge({1, 2}));
  REQUIRE(!is_gauge({0, 1, 2, 3, 4, 5}));
  REQUIRE(is_gauge({0, -1, -2, -3, -4}));
  REQUIRE(!is_gauge({0, 0, 0, 0, 0, 0, 0}));
  REQUIRE(!is_gauge({1, 17, 2, 3}));
  REQUIRE(is_gauge({1, 5, 2, 3}));
  REQUIRE(is_gauge({-1, -5, -2, -3}));
  REQUIRE(is_gauge({5, 6, 4, 3, 2}));
  REQUIRE(is_gauge({1064, 1132, 1083, 1062, 856, 747}));
  // Three resets: a gauge only when resets > len/8.
  REQUIRE(is_gauge({100, 1, 100, 1, 100, 1, 100}));
  Vec many(100);
  for (size_t i = 0; i < many.size(); i++) many[i] = (i % 30) * 100 + 1;
  REQUIRE(!is_gauge(many));  // 3 resets in 100 items

  REQUIRE(enc::IsValidMarshalTypeByte(0));
  REQUIRE(enc::IsValidMarshalTypeByte(6));
  REQUIRE(!enc::IsValidMarshalTypeByte(7));
  REQUIRE_EQ(enc::GetCompressLevel(1), 1);
  REQUIRE_EQ(enc::GetCompressLevel(64), 1);
  REQUIRE_EQ(enc::GetCompressLevel(65), 2);
  REQUIRE_EQ(enc::GetCompressLevel(256), 2);
  REQUIRE_EQ(enc::GetCompressLevel(257), 3);
  REQUIRE_EQ(enc::GetCompressLevel(1024), 3);
  REQUIRE_EQ(enc::GetCompressLevel(1025), 4);
  REQUIRE_EQ(enc::GetCompressLevel(4096), 4);
  REQUIRE_EQ(enc::GetCompressLevel(4097), 5);
  REQUIRE_EQ(enc::GetCompressLevel(8192), 5);
}

static void TestTypeSelection() {
  MarshalRoundTrip({1, 20, 234}, 4, MarshalType::kNearestDelta2);
  MarshalRoundTrip({1, 20, -2345, 678934, 342}, 4, MarshalType::kNearestDelta);
  MarshalRoundTrip({1, 20, 2345, 6789, 12342}, 4, MarshalType::kNearestDelta2);
  MarshalRoundTrip({1}, 4, MarshalType::kConst, "");
  MarshalRoundTrip({1, 2}, 4, MarshalType::kDeltaConst, "02");
  MarshalRoundTrip({-1, 0, 1, 2, 3, 4, 5}, 4, MarshalType::kDeltaConst, "02");
  MarshalRoundTrip({-10, -1, 8, 17, 26}, 4, MarshalType::kDeltaConst, "12");
  MarshalRoundTrip({0, 0, 0, 0, 0, 0}, 4, MarshalType::kConst, "");
  MarshalRoundTrip({100, 100, 100, 100}, 4, MarshalType::kConst, "");
  MarshalRoundTrip({100, 110, 125, 125, 140, 160}, 64, MarshalType::kNearestDelta2, "140a1d1e0a");
  MarshalRoundTrip({10, 7, 12, 3, 9, 11}, 64, MarshalType::kNearestDelta, "050a110c04");
  MarshalRoundTrip({std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}, 64,
                   MarshalType::kDeltaConst, "02");
}

static void TestWorkedExample() {
  MarshalRoundTrip({1000, 2000, 3000, 4000}, 64, MarshalType::kDeltaConst, "d00f", false);
  const std::vector<double> values = {1.5, 2.5, 3.5, 4.5};
  Vec m;
  REQUIRE_EQ(dec::AppendFloatToDecimal(&m, values.data(), values.size()), -1);
  REQUIRE((m == Vec{15, 25, 35, 45}));
  MarshalRoundTrip(m, 64, MarshalType::kDeltaConst, "14");

  const int64_t t0 = 1600000000000;
  MarshalRoundTrip({t0, t0 + 15000, t0 + 30010, t0 + 44990, t0 + 60000}, 64,
                   MarshalType::kNearestDelta2, "b0ea01143b3c", false);
  const std::vector<double> irregular = {0.25, 0.5, 100, -3.75, 12};
  m.clear();
  REQUIRE_EQ(dec::AppendFloatToDecimal(&m, irregular.data(), irregular.size()), -2);
  REQUIRE((m == Vec{25, 50, 10000, -375, 1200}));
  const Vec out = MarshalRoundTrip(m, 64, MarshalType::kNearestDelta, "32bc9b018da201ce18");
  REQUIRE_EQ(out[0], 25);

  // In-memory part example: values 7 and 8 at scale 0 -> DeltaConst 1.
  const std::vector<double> seven = {7, 8};
  m.clear();
  REQUIRE_EQ(dec::AppendFloatToDecimal(&m, seven.data(), seven.size()), 0);
  MarshalRoundTrip(m, 64, MarshalType::kDeltaConst, "02");
}

static void TestEnsureNonDecreasing() {
  const struct {
    Vec in;
    int64_t min, max;
    Vec want;
  } cases[] = {
      {{0, -1, 10, 5, 6, 7}, 2, 8, {2, 2, 8, 8, 8, 8}},
      {{0, -1, 10, 5, 6, 7}, -2, 8, {-2, -1, 8, 8, 8, 8}},
      {{0, -1, 10, 5, 6, 7}, -2, 12, {-2, -1, 10, 10, 10, 12}},
      {{1, 2, 1, 3, 4, 5}, 1, 5, {1, 2, 2, 3, 4, 5}},
      {{123}, -1234, 345, {345}},
  };
  for (const auto& c : cases) {
    Vec a = c.in;
    enc::EnsureNonDecreasingSequence(a.data(), a.size(), c.min, c.max);
    REQUIRE(a == c.want);
  }
  enc::EnsureNonDecreasingSequence(nullptr, 0, 1, 2);
}

static void TestLargeArrays() {
  std::mt19937_64 rng(11);
  Vec gauge, counter, timestamps;
  int64_t g = 0, c = 0, ts = 1600000000000;
  for (int i = 0; i < 8192; i++) {
    g += (static_cast<int64_t>(rng() % 21) - 10) * 1000;
    gauge.push_back(g);
    c += 5000 + static_cast<int64_t>(rng() % 10) * 1000;
    counter.push_back(c);
    ts += 10000 + static_cast<int64_t>(rng() % 5) - 2;
    timestamps.push_back(ts);
  }
  MarshalRoundTrip(gauge, 64, MarshalType::kZstdNearestDelta);
  MarshalRoundTrip(counter, 64, MarshalType::kZstdNearestDelta2);
  MarshalRoundTrip(timestamps, 64, MarshalType::kZstdNearestDelta2, nullptr, false);
  CheckPrecisionBits(gauge, MarshalRoundTrip(gauge, 3, MarshalType::kZstdNearestDelta), 3);
  CheckPrecisionBits(counter, MarshalRoundTrip(counter, 3, MarshalType::kZstdNearestDelta2), 3);
  Vec lossy_ts = MarshalRoundTrip(timestamps, 3, MarshalType::kZstdNearestDelta2, nullptr, false);
  CheckPrecisionBits(timestamps, lossy_ts, 3);
  enc::EnsureNonDecreasingSequence(lossy_ts.data(), lossy_ts.size(), timestamps.front(),
                                   timestamps.back());
  REQUIRE_EQ(lossy_ts.front(), timestamps.front());
  REQUIRE_EQ(lossy_ts.back(), timestamps.back());
  for (size_t i = 1; i < lossy_ts.size(); i++) REQUIRE(lossy_ts[i - 1] <= lossy_ts[i]);

  // Incompressible payloads >= 128 bytes stay raw.
  Vec noise;
  for (int i = 0; i < 300; i++) noise.push_back(static_cast<int64_t>(rng()));
  MarshalRoundTrip(noise, 64, MarshalType::kNearestDelta);
  // Compressible payloads >= 128 bytes at every item count level.
  for (size_t n : {64, 200, 1000, 4000}) {
    Vec a;
    for (size_t i = 0; i < n; i++) a.push_back(static_cast<int64_t>((i * i) % 7) * 1000000000);
    MarshalRoundTrip(a, 64, MarshalType::kZstdNearestDelta);
  }
}

static void TestFloatPipeline() {
  const double inf = std::numeric_limits<double>::infinity();
  const double stale = dec::StaleNaN();
  CheckFloatPipeline({stale, inf, -inf, 0, -0.0}, {stale, inf, -inf, 0, 0});
  CheckFloatPipeline({stale, stale, stale}, {stale, stale, stale});
  CheckFloatPipeline({5e-324}, {0});
  CheckFloatPipeline({1e300}, {1e300});
  CheckFloatPipeline({1e300, 2e300, 3e300}, {1e300, 2e300, 3e300});
  const double two53 = std::ldexp(1, 53);
  CheckFloatPipeline({two53, two53 + 2, two53 + 4}, {two53, two53 + 2, two53 + 4});
  CheckFloatPipeline({3.14, 3.14, 3.14}, {3.14, 3.14, 3.14});
  CheckFloatPipeline({10, 11, 13, 16, 20, 25, 31, 38, 46, 55},
                     {10, 11, 13, 16, 20, 25, 31, 38, 46, 55});
  CheckFloatPipeline({0, 1, 2, 1000, 1e6, 4294967296, two53 - 1, two53, two53 + 2, 5},
                     {0, 1, 2, 1000, 1e6, 4294967296, two53 - 1, two53, two53 + 2, 5});
  std::vector<double> counter;
  for (int i = 0; i < 8192; i++) counter.push_back(1000.5 + i * 0.25);
  CheckFloatPipeline(counter, counter);
}

static void TestMalformed() {
  Vec out = {1, 2, 3};
  const Vec orig = out;
  auto bad = [&](std::string_view payload, int type, int64_t first, size_t n) {
    const vme::Status st =
        enc::UnmarshalValues(&out, payload, static_cast<MarshalType>(type), first, n);
    REQUIRE(!st.ok());
    REQUIRE_EQ(static_cast<int>(st.code()), static_cast<int>(vme::Code::kCorruption));
    REQUIRE(out == orig);
  };
  bad("", 0, 0, 1);
  bad("", 7, 0, 1);
  bad("\x02", 3, 0, 1);
  bad("", 2, 0, 3);
  bad("\x02\x02", 2, 0, 3);
  bad("\x80", 2, 0, 3);
  bad("garbage", 1, 0, 3);
  bad("garbage", 4, 0, 3);
  bad("", 1, 0, 3);

  std::mt19937_64 rng(5);
  Vec a;
  int64_t g = 0;
  for (int i = 0; i < 2000; i++) {
    g += (static_cast<int64_t>(rng() % 21) - 10) * 1000;
    a.push_back(g);
  }
  std::string b;
  int64_t first;
  const MarshalType t = enc::MarshalValues(&b, a.data(), a.size(), 64, &first);
  REQUIRE_EQ(static_cast<int>(t), static_cast<int>(MarshalType::kZstdNearestDelta));
  bad(b, 4, first, a.size() + 1);
  bad(b, 4, first, a.size() - 1);
  bad(std::string_view(b).substr(0, b.size() - 1), 4, first, a.size());
  bad(std::string_view(b).substr(0, b.size() / 2), 4, first, a.size());
  bad(b, 6, first, a.size());

  for (int iter = 0; iter < 3000; iter++) {
    std::string garbage(rng() % 64, '\0');
    for (auto& ch : garbage) ch = static_cast<char>(rng());
    if (iter % 3 == 0 && b.size() > 8) {
      garbage = b;
      for (int k = 0; k < 3; k++) garbage[rng() % garbage.size()] = static_cast<char>(rng());
    }
    Vec o;
    const vme::Status st =
        enc::UnmarshalValues(&o, garbage, static_cast<MarshalType>(rng() % 8), 0, rng() % 3000);
    if (!st.ok()) REQUIRE(o.empty());
  }
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestPredicates),          VME_TEST(TestTypeSelection), VME_TEST(TestWorkedExample),
      VME_TEST(TestEnsureNonDecreasing), VME_TEST(TestLargeArrays),   VME_TEST(TestFloatPipeline),
      VME_TEST(TestMalformed),
  };
  return vme::test::RunTests(tests, argc, argv);
}
