// TSIDCache (storage/tsid_cache.h, VictoriaMetrics' tsidCache in lib/storage/storage.go): hits
// return the TSID put last, memory stays bounded by evicting generations, and series that keep
// being read stay cached while a churn of new series fills the cache many times over.
#include <string>
#include <vector>

#include "storage/tsid_cache.h"

#include "test_util.h"

namespace st = vme::storage;

namespace {

std::string Key(uint64_t i) {
  return "tenant|series_key_" + std::to_string(i) + std::string(30, 'x');
}

st::TSID Tsid(uint64_t i) {
  st::TSID t;
  t.metric_id = i;
  t.job_id = static_cast<uint32_t>(i * 3);
  return t;
}

void TestPutGet() {
  st::TSIDCache c(64u << 20);
  for (uint64_t i = 0; i < 10000; i++) c.Put(Key(i), Tsid(i));
  for (uint64_t i = 0; i < 10000; i++) {
    st::TSID t;
    REQUIRE(c.Get(Key(i), &t));
    REQUIRE(t == Tsid(i));
  }
  st::TSID t;
  REQUIRE(!c.Get(Key(10000), &t));
  c.Put(Key(7), Tsid(70));
  REQUIRE(c.Get(Key(7), &t));
  REQUIRE(t == Tsid(70));
  REQUIRE_EQ(c.size(), uint64_t{10000});
  c.Clear();
  REQUIRE(!c.Get(Key(7), &t));
  REQUIRE_EQ(c.size(), uint64_t{0});
}

// 2,000 active series read every round while 2,000 new series a round are put: the new ones
// fill the (small) cache over and over, the active ones must all stay hits.
void TestActiveSeriesSurviveChurn() {
  st::TSIDCache c(4u << 20);
  constexpr uint64_t kActive = 2000;
  for (uint64_t i = 0; i < kActive; i++) c.Put(Key(i), Tsid(i));
  uint64_t next = 1'000'000;
  for (int round = 0; round < 200; round++) {
    for (uint64_t i = 0; i < kActive; i++) {
      st::TSID t;
      if (!c.Get(Key(i), &t))
        FAIL("round %d: active series %llu evicted", round, (unsigned long long)i);
      REQUIRE(t == Tsid(i));
    }
    for (int k = 0; k < 2000; k++, next++) c.Put(Key(next), Tsid(next));
  }
  // 400,000 keys of ~60 bytes were put: far more than fit in 4 MiB.
  REQUIRE(c.size() < 100000, "%llu entries", (unsigned long long)c.size());
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests({VME_TEST(TestPutGet), VME_TEST(TestActiveSeriesSurviveChurn)}, argc,
                             argv);
}
