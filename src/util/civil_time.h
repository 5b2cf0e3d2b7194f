// Proleptic Gregorian calendar arithmetic in UTC (Howard Hinnant's days_from_civil and
// civil_from_days algorithms), used for partition names and part-name timestamps.
#pragma once

#include <cstdint>

namespace vme {

inline constexpr int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 of year y, month m (1..12), day d (1..31). Valid for every y whose
// day count fits in int64 (|y| < 2^50 or so).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
// The date of day z since 1970-01-01 (every int64 ms timestamp / kMsPerDay is in range).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

bool IsLeapYear(int64_t y);
unsigned DaysInMonth(int64_t y, unsigned m);

// floor(a / b) for b > 0.
int64_t FloorDiv(int64_t a, int64_t b);

// a + b, a - b and a * b clamped to [INT64_MIN, INT64_MAX] instead of overflowing.
int64_t SaturatingAdd(int64_t a, int64_t b);
int64_t SaturatingSub(int64_t a, int64_t b);
int64_t SaturatingMul(int64_t a, int64_t b);

}  // namespace vme
