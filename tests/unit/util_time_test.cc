// util/civil_time, util/strings, util/duration, and time arithmetic that must saturate:
// partition ranges at the ends of the int64 range, and retention_ms = INT64_MAX ("forever",
// as bindings say it) keeping every row of a merge.
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "open_test_util.h"
#include "storage/partition.h"
#include "storage/time.h"
#include "util/civil_time.h"
#include "util/duration.h"
#include "util/strings.h"

namespace {

using namespace vme::storage;  // NOLINT

void TestCivilRoundTrip() {
  for (int64_t day : {int64_t{-719468}, int64_t{-1}, int64_t{0}, int64_t{59}, int64_t{20454},
                      int64_t{2932896}, int64_t{106751991167}}) {
    int64_t y;
    unsigned m, d;
    vme::CivilFromDays(day, &y, &m, &d);
    REQUIRE_EQ(vme::DaysFromCivil(y, m, d), day);
  }
  int64_t y;
  unsigned m, d;
  vme::CivilFromDays(20454, &y, &m, &d);
  REQUIRE(y == 2026 && m == 1 && d == 1);
  REQUIRE_EQ(vme::DaysInMonth(2024, 2), 29u);
  REQUIRE_EQ(vme::DaysInMonth(2100, 2), 28u);
}

void TestSaturatingArithmetic() {
  REQUIRE_EQ(vme::SaturatingSub(-1000, INT64_MAX), INT64_MIN);
  REQUIRE_EQ(vme::SaturatingSub(1000, INT64_MIN), INT64_MAX);
  REQUIRE_EQ(vme::SaturatingAdd(INT64_MAX, 1), INT64_MAX);
  REQUIRE_EQ(vme::SaturatingMul(INT64_MAX / 2, 3), INT64_MAX);
  REQUIRE_EQ(vme::SaturatingMul(INT64_MIN / 2, 3), INT64_MIN);
  REQUIRE_EQ(vme::SaturatingSub(5, 3), int64_t{2});
}

void TestPartitionRangeAtInt64Ends() {
  for (int64_t ts : {INT64_MAX, INT64_MIN, int64_t{0}, int64_t{-1}, int64_t{1767225600000}}) {
    const TimeRange r = PartitionRange(ts);
    REQUIRE(r.min_timestamp <= ts && ts <= r.max_timestamp, "ts %lld outside [%lld, %lld]",
            static_cast<long long>(ts), static_cast<long long>(r.min_timestamp),
            static_cast<long long>(r.max_timestamp));
  }
  REQUIRE_EQ(PartitionRange(INT64_MAX).max_timestamp, INT64_MAX);
  TimeRange r;
  REQUIRE(ParsePartitionName("2026_01", &r));
  REQUIRE_EQ(r.min_timestamp, int64_t{1767225600000});
  REQUIRE(!ParsePartitionName("2026_13", &r));
  REQUIRE(!ParsePartitionName("2026_00", &r));
}

void TestRetentionForeverKeepsRows() {
  // With the clock before the epoch, `now - retention_ms` overflows unless it saturates (an
  // overflow wraps to a deadline far in the future, and the merge drops every row).
  SetNowMsForTesting(-1000);
  vme::test::ScratchDir d;
  PartitionOptions opts;
  opts.retention_ms = INT64_MAX;
  auto p = Partition::Open(d / "small", d / "big", "1969_12", opts);
  REQUIRE_OK(p);
  std::vector<RawRow> rows;
  for (int64_t k = 1; k <= 50; k++) {
    RawRow r;
    r.tsid = TSID{0, 0, 1, 1, 1, static_cast<uint64_t>(k % 5 + 1)};
    r.timestamp = -k * 1000;
    r.value = static_cast<double>(k);
    rows.push_back(r);
  }
  REQUIRE_OK((*p)->AddRows(rows.data(), rows.size(), nullptr));
  REQUIRE_OK((*p)->ForceMerge(nullptr));
  SetNowMsForTesting(0);
  REQUIRE_EQ((*p)->Stats().rows, uint64_t{50});
}

void TestStrings() {
  REQUIRE_EQ(vme::Hex16(0x1A2B), std::string("0000000000001A2B"));
  REQUIRE_EQ(vme::Hex16(UINT64_MAX), std::string("FFFFFFFFFFFFFFFF"));
  uint64_t v = 0;
  REQUIRE(vme::ParseUint64("18446744073709551615", &v) && v == UINT64_MAX);
  REQUIRE(!vme::ParseUint64("18446744073709551616", &v));
  REQUIRE(!vme::ParseUint64("", &v));
  REQUIRE(!vme::ParseUint64("-1", &v));
  REQUIRE(!vme::ParseUint64("1 ", &v));
}

void TestGoDuration() {
  int64_t ms = 0;
  REQUIRE_OK(vme::ParseGoDuration("1m0s\n", &ms));
  REQUIRE_EQ(ms, int64_t{60000});
  REQUIRE_OK(vme::ParseGoDuration("1.5s", &ms));
  REQUIRE_EQ(ms, int64_t{1500});
  REQUIRE(!vme::ParseGoDuration("5x", &ms).ok());
  REQUIRE(!vme::ParseGoDuration("999999999999y", &ms).ok());
  REQUIRE_EQ(vme::FormatGoDuration(3600000), std::string("1h0m0s"));
  // The storage-level name still resolves (callers such as the C API use it).
  REQUIRE_OK(vme::ParseGoDuration("30s", &ms));
  REQUIRE_EQ(ms, int64_t{30000});
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestCivilRoundTrip), VME_TEST(TestSaturatingArithmetic),
       VME_TEST(TestPartitionRangeAtInt64Ends), VME_TEST(TestRetentionForeverKeepsRows),
       VME_TEST(TestStrings), VME_TEST(TestGoDuration)},
      argc, argv);
}
