#include "storage/time.h"

#include <atomic>
#include <chrono>
#include <cstdio>

namespace vme::storage {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

TimeRange MonthRange(int64_t y, unsigned m) {
  const int64_t start = DaysFromCivil(y, m, 1) * 86'400'000;
  const int64_t ny = m == 12 ? y + 1 : y;
  const unsigned nm = m == 12 ? 1 : m + 1;
  const int64_t end = DaysFromCivil(ny, nm, 1) * 86'400'000 - 1;
  return {start, end};
}

}  // namespace

std::string PartitionName(int64_t ts) {
  int64_t y;
  unsigned m;
  CivilFromDays(FloorDiv(ts, 86'400'000), &y, &m);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld_%02u", static_cast<long long>(y), m);
  return buf;
}

TimeRange PartitionRange(int64_t ts) {
  int64_t y;
  unsigned m;
  CivilFromDays(FloorDiv(ts, 86'400'000), &y, &m);
  return MonthRange(y, m);
}

bool ParsePartitionName(const std::string& name, TimeRange* range) {
  if (name.size() != 7 || name[4] != '_') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  const int64_t y = std::stoll(name.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoul(name.substr(5, 2)));
  if (m < 1 || m > 12) return false;
  *range = MonthRange(y, m);
  return true;
}

namespace {
std::atomic<int64_t> now_for_testing{0};
}  // namespace

void SetNowMsForTesting(int64_t ms) { now_for_testing.store(ms); }

int64_t NowMs() {
  if (const int64_t t = now_for_testing.load(); t != 0) return t;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace vme::storage
