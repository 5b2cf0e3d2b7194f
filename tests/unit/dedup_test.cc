// Deduplication facts of VictoriaMetrics DeduplicateSamples (lib/storage/dedup.go), tests in
// lib/storage/dedup_test.go.
#include <string>
#include <vector>

#include "storage/dedup.h"
#include "test_util.h"

using vme::storage::DeduplicateSamples;
using vme::storage::NeedsDedup;

static void TestNeedsDedup() {
  const struct {
    int64_t d;
    std::vector<int64_t> ts;
    bool want;
  } cases[] = {
      {10, {1, 2}, true},       {10, {9, 10}, false},
      {10, {9, 10, 19}, true},  {10, {9, 19}, false},
      {10, {0, 9, 19}, true},   {10, {0, 19}, false},
      {10, {0, 35, 40}, false}, {10, {0, 35, 40, 41}, true},
      {0, {1, 1}, false},       {-10, {1, 1}, false},
      {10, {}, false},          {10, {5}, false},
  };
  for (const auto& c : cases) {
    if (NeedsDedup(c.ts.data(), c.ts.size(), c.d) != c.want) {
      FAIL("NeedsDedup(d=%lld, n=%zu) != %d", static_cast<long long>(c.d), c.ts.size(), c.want);
    }
  }
}

static void CheckDedup(int64_t d, const std::vector<int64_t>& in,
                       const std::vector<int64_t>& want) {
  std::vector<int64_t> ts = in;
  std::vector<double> values;
  for (size_t i = 0; i < in.size(); i++) values.push_back(static_cast<double>(i));
  DeduplicateSamples(&ts, &values, d);
  REQUIRE(ts == want);
  REQUIRE_EQ(values.size(), ts.size());
  // The kept values are those of the first sample of each window.
  size_t j = 0;
  for (size_t i = 0; i < ts.size(); i++) {
    while (in[j] != ts[i]) j++;
    REQUIRE(values[i] == static_cast<double>(j));
    j++;
  }
  // Idempotent, also for the int64 variant.
  std::vector<int64_t> ts2 = ts;
  std::vector<double> v2 = values;
  DeduplicateSamples(&ts2, &v2, d);
  REQUIRE(ts2 == ts && v2 == values);
  std::vector<int64_t> ts3 = in;
  std::vector<int64_t> m3(in.size(), 0);
  for (size_t i = 0; i < m3.size(); i++) m3[i] = static_cast<int64_t>(i);
  DeduplicateSamples(&ts3, &m3, d);
  REQUIRE(ts3 == want);
  REQUIRE_EQ(m3.size(), want.size());
}

static void TestDedupExamples() {
  CheckDedup(100, {0, 100, 100, 101, 150, 180, 205, 300, 1000}, {0, 100, 205, 300, 1000});
  CheckDedup(10000, {10000, 13000, 21000, 22000, 30000, 33000, 39000, 45000},
             {10000, 21000, 30000, 45000});
  CheckDedup(1, {0, 0, 0, 1, 1, 2, 3, 3, 3, 4}, {0, 1, 2, 3, 4});
  std::vector<int64_t> secs, even;
  for (int64_t i = 0; i < 40; i++) {
    secs.push_back(i * 1000);
    if (i % 2 == 0) even.push_back(i * 1000);
  }
  CheckDedup(2000, secs, even);
  CheckDedup(0, {1, 1, 1}, {1, 1, 1});
  CheckDedup(10, {}, {});
  CheckDedup(10, {7}, {7});
}

int main(int argc, char** argv) {
  const std::vector<vme::test::TestCase> tests = {
      VME_TEST(TestNeedsDedup),
      VME_TEST(TestDedupExamples),
  };
  return vme::test::RunTests(tests, argc, argv);
}
