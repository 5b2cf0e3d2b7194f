// Decimal representation of float64 values, as lib/decimal of VictoriaMetrics 1.72
// (decimal.AppendFloatToDecimal in lib/decimal/decimal.go). A block stores int64 mantissas with one
// shared decimal exponent ("scale"): value = mantissa * 10^scale. Conversions reproduce Go's
// results bit for bit (Go's table-based math.Pow10, truncating conversions, int16 wrap-around of
// exponents).
//
// Special mantissas: +Inf = 2^63-1, -Inf = -2^63, Prometheus stale NaN = 2^63-2; ordinary
// mantissas lie in [-2^63+1, 2^63-3].
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vme::dec {

inline constexpr int64_t kVInfPos = INT64_MAX;
inline constexpr int64_t kVInfNeg = INT64_MIN;
inline constexpr int64_t kVStaleNaN = INT64_MAX - 1;
inline constexpr int64_t kVMax = INT64_MAX - 2;
inline constexpr int64_t kVMin = INT64_MIN + 1;
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;

bool IsStaleNaN(double f);
double StaleNaN();
bool IsSpecialMantissa(int64_t v);

// Go's math.Pow10(n), exactly.
double Pow10(int n);

// FromFloat: f -> (mantissa, exponent). Plain NaN is the caller's job to drop.
void FromFloat(double f, int64_t* v, int16_t* e);

// positiveFloatToDecimal of VictoriaMetrics decimal.AppendFloatToDecimal (lib/decimal/decimal.go)
// (f > 0, or +0 which yields (0, 1)).
void PositiveFloatToDecimal(double f, int64_t* v, int16_t* e);

// ToFloat: one mantissa at exponent e -> float64 (specials map to +-Inf / stale NaN).
double ToFloat(int64_t v, int16_t e);

// maxUpExponent(v) of VictoriaMetrics decimal.AppendFloatToDecimal (lib/decimal/decimal.go).
int16_t MaxUpExponent(int64_t v);

// AppendFloatToDecimal: appends one mantissa per value to dst and returns the block scale.
int16_t AppendFloatToDecimal(std::vector<int64_t>* dst, const double* values, size_t n);

// AppendDecimalToFloat: appends n floats for mantissas at `scale` to dst.
void AppendDecimalToFloat(std::vector<double>* dst, const int64_t* mantissas, size_t n,
                          int16_t scale);

// The same, writing n floats to dst[0..n).
void DecimalToFloat(double* dst, const int64_t* mantissas, size_t n, int16_t scale);

// CalibrateScale: rescales the mantissas of a (exponent ae) and b (exponent be) in place to a
// common exponent, which it returns (lib/storage/merge.go unmarshalAndCalibrateScale).
int16_t CalibrateScale(std::vector<int64_t>* a, int16_t ae, std::vector<int64_t>* b, int16_t be);

}  // namespace vme::dec
