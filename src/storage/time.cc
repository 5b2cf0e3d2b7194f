#include "storage/time.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "util/civil_time.h"

namespace vme::storage {
namespace {

TimeRange MonthRange(int64_t y, unsigned m) {
  // Saturating: the months holding INT64_MIN and INT64_MAX end at the int64 range.
  const int64_t start = SaturatingMul(DaysFromCivil(y, m, 1), kMsPerDay);
  const int64_t ny = m == 12 ? y + 1 : y;
  const unsigned nm = m == 12 ? 1 : m + 1;
  const int64_t next = SaturatingMul(DaysFromCivil(ny, nm, 1), kMsPerDay);
  const int64_t end = next == INT64_MAX ? INT64_MAX : next - 1;
  return {start, end};
}

}  // namespace

std::string PartitionName(int64_t ts) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(FloorDiv(ts, kMsPerDay), &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld_%02u", static_cast<long long>(y), m);
  return buf;
}

TimeRange PartitionRange(int64_t ts) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(FloorDiv(ts, kMsPerDay), &y, &m, &d);
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
