// Decimal conversion (VictoriaMetrics decimal.AppendFloatToDecimal in lib/decimal/decimal.go, tests
// in lib/decimal/decimal_test.go, golden facts of testdata/vm172/special).
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "encoding/decimal.h"
#include "test_util.h"

namespace dec = vme::dec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

uint64_t Bits(double f) {
  uint64_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}
double FromBits(uint64_t b) {
  double f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

void CheckFromFloat(double f, int64_t v, int e) {
  int64_t gv;
  int16_t ge;
  dec::FromFloat(f, &gv, &ge);
  if (gv != v || ge != e) {
    FAIL("FromFloat(%.17g): got (%lld, %d), want (%lld, %d)", f, static_cast<long long>(gv), ge,
         static_cast<long long>(v), e);
  }
}

void CheckPositive(double f, int64_t v, int e) {
  int64_t gv;
  int16_t ge;
  dec::PositiveFloatToDecimal(f, &gv, &ge);
  if (gv != v || ge != e) {
    FAIL("positiveFloatToDecimal(%.17g): got (%lld, %d), want (%lld, %d)", f,
         static_cast<long long>(gv), ge, static_cast<long long>(v), e);
  }
}

std::string Join(const std::vector<int64_t>& a) {
  std::string s = "[";
  for (size_t i = 0; i < a.size(); i++) {
    if (i) s += ",";
    s += std::to_string(a[i]);
  }
  return s + "]";
}

void CheckAppendFloat(const std::vector<double>& in, const std::vector<int64_t>& want,
                      int want_scale) {
  std::vector<int64_t> got = {42};
  const int16_t scale = dec::AppendFloatToDecimal(&got, in.data(), in.size());
  REQUIRE_EQ(got[0], 42);
  got.erase(got.begin());
  if (got != want || scale != want_scale) {
    FAIL("AppendFloatToDecimal: got %s scale %d, want %s scale %d", Join(got).c_str(), scale,
         Join(want).c_str(), want_scale);
  }
}

void CheckFloatBits(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); i++) {
    if (Bits(got[i]) != Bits(want[i])) {
      FAIL("item %zu: got %.17g (%016llx), want %.17g (%016llx)", i, got[i],
           static_cast<unsigned long long>(Bits(got[i])), want[i],
           static_cast<unsigned long long>(Bits(want[i])));
    }
  }
}

std::vector<double> BlockRoundTrip(const std::vector<double>& in) {
  std::vector<int64_t> m;
  const int16_t scale = dec::AppendFloatToDecimal(&m, in.data(), in.size());
  std::vector<double> out;
  dec::AppendDecimalToFloat(&out, m.data(), m.size(), scale);
  return out;
}

}  // namespace

static void TestPow10() {
  for (int n = -323; n <= 308; n++) {
    const double want = std::strtod(("1e" + std::to_string(n)).c_str(), nullptr);
    const double got = dec::Pow10(n);
    // Go's table product may differ from the correctly rounded literal by one ulp at most.
    REQUIRE(std::fabs(got - want) <= std::fabs(want) * 4e-16);
  }
  REQUIRE(dec::Pow10(0) == 1);
  REQUIRE(dec::Pow10(22) == 1e22);
  REQUIRE(dec::Pow10(309) == kInf);
  REQUIRE(dec::Pow10(-324) == 0);
  REQUIRE(dec::Pow10(-32768) == 0);
  REQUIRE(dec::Pow10(32767) == kInf);
}

static void TestStaleNaN() {
  const double s = dec::StaleNaN();
  REQUIRE(Bits(s) == 0x7ff0000000000002ULL);
  REQUIRE(dec::IsStaleNaN(s));
  REQUIRE(!dec::IsStaleNaN(std::nan("")));
  REQUIRE(!dec::IsStaleNaN(kInf));
  REQUIRE(dec::IsSpecialMantissa(kMax));
  REQUIRE(dec::IsSpecialMantissa(kMin));
  REQUIRE(dec::IsSpecialMantissa(kMax - 1));
  REQUIRE(!dec::IsSpecialMantissa(kMax - 2));
  REQUIRE(!dec::IsSpecialMantissa(kMin + 1));
}

static void TestFromFloat() {
  CheckFromFloat(0, 0, 0);
  CheckFromFloat(-0.0, 0, 0);
  CheckFromFloat(1, 1, 0);
  CheckFromFloat(-1, -1, 0);
  CheckFromFloat(0.9, 9, -1);
  CheckFromFloat(0.99, 99, -2);
  CheckFromFloat(20, 2, 1);
  CheckFromFloat(100, 1, 2);
  CheckFromFloat(3000, 3, 3);
  CheckFromFloat(0.123, 123, -3);
  CheckFromFloat(-1.2345, -12345, -4);
  CheckFromFloat(12000, 12, 3);
  CheckFromFloat(1e-30, 1, -30);
  CheckFromFloat(1e-260, 1, -260);
  CheckFromFloat(321e260, 321, 260);
  CheckFromFloat(1234567890123, 1234567890123, 0);
  CheckFromFloat(123e5, 123, 5);
  CheckFromFloat(15e18, 15, 18);
  CheckFromFloat(kInf, kMax, 0);
  CheckFromFloat(-kInf, kMin, 0);
  CheckFromFloat(dec::StaleNaN(), kMax - 1, 0);
  CheckFromFloat(static_cast<double>(kMax), 9223372036854775, 3);
  CheckFromFloat(static_cast<double>(kMin), -9223372036854775, 3);
  CheckFromFloat(0.1234567890123456, 12345678901234, -14);
  CheckFromFloat(-123456.7890123456, -12345678901234, -8);
  CheckFromFloat(0.1, 1, -1);
  CheckFromFloat(3.14159, 314159, -5);
  CheckFromFloat(1000000.5, 10000005, -1);
  CheckFromFloat(1.7976931348623157e308, 1797693134862315, 293);
  CheckFromFloat(5e-324, 494065645841, -335);
  CheckFromFloat(100.25, 10025, -2);
  CheckFromFloat(6.55e-8, 655, -10);
  // Plain NaN is garbage (vMin, 0) as on amd64; it must at least not crash.
  CheckFromFloat(std::nan(""), kMin + 1, 0);
}

static void TestPositiveFloatToDecimal() {
  CheckPositive(30, 3, 1);
  CheckPositive(12345678900000000, 123456789, 8);
  CheckPositive(12345678901234567, 12345678901234568, 0);
  CheckPositive(1234567890123456789, 12345678901234567, 2);
  CheckPositive(12345678901234567890.0, 12345678901234567, 3);
  CheckPositive(18446744073670737131.0, 18446744073670737, 3);
  CheckPositive(123456789012345678901.0, 12345678901234568, 4);
  CheckPositive(std::ldexp(1, 53), int64_t{1} << 53, 0);
  CheckPositive(std::ldexp(1, 54), 18014398509481984, 0);
  CheckPositive(std::ldexp(1, 55), 3602879701896396, 1);
  CheckPositive(std::ldexp(1, 62), 4611686018427387, 3);
  CheckPositive(std::ldexp(1, 63), 9223372036854775, 3);
  CheckPositive(std::ldexp(1, 65), 368934881474191, 5);
  CheckPositive(std::ldexp(1, 66), 737869762948382, 5);
  CheckPositive(std::ldexp(1, 67), 1475739525896764, 5);
  CheckPositive(123456789012345678e-5, 12345678901234568, -4);
  CheckPositive(1234567890123456789e-10, 12345678901234568, -8);
  CheckPositive(1234567890123456789e-14, 1234567890123, -8);
  CheckPositive(1234567890123456789e-17, 12345678901234, -12);
  CheckPositive(1234567890123456789e-20, 1234567890123, -14);
  CheckPositive(0.000874957, 874957, -9);
  CheckPositive(0.001130435, 1130435, -9);
  CheckPositive(2.964393875e-100, 2964393875, -109);
  CheckPositive(2.964393875e-309, 2964393875, -318);
  CheckPositive(2.964393875e-314, 296439387505, -325);
  CheckPositive(2.964393875e-315, 2964393875047, -327);
  CheckPositive(2.964393875e-320, 296439387505, -331);
  CheckPositive(2.964393875e-324, 494065645841, -335);
  CheckPositive(std::strtod("2.964393875e-325", nullptr), 0, 1);
  CheckPositive(2.964393875e+307, 2964393875, 298);
  CheckPositive(9.964393875e+307, 9964393875, 298);
  CheckPositive(1.064393875e+308, 1064393875, 299);
  CheckPositive(1.797393875e+308, 1797393875, 299);
}

static void TestFromFloatRoundTrip() {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> norm;
  auto check = [](double a) {
    int64_t v;
    int16_t e;
    dec::FromFloat(a, &v, &e);
    const double b = dec::ToFloat(v, e);
    if (!(std::fabs(a - b) * 1e12 < std::fabs(a) + std::fabs(b)) && a != b) {
      FAIL("round trip of %.17g gave %.17g", a, b);
    }
  };
  for (int i = 0; i < 20000; i++) {
    const double f = norm(rng);
    for (double scale : {1.0, 1e-6, 1e6}) {
      const double x = f * scale;
      check(x);
      for (int digits = 0; digits < 16; digits += 3) {
        const double p = std::pow(10.0, digits);
        check(std::round(x * p) / p);
      }
    }
  }
  for (double f : {kInf, -kInf}) {
    int64_t v;
    int16_t e;
    dec::FromFloat(f, &v, &e);
    REQUIRE(dec::ToFloat(v, e) == f);
  }
}

static void TestAppendFloatToDecimal() {
  const double stale = dec::StaleNaN();
  CheckAppendFloat({}, {}, 0);
  CheckAppendFloat({0}, {0}, 0);
  CheckAppendFloat({kInf, -kInf, 123}, {kMax, kMin, 123}, 0);
  CheckAppendFloat({kInf, -kInf, 123, 1e-4, 1e32}, {kMax, kMin, 0, 0, 1000000000000000000}, 14);
  CheckAppendFloat({stale, -kInf, 123, 1e-4, 1e32}, {kMax - 1, kMin, 0, 0, 1000000000000000000},
                   14);
  CheckAppendFloat({0, -0.0, 1, -1, 12345678, -123456789}, {0, 0, 1, -1, 12345678, -123456789}, 0);
  CheckAppendFloat({-24, 0, 4.123, 0.3}, {-24000, 0, 4123, 300}, -3);
  CheckAppendFloat({0, 10.23456789, 1e2, 1e-3, 1e-4}, {0, 1023456789, 10000000000, 100000, 10000},
                   -8);
  CheckAppendFloat({3e17, 7e-2, 5e-7, 45, 7e-1}, {3000000000000000000, 0, 0, 450, 7}, -1);
  CheckAppendFloat({3e18, 1, 0.1, 13}, {3000000000000000000, 1, 0, 13}, 0);
  CheckAppendFloat({0.1, 0.2, 0.30000000000000004}, {1, 2, 3}, -1);
  CheckAppendFloat({1e-7, 1}, {1, 10000000}, -7);
  CheckAppendFloat({123.456, 7}, {123456, 7000}, -3);
  CheckAppendFloat({1e300, 1}, {1000000000000000000, 0}, 282);
  CheckAppendFloat({-1.5, 2.25}, {-150, 225}, -2);
  CheckAppendFloat({stale}, {kMax - 1}, -1024);
  CheckAppendFloat({kInf, -kInf}, {kMax, kMin}, -1024);
  CheckAppendFloat({stale, stale, kInf}, {kMax - 1, kMax - 1, kMax}, -1024);
  CheckAppendFloat({1, 1, 1}, {1, 1, 1}, 0);
}

static void TestMaxUpExponent() {
  REQUIRE_EQ(dec::MaxUpExponent(kMax), 1024);
  REQUIRE_EQ(dec::MaxUpExponent(kMin), 1024);
  REQUIRE_EQ(dec::MaxUpExponent(kMax - 1), 1024);
  REQUIRE_EQ(dec::MaxUpExponent(0), 1024);
  REQUIRE_EQ(dec::MaxUpExponent(kMin + 1), 0);
  REQUIRE_EQ(dec::MaxUpExponent(kMax - 2), 0);
  int64_t v = 0;
  for (int digits = 1; digits <= 19; digits++) {
    v = v * 10 + digits % 10;  // 1, 12, 123, ..., 1234567890123456789
    REQUIRE_EQ(dec::MaxUpExponent(v), 19 - digits);
    REQUIRE_EQ(dec::MaxUpExponent(-v), 19 - digits);
  }
  const struct {
    int64_t v;
    int want;
  } cases[] = {{923456789012345678, 0},
               {92345678901234567, 1},
               {92, 17},
               {9, 18},
               {923, 15},
               {922, 16},
               {93, 16}};
  for (const auto& c : cases) {
    REQUIRE_EQ(dec::MaxUpExponent(c.v), c.want);
    REQUIRE_EQ(dec::MaxUpExponent(-c.v), c.want);
  }
}

static void TestAppendDecimalToFloat() {
  std::vector<int64_t> va = {-1, -10, 0, 100};
  std::vector<double> got = {7.5};
  dec::AppendDecimalToFloat(&got, va.data(), va.size(), 2);
  CheckFloatBits(got, {7.5, -1e2, -1e3, 0, 1e4});
  got.clear();
  dec::AppendDecimalToFloat(&got, va.data(), va.size(), -2);
  CheckFloatBits(got, {-1e-2, -1e-1, 0, 1});

  const int64_t shifts[] = {874957, 1130435};
  for (int e = -5; e >= -13; e--) {
    got.clear();
    dec::AppendDecimalToFloat(&got, shifts, 2, static_cast<int16_t>(e));
    const std::string suffix = "e" + std::to_string(e);
    CheckFloatBits(got, {std::strtod(("874957" + suffix).c_str(), nullptr),
                         std::strtod(("1130435" + suffix).c_str(), nullptr)});
  }
  got.clear();
  dec::AppendDecimalToFloat(&got, shifts, 2, -9);
  CheckFloatBits(got, {8.74957e-4, 1.130435e-3});

  const int64_t specials[] = {kMax, kMax - 1, kMin, 2};
  got.clear();
  dec::AppendDecimalToFloat(&got, specials, 4, 4);
  CheckFloatBits(got, {kInf, dec::StaleNaN(), -kInf, 2e4});
  got.clear();
  dec::AppendDecimalToFloat(&got, specials, 4, -4);
  CheckFloatBits(got, {kInf, dec::StaleNaN(), -kInf, 2e-4});
  const int64_t with_min[] = {kMax, kMax - 1, kMin + 1, 2};
  got.clear();
  dec::AppendDecimalToFloat(&got, with_min, 4, 4);
  CheckFloatBits(got, {kInf, dec::StaleNaN(), static_cast<double>(kMin + 1) * 1e4, 2e4});
  got.clear();
  dec::AppendDecimalToFloat(&got, with_min, 4, -4);
  CheckFloatBits(got, {kInf, dec::StaleNaN(), static_cast<double>(kMin + 1) / 1e4, 2e-4});

  const int64_t zeros[] = {0, 0, 0};
  got.clear();
  dec::AppendDecimalToFloat(&got, zeros, 3, 100);
  CheckFloatBits(got, {0, 0, 0});
  const int64_t ones[] = {1, 1};
  got.clear();
  dec::AppendDecimalToFloat(&got, ones, 2, 0);
  CheckFloatBits(got, {1, 1});
  got.clear();
  dec::AppendDecimalToFloat(&got, ones, 2, -1);
  CheckFloatBits(got, {0.1, 0.1});
  got.clear();
  dec::AppendDecimalToFloat(&got, ones, 0, 5);
  REQUIRE(got.empty());
  // Extreme scales follow Go: -(-32768) wraps in int16, so the divisor is Pow10(-32768) = 0.
  const int64_t five[] = {5, -5};
  got.clear();
  dec::AppendDecimalToFloat(&got, five, 2, -32768);
  CheckFloatBits(got, {kInf, -kInf});
  got.clear();
  dec::AppendDecimalToFloat(&got, five, 2, 32767);
  CheckFloatBits(got, {kInf, -kInf});
  got.clear();
  dec::AppendDecimalToFloat(&got, five, 2, -400);
  CheckFloatBits(got, {0, -0.0});
}

static void TestRandomBits() {
  std::mt19937_64 rng(9);
  std::vector<double> block;
  for (int i = 0; i < 200000; i++) {
    const double f = FromBits(rng());
    if (std::isnan(f) && !dec::IsStaleNaN(f)) continue;
    int64_t v;
    int16_t e;
    dec::FromFloat(f, &v, &e);
    const double back = dec::ToFloat(v, e);
    if (std::isfinite(f) && std::fabs(f) > 1e-290 && std::fabs(f) < 1e290) {
      if (!(std::fabs(f - back) * 1e11 <= std::fabs(f) + std::fabs(back))) {
        FAIL("%.17g came back as %.17g", f, back);
      }
    }
    block.push_back(f);
    if (block.size() == 7) {
      std::vector<int64_t> m;
      const int16_t scale = dec::AppendFloatToDecimal(&m, block.data(), block.size());
      std::vector<double> out;
      dec::AppendDecimalToFloat(&out, m.data(), m.size(), scale);
      REQUIRE_EQ(out.size(), block.size());
      std::vector<int64_t> a = m, b = {1, 2, 3};
      dec::CalibrateScale(&a, scale, &b, static_cast<int16_t>(rng()));
      block.clear();
    }
  }
}

static void CheckCalibrate(std::vector<int64_t> a, std::vector<int64_t> b, int ae, int be,
                           const std::vector<int64_t>& wa, const std::vector<int64_t>& wb, int we) {
  for (int swap = 0; swap < 2; swap++) {
    std::vector<int64_t> x = a, y = b;
    int16_t e;
    if (swap == 0) {
      e = dec::CalibrateScale(&x, static_cast<int16_t>(ae), &y, static_cast<int16_t>(be));
    } else {
      e = dec::CalibrateScale(&y, static_cast<int16_t>(be), &x, static_cast<int16_t>(ae));
    }
    if (x != wa || y != wb || e != we) {
      FAIL("CalibrateScale(%s, %s, %d, %d) swap=%d: got %s %s %d, want %s %s %d", Join(a).c_str(),
           Join(b).c_str(), ae, be, swap, Join(x).c_str(), Join(y).c_str(), e, Join(wa).c_str(),
           Join(wb).c_str(), we);
    }
  }
}

static void TestCalibrateScale() {
  const int64_t e17 = 100000000000000000;
  const int64_t e18 = 1000000000000000000;
  CheckCalibrate({1, 0, 2}, {5, -3}, 0, 1, {1, 0, 2}, {50, -30}, 0);
  CheckCalibrate({-1, 2}, {5, 6, 3}, 2, -1, {-1000, 2000}, {5, 6, 3}, -1);
  CheckCalibrate({e18, 1, 0}, {3, 456}, 0, -2, {e18, 1, 0}, {0, 4}, 0);
  CheckCalibrate({12345, 678}, {12, -e17, -3}, -3, 0, {123, 6}, {120, -e18, -30}, -1);
  CheckCalibrate({923}, {2, 3}, 100, -100, {923 * 1000000000000000LL}, {0, 0}, 85);
  CheckCalibrate({923}, {2, 3}, -100, 100, {0}, {2 * e18, 3 * e18}, 82);
  CheckCalibrate({kMax, 1200}, {35, 1}, 0, 40, {kMax, 0}, {35 * e17, e17}, 23);
  CheckCalibrate({kMax - 2, kMin + 1, 123}, {100}, 0, 30, {92233, -92233, 0}, {e18}, 14);
  CheckCalibrate({1, 2}, {3}, 5, 5, {1, 2}, {3}, 5);
  CheckCalibrate({}, {3}, 5, 7, {}, {3}, 7);
  CheckCalibrate({kMax - 1, kMin}, {1}, 3, 0, {kMax - 1, kMin}, {1}, 0);
}

// Golden facts of testdata/vm172/special/README.txt items 3 and 4 (pure decimal facts).
static void TestGoldenSingleValues() {
  const struct {
    double in;
    uint64_t want_bits;
  } cases[] = {
      {0.1, 0x3fb999999999999a},
      {0.2, 0x3fc999999999999a},
      {0.30000000000000004, 0x3fd3333333333333},
      {M_PI, 0x400921fb5444261e},
      {M_E, 0x4005bf0a8b145703},
      {1.0 / 3, 0x3fd5555555553de1},
      {2.0 / 3, 0x3fe5555555553de1},
      {123456789.123456789, 0x419d6f34547e6b74},
      {1.2345678901234567e-5, 0x3ee9e4093026776b},
      {12345678901234567890.0, 0x43e56a95319d63e1},
      {0.123456789012345678, 0x3fbf9add3746f4c6},
      {1e-20, 0x3bc79ca10c924223},
      {1e-300, 0x01a56e1fc2f8f359},
      {5e-324, 0},
      {2.2250738585072014e-308, 0},
      {std::numeric_limits<double>::max(), 0x7feffffffffffffb},
      {1e19, 0x43e158e460913d00},
      {9.2e18, 0x43dfeb3dd0676600},
      {9223372036854775807.0, 0x43e0000000000000},
      {9007199254740993.0, 0x4340000000000000},
      {123.456, 0x405edd2f1a9fbe77},
      {-123.456, 0xc05edd2f1a9fbe77},
      {1e15 + 0.3, 0x430c6bf526340000},
      {0.000123, 0x3f201f31f46ed246},
      {42, 0x4045000000000000},
      {-0.0, 0},
      {1e22, 0x4480f0cf064dd592},
      {1.5e-10, 0x3de49da7e361ce4c},
      {-1e-300, 0x81a56e1fc2f8f359},
      {99.99, 0x4058ff5c28f5c28f},
      {1e-5, 0x3ee4f8b588e368f1},
      {4.35, 0x4011666666666666},
      {0.07, 0x3fb1eb851eb851ec},
      {std::ldexp(1, 53) + 2, 0x4340000000000001},
      {std::ldexp(1, 63), 0x43e0000000000000},
      {1e300, 0x7e37e43c8800759c},
      {-std::numeric_limits<double>::infinity(), 0xfff0000000000000},
  };
  for (const auto& c : cases) {
    const std::vector<double> out = BlockRoundTrip({c.in});
    if (Bits(out[0]) != c.want_bits) {
      FAIL("single value %.17g: got %.17g (%016llx), want %016llx", c.in, out[0],
           static_cast<unsigned long long>(Bits(out[0])),
           static_cast<unsigned long long>(c.want_bits));
    }
  }
  REQUIRE(Bits(BlockRoundTrip({dec::StaleNaN()})[0]) == dec::kStaleNaNBits);
}

static void TestGoldenBlocks() {
  const double max = std::numeric_limits<double>::max();
  CheckFloatBits(BlockRoundTrip({1e300, max, -1e300, 1e19, 9.2e18, 9223372036854775807.0}),
                 {FromBits(0x7e37e43c8800759c), FromBits(0x7feffffffffffffc),
                  FromBits(0xfe37e43c8800759c), 0, 0, 0});
  CheckFloatBits(BlockRoundTrip({1e-300, 5e-324, 2.2250738585072014e-308, 1e-20, 1.5e-10}),
                 {0, 0, 0, FromBits(0x3bc79ca10c924224), FromBits(0x3de49da7e361ce4c)});
  CheckFloatBits(BlockRoundTrip({1e-10, 1e10, 1.5, 123456.789, 1e-3}),
                 {0, FromBits(0x4202a05f20000000), FromBits(0x3ff8000000000000),
                  FromBits(0x40fe240c9fbe76c9), FromBits(0x3f50624dd2f1a9fc)});
  CheckFloatBits(
      BlockRoundTrip({0.1, 0.2, 0.30000000000000004, M_PI, M_E, 1.0 / 3, 123456789.123456789,
                      1.2345678901234567e-5, 12345678901234567890.0, 0.123456789012345678}),
      {0, 0, 0, 0, 0, 0, FromBits(0x419d6f3430000000), 0, FromBits(0x43e56a95319d63e1), 0});
  CheckFloatBits(BlockRoundTrip({-123.456, -0.001, -1e6, -42}), {-123.456, -0.001, -1e6, -42});
  const double two53 = std::ldexp(1, 53);
  CheckFloatBits(BlockRoundTrip({0, 1, 2, 1000, 1e6, 4294967296, two53 - 1, two53, two53 + 2, 5}),
                 {0, 1, 2, 1000, 1e6, 4294967296, two53 - 1, two53, two53 + 2, 5});
  CheckFloatBits(BlockRoundTrip({1, dec::StaleNaN(), 2}), {1, dec::StaleNaN(), 2});
  CheckFloatBits(BlockRoundTrip({-1, -kInf, -2}), {-1, -kInf, -2});
  CheckFloatBits(BlockRoundTrip({0, 0, -0.0, 0}), {0, 0, 0, 0});
  std::vector<double> consts(10, 3.14);
  CheckFloatBits(BlockRoundTrip(consts), consts);
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestPow10),
      VME_TEST(TestStaleNaN),
      VME_TEST(TestFromFloat),
      VME_TEST(TestPositiveFloatToDecimal),
      VME_TEST(TestFromFloatRoundTrip),
      VME_TEST(TestAppendFloatToDecimal),
      VME_TEST(TestMaxUpExponent),
      VME_TEST(TestAppendDecimalToFloat),
      VME_TEST(TestCalibrateScale),
      VME_TEST(TestGoldenSingleValues),
      VME_TEST(TestGoldenBlocks),
      VME_TEST(TestRandomBits),
  };
  return vme::test::RunTests(tests, argc, argv);
}
