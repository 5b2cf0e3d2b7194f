// Decimal conversion of float64 values (VictoriaMetrics decimal.AppendFloatToDecimal in
// lib/decimal/decimal.go). Exponent arithmetic is int16 with wrap-around and mantissa arithmetic
// int64 with wrap-around, as in Go; both are done through unsigned types here to stay clear of C++
// undefined behaviour.
#include "encoding/decimal.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace vme::dec {
namespace {

constexpr double kPow10Tab[32] = {1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09, 1e10,
                                  1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
                                  1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31};
constexpr double kPow10PosTab32[10] = {1e00,  1e32,  1e64,  1e96,  1e128,
                                       1e160, 1e192, 1e224, 1e256, 1e288};
constexpr double kPow10NegTab32[11] = {1e-00,  1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                       1e-192, 1e-224, 1e-256, 1e-288, 1e-320};

// ln(2)/ln(10) rounded to float64: bits 0x3fd34413509f79ff.
constexpr double kLn2OverLn10 = 0.30102999566398119802;
static_assert(std::bit_cast<uint64_t>(kLn2OverLn10) == 0x3fd34413509f79ffULL);

constexpr std::array<uint64_t, 64> MakePow10Mod64() {
  std::array<uint64_t, 64> t{};
  uint64_t p = 1;
  for (auto& x : t) {
    x = p;
    p *= 10;
  }
  return t;
}
constexpr std::array<uint64_t, 64> kPow10Mod64 = MakePow10Mod64();

constexpr std::array<int64_t, 19> MakeMaxUpThresholds() {
  std::array<int64_t, 19> t{};
  int64_t p = 1;
  for (int k = 0; k < 19; k++) {
    t[k] = std::numeric_limits<int64_t>::max() / p;
    if (k < 18) p *= 10;
  }
  return t;
}
constexpr std::array<int64_t, 19> kMaxUpThresholds = MakeMaxUpThresholds();

inline int16_t Wrap16(int x) { return static_cast<int16_t>(static_cast<uint16_t>(x)); }

// v * 10^k with int64 wrap-around (k >= 0): 10^k is 0 modulo 2^64 for k >= 64.
inline int64_t MulPow10(int64_t v, int k) {
  if (k >= 64) return 0;
  return static_cast<int64_t>(static_cast<uint64_t>(v) * kPow10Mod64[k]);
}

// v / 10^k truncating toward zero (k >= 0); 10^19 exceeds every int64.
inline int64_t DivPow10(int64_t v, int k) {
  if (k > 18) return 0;
  return v / static_cast<int64_t>(kPow10Mod64[k]);
}

// Go's uint64(f) on amd64, including its results for NaN and f >= 2^64 (2^63).
inline uint64_t GoFloatToUint64(double f) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (f < kTwo63) {
    if (!(f > -kTwo63)) return uint64_t{1} << 63;
    return static_cast<uint64_t>(static_cast<int64_t>(f));
  }
  const double y = f - kTwo63;
  if (y < kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(y)) | (uint64_t{1} << 63);
  return uint64_t{1} << 63;
}

void PositiveFloatToDecimalSlow(double f, int64_t* v, int16_t* e) {
  double prec = 1e12;
  int exp = 0;
  if (f > 1e6 || f < 1e-6) {
    if (f > 1e6) prec = 1e15;
    int x = 0;
    std::frexp(f, &x);
    if (x < -1022) {
      x = -1022;
    } else if (x > 1023) {
      x = 1023;
    }
    exp = static_cast<int>(static_cast<double>(x) * kLn2OverLn10);
    f *= Pow10(-exp);
  }
  while (f < prec) {
    const double x = std::trunc(f);
    const double frac = f - x;
    if (frac * prec < x) {
      f = x;
      break;
    }
    if ((1 - frac) * prec < x) {
      f = x + 1;
      break;
    }
    f *= 100;
    exp -= 2;
  }
  const uint64_t u = GoFloatToUint64(f);
  if (u % 10 != 0) {
    *v = static_cast<int64_t>(u);
    *e = Wrap16(exp);
    return;
  }
  *v = static_cast<int64_t>(u / 10);
  *e = Wrap16(exp + 1);
}

inline bool IsSpecial(int64_t v) { return v > kVMax || v < kVMin; }

}  // namespace

bool IsStaleNaN(double f) {
  uint64_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits == kStaleNaNBits;
}

double StaleNaN() {
  double f;
  std::memcpy(&f, &kStaleNaNBits, sizeof(f));
  return f;
}

bool IsSpecialMantissa(int64_t v) { return IsSpecial(v); }

double Pow10(int n) {
  if (0 <= n && n <= 308) return kPow10PosTab32[n / 32] * kPow10Tab[n % 32];
  if (-323 <= n && n <= 0) return kPow10NegTab32[-n / 32] / kPow10Tab[-n % 32];
  if (n > 0) return std::numeric_limits<double>::infinity();
  return 0;
}

void PositiveFloatToDecimal(double f, int64_t* v, int16_t* e) {
  uint64_t u = GoFloatToUint64(f);
  if (static_cast<double>(u) != f) {
    PositiveFloatToDecimalSlow(f, v, e);
    return;
  }
  constexpr uint64_t kTwo55 = uint64_t{1} << 55;
  if (u < kTwo55 && u % 10 != 0) {
    *v = static_cast<int64_t>(u);
    *e = 0;
    return;
  }
  int scale = 0;
  while (u >= kTwo55) {
    u /= 10;
    scale++;
  }
  if (u % 10 == 0) {
    u /= 10;
    scale++;
    while (u != 0 && u % 10 == 0) {
      u /= 10;
      scale++;
    }
  }
  *v = static_cast<int64_t>(u);
  *e = Wrap16(scale);
}

void FromFloat(double f, int64_t* v, int16_t* e) {
  if (f == 0) {
    *v = 0;
    *e = 0;
    return;
  }
  if (IsStaleNaN(f)) {
    *v = kVStaleNaN;
    *e = 0;
    return;
  }
  if (std::isinf(f)) {
    *v = f > 0 ? kVInfPos : kVInfNeg;
    *e = 0;
    return;
  }
  if (f > 0) {
    PositiveFloatToDecimal(f, v, e);
    if (*v > kVMax) *v = kVMax;
    return;
  }
  PositiveFloatToDecimal(-f, v, e);
  *v = static_cast<int64_t>(0 - static_cast<uint64_t>(*v));
  if (*v < kVMin) *v = kVMin;
}

int16_t MaxUpExponent(int64_t v) {
  if (v == 0 || IsSpecial(v)) return 1024;
  if (v < 0) v = -v;  // v >= kVMin, so no overflow
  for (int k = 18; k > 0; k--) {
    if (v <= kMaxUpThresholds[k]) return static_cast<int16_t>(k);
  }
  return 0;
}

double ToFloat(int64_t v, int16_t e) {
  if (IsSpecial(v)) {
    if (v == kVInfPos) return std::numeric_limits<double>::infinity();
    if (v == kVInfNeg) return -std::numeric_limits<double>::infinity();
    return StaleNaN();
  }
  const double f = static_cast<double>(v);
  if (e < 0) return f / Pow10(Wrap16(-e));
  return f * Pow10(e);
}

int16_t AppendFloatToDecimal(std::vector<int64_t>* dst, const double* values, size_t n) {
  if (n == 0) return 0;
  const size_t base = dst->size();
  bool all_zeros = true;
  bool all_ones = true;
  for (size_t i = 0; i < n && (all_zeros || all_ones); i++) {
    uint64_t bits;
    std::memcpy(&bits, &values[i], sizeof(bits));
    all_zeros = all_zeros && bits == 0;
    all_ones = all_ones && values[i] == 1.0;
  }
  if (all_zeros || all_ones) {
    dst->resize(base + n, all_zeros ? 0 : 1);
    return 0;
  }
  dst->resize(base + n);
  int64_t* va = dst->data() + base;
  thread_local std::vector<int16_t> exps;
  exps.resize(n);
  int16_t* ea = exps.data();

  int16_t min_exp = std::numeric_limits<int16_t>::max();
  for (size_t i = 0; i < n; i++) {
    FromFloat(values[i], &va[i], &ea[i]);
    if (ea[i] < min_exp && !IsSpecial(va[i])) min_exp = ea[i];
  }
  int16_t down_exp = 0;
  for (size_t i = 0; i < n; i++) {
    const int16_t up_exp = Wrap16(ea[i] - min_exp);
    const int16_t d = Wrap16(up_exp - MaxUpExponent(va[i]));
    if (d > down_exp) down_exp = d;
  }
  min_exp = Wrap16(min_exp + down_exp);
  for (size_t i = 0; i < n; i++) {
    if (IsSpecial(va[i])) continue;
    const int16_t adj = Wrap16(ea[i] - min_exp);
    if (adj > 0) {
      va[i] = MulPow10(va[i], adj);
    } else if (adj < 0) {
      va[i] = DivPow10(va[i], -static_cast<int>(adj));
    }
  }
  return min_exp;
}

namespace {

// Mantissas in [-2^51, 2^51] (no special value lies there) convert to float64 exactly by the
// bit trick below, two at a time; the division or multiplication by the power of ten is the
// same IEEE operation as the scalar path, so the results are bit-identical.
constexpr int64_t kExactLimit = int64_t{1} << 51;

// True if every mantissa lies in [-2^51, 2^51] and at least one is not zero (all zeros keep
// the shortcut of the general path, which holds even for scales whose power of ten overflows).
bool AllSmallNotAllZero(const int64_t* m, size_t n) {
  uint64_t bad = 0;
  uint64_t any = 0;
  for (size_t i = 0; i < n; i++) {
    bad |= static_cast<uint64_t>(m[i]) + uint64_t{kExactLimit} > uint64_t{2 * kExactLimit};
    any |= static_cast<uint64_t>(m[i]);
  }
  return bad == 0 && any != 0;
}

typedef double V2d __attribute__((vector_size(16)));
typedef int64_t V2i __attribute__((vector_size(16)));

template <bool kDivide>
void SmallToFloat(double* dst, const int64_t* m, size_t n, double e10) {
  // 0x4338000000000000 is 1.5 * 2^52: adding x to its bit pattern gives the float64
  // 1.5 * 2^52 + x exactly for |x| <= 2^51.
  constexpr int64_t kMagicBits = 0x4338000000000000LL;
  constexpr double kMagic = 6755399441055744.0;
  const V2d magic = {kMagic, kMagic};
  const V2d p = {e10, e10};
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    V2i x;
    std::memcpy(&x, m + i, sizeof(x));
    x += kMagicBits;
    V2d f;
    std::memcpy(&f, &x, sizeof(f));
    f -= magic;
    f = kDivide ? f / p : f * p;
    std::memcpy(dst + i, &f, sizeof(f));
  }
  for (; i < n; i++) {
    const double f = static_cast<double>(m[i]);
    dst[i] = kDivide ? f / e10 : f * e10;
  }
}

}  // namespace

void DecimalToFloat(double* a, const int64_t* mantissas, size_t n, int16_t scale) {
  if (n == 0) return;
  if (AllSmallNotAllZero(mantissas, n)) {
    if (scale < 0) {
      SmallToFloat<true>(a, mantissas, n, Pow10(Wrap16(-scale)));
    } else {
      SmallToFloat<false>(a, mantissas, n, Pow10(scale));
    }
    return;
  }
  bool all_zeros = true;
  bool all_ones = scale == 0;
  for (size_t i = 0; i < n && (all_zeros || all_ones); i++) {
    all_zeros = all_zeros && mantissas[i] == 0;
    all_ones = all_ones && mantissas[i] == 1;
  }
  if (all_zeros || all_ones) {
    std::fill(a, a + n, all_zeros ? 0.0 : 1.0);
    return;
  }
  bool has_special = false;
  if (scale < 0) {
    const double e10 = Pow10(Wrap16(-scale));
    for (size_t i = 0; i < n; i++) {
      a[i] = static_cast<double>(mantissas[i]) / e10;
      has_special |= IsSpecial(mantissas[i]);
    }
  } else {
    const double e10 = Pow10(scale);
    for (size_t i = 0; i < n; i++) {
      a[i] = static_cast<double>(mantissas[i]) * e10;
      has_special |= IsSpecial(mantissas[i]);
    }
  }
  if (!has_special) return;
  for (size_t i = 0; i < n; i++) {
    if (IsSpecial(mantissas[i])) a[i] = ToFloat(mantissas[i], 0);
  }
}

void AppendDecimalToFloat(std::vector<double>* dst, const int64_t* mantissas, size_t n,
                          int16_t scale) {
  if (n == 0) return;
  const size_t base = dst->size();
  dst->resize(base + n);
  DecimalToFloat(dst->data() + base, mantissas, n, scale);
}

int16_t CalibrateScale(std::vector<int64_t>* a, int16_t ae, std::vector<int64_t>* b, int16_t be) {
  if (ae == be) return ae;
  if (a->empty()) return be;
  if (b->empty()) return ae;
  if (ae < be) {
    std::swap(a, b);
    std::swap(ae, be);
  }
  int16_t up_exp = Wrap16(ae - be);
  int16_t down_exp = 0;
  for (int64_t v : *a) {
    const int16_t d = Wrap16(up_exp - MaxUpExponent(v));
    if (d > down_exp) down_exp = d;
  }
  up_exp = Wrap16(up_exp - down_exp);
  if (up_exp > 0) {
    for (int64_t& v : *a) {
      if (!IsSpecial(v)) v = MulPow10(v, up_exp);
    }
  }
  if (down_exp > 0) {
    for (int64_t& v : *b) {
      if (!IsSpecial(v)) v = DivPow10(v, down_exp);
    }
  }
  return Wrap16(be + down_exp);
}

}  // namespace vme::dec
