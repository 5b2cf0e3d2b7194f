// The read path's caches (storage/search_caches.h) never answer with stale data: a query
// answered from the TagFiltersCache and the IndexBlockCache sees series created after it,
// stops seeing deleted series, and reads merged parts correctly; a part's decoded index
// blocks leave the cache with the part; LruCache stays within its capacity.
#include <cstring>
#include <string>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "storage/lru_cache.h"
#include "storage/search_caches.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using vme::test::Label;

constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

using Db = vme::test::ScratchDb;

void Add(vme_db* db, const std::string& key, int64_t ts, double v) {
  vme_add_result r{};
  REQUIRE_EQ(vme_add_series(db, reinterpret_cast<const uint8_t*>(key.data()), key.size(), &ts, &v,
                            1, &r, nullptr),
             VME_OK);
  REQUIRE_EQ(r.rows_added, 1u);
}

struct Series {
  std::string name;
  std::vector<int64_t> ts;
  std::vector<double> values;
};

// The result of {__name__="up"} (plus job=value when job is not null).
std::vector<Series> Query(vme_db* db, const char* job = nullptr) {
  vme::test::QueryPtr q(vme_query_create(0, INT64_MAX));
  REQUIRE_EQ(vme_query_add_matcher(q.get(), VME_MATCH_EQ, "__name__", 8, "up", 2, nullptr), VME_OK);
  if (job != nullptr) {
    REQUIRE_EQ(
        vme_query_add_matcher(q.get(), VME_MATCH_EQ, "job", 3, job, std::strlen(job), nullptr),
        VME_OK);
  }
  vme_series_iter* raw = nullptr;
  REQUIRE_EQ(vme_search(db, q.get(), &raw, nullptr), VME_OK);
  vme::test::IterPtr it(raw);
  std::vector<Series> out;
  vme_status st;
  while ((st = vme_series_iter_next(it.get(), nullptr)) == VME_OK) {
    Series s;
    s.name = vme_series_iter_name(it.get());
    const int64_t* ts;
    const double* vs;
    const size_t n = vme_series_iter_samples(it.get(), &ts, &vs);
    s.ts.assign(ts, ts + n);
    s.values.assign(vs, vs + n);
    out.push_back(std::move(s));
  }
  REQUIRE_EQ(st, VME_DONE);
  return out;
}

void TestQuerySeesSeriesCreatedAfterIt() {
  Db d;
  Add(d.db, Label("__name__", "up") + Label("job", "a"), kT0, 1);
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  REQUIRE_EQ(Query(d.db).size(), 1u);
  REQUIRE_EQ(Query(d.db).size(), 1u);  // now answered from the caches
  Add(d.db, Label("__name__", "up") + Label("job", "b"), kT0, 2);
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  const auto got = Query(d.db);
  REQUIRE_EQ(got.size(), 2u);
  REQUIRE_EQ(got[1].values.size(), 1u);
  REQUIRE_EQ(Query(d.db, "b").size(), 1u);
}

void TestQueryDoesNotSeeDeletedSeries() {
  Db d;
  Add(d.db, Label("__name__", "up") + Label("job", "a"), kT0, 1);
  Add(d.db, Label("__name__", "up") + Label("job", "b"), kT0, 2);
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  REQUIRE_EQ(Query(d.db).size(), 2u);
  REQUIRE_EQ(Query(d.db, "b").size(), 1u);
  vme::test::QueryPtr q(vme_query_create(0, INT64_MAX));
  REQUIRE_EQ(vme_query_add_matcher(q.get(), VME_MATCH_EQ, "job", 3, "b", 1, nullptr), VME_OK);
  uint64_t deleted = 0;
  REQUIRE_EQ(vme_delete_series(d.db, q.get(), &deleted, nullptr), VME_OK);
  REQUIRE_EQ(deleted, 1u);
  REQUIRE_EQ(Query(d.db).size(), 1u);
  REQUIRE_EQ(Query(d.db, "b").size(), 0u);
  // The same labels again make a new series, which the cached query must see.
  Add(d.db, Label("__name__", "up") + Label("job", "b"), kT0 + 1000, 3);
  REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  const auto got = Query(d.db, "b");
  REQUIRE_EQ(got.size(), 1u);
  REQUIRE_EQ(got[0].values.size(), 1u);
  REQUIRE_EQ(got[0].values[0], 3.0);
}

void TestQueryAfterMergeReadsTheMergedPart() {
  Db d;
  const std::string a = Label("__name__", "up") + Label("job", "a");
  // Three flushes: three parts, each with a block of series a.
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < 10; i++) Add(d.db, a, kT0 + (k * 10 + i) * 1000, k * 10 + i + 0.25);
    REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
    const auto got = Query(d.db);
    REQUIRE_EQ(got.size(), 1u);
    REQUIRE_EQ(got[0].ts.size(), static_cast<size_t>((k + 1) * 10));
  }
  REQUIRE_EQ(vme_force_merge(d.db, "", nullptr), VME_OK);
  const auto got = Query(d.db);
  REQUIRE_EQ(got.size(), 1u);
  REQUIRE_EQ(got[0].ts.size(), 30u);
  for (int i = 0; i < 30; i++) {
    REQUIRE_EQ(got[0].ts[i], kT0 + i * 1000);
    REQUIRE_EQ(got[0].values[i], i + 0.25);
  }
}

void TestPartsTakeTheirIndexBlocksAlong() {
  {
    Db d;
    Add(d.db, Label("__name__", "up") + Label("job", "a"), kT0, 1);
    REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
    REQUIRE_EQ(Query(d.db).size(), 1u);
    REQUIRE(vme::storage::IndexBlockCache().entries() > 0);
  }
  // Closed: every part is gone, and so are its cached index blocks.
  REQUIRE_EQ(vme::storage::IndexBlockCache().entries(), 0u);
}

// Several batches of series decoded in parallel, from three parts: every series once, with
// exactly its samples in time order.
void TestManySeriesAcrossParts() {
  Db d;
  constexpr int kSeries = 700;
  for (int k = 0; k < 3; k++) {
    for (int j = 0; j < kSeries; j++) {
      const std::string key = Label("__name__", "up") + Label("job", "j" + std::to_string(j));
      for (int i = 0; i < 4; i++) Add(d.db, key, kT0 + (k * 4 + i) * 1000, j + (k * 4 + i) / 4.0);
    }
    REQUIRE_EQ(vme_flush(d.db, nullptr), VME_OK);
  }
  for (int round = 0; round < 2; round++) {
    const auto got = Query(d.db);
    REQUIRE_EQ(got.size(), static_cast<size_t>(kSeries));
    std::vector<bool> seen(kSeries, false);
    for (const Series& s : got) {
      const size_t at = s.name.find("job=\"j");
      REQUIRE(at != std::string::npos);
      const int j = std::stoi(s.name.substr(at + 6));
      REQUIRE(!seen[j]);
      seen[j] = true;
      REQUIRE_EQ(s.ts.size(), 12u);
      for (int i = 0; i < 12; i++) {
        REQUIRE_EQ(s.ts[i], kT0 + i * 1000);
        REQUIRE_EQ(s.values[i], j + i / 4.0);
      }
    }
  }
}

void TestLruCacheStaysWithinCapacity() {
  using Cache = vme::storage::LruCache<std::string>;
  const uint64_t capacity = Cache::kShards * 4096;
  Cache cache(capacity);
  for (int i = 0; i < 10000; i++) {
    const std::string key = "key" + std::to_string(i);
    cache.Put(key, std::make_shared<const std::string>(100, 'x'), 100);
    REQUIRE(cache.bytes() <= capacity);
  }
  REQUIRE(cache.entries() < 10000u);
  REQUIRE(cache.Get("key9999") != nullptr);                           // the most recent survives
  REQUIRE(cache.Get("key0") == nullptr);                              // the oldest went first
  cache.Put("big", std::make_shared<const std::string>(), capacity);  // larger than a shard
  REQUIRE(cache.Get("big") == nullptr);
  cache.Clear();
  REQUIRE_EQ(cache.entries(), 0u);
  REQUIRE_EQ(cache.bytes(), 0u);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestQuerySeesSeriesCreatedAfterIt), VME_TEST(TestQueryDoesNotSeeDeletedSeries),
       VME_TEST(TestQueryAfterMergeReadsTheMergedPart),
       VME_TEST(TestPartsTakeTheirIndexBlocksAlong), VME_TEST(TestManySeriesAcrossParts),
       VME_TEST(TestLruCacheStaysWithinCapacity)},
      argc, argv);
}
