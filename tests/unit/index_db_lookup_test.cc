// IndexDB exact lookups through the parts' item filters (IndexDB::GetTSIDByName and
// HasDateMetricID, VictoriaMetrics indexSearch.getTSIDByMetricName and hasDateMetricID in
// lib/storage/index_db.go): every series and (date, MetricID) pair written is found, whatever
// the parts (flushed, merged, reopened from disk, filters not built yet), deleted TSIDs are
// skipped, and names or pairs never written are not found. Lookups run concurrently with
// flushes and merges.
#include <atomic>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "storage/index_db.h"

#include "test_util.h"

namespace st = vme::storage;
using vme::Code;

namespace {

constexpr uint64_t kDate = 20000;

st::MetricName Name(uint64_t i) {
  st::MetricName mn;
  mn.metric_group = "metric_" + std::to_string(i % 10);
  mn.AddTag("pod", "pod-" + std::to_string(i));
  mn.AddTag("ns", "ns-" + std::to_string(i % 100));
  mn.SortTags();
  return mn;
}

std::string Canonical(uint64_t i) {
  std::string s;
  Name(i).Marshal(&s);
  return s;
}

st::TSID Tsid(uint64_t i) {
  st::TSID t;
  t.metric_group_id = i % 10;
  t.metric_id = 1000 + i;
  return t;
}

void AddSeries(st::IndexDB* db, uint64_t from, uint64_t to) {
  st::IndexItems items;
  for (uint64_t i = from; i < to; i++) {
    const st::MetricName mn = Name(i);
    st::AppendSeriesIndexItems(Tsid(i), mn, &items);
    st::AppendPerDayIndexItems(kDate, Tsid(i), mn, &items);
  }
  REQUIRE_OK(db->AddItems(items));
}

std::shared_ptr<st::IndexDB> MustOpen(const std::string& path) {
  auto db = st::IndexDB::Open(path);
  REQUIRE_OK(db.status());
  return *db;
}

// Series [0, n) are found with their TSIDs and per-day entries; series [n, n + 2000) are not.
void CheckLookups(const st::IndexDB& db, uint64_t n) {
  const std::unordered_set<uint64_t> none;
  for (uint64_t i = 0; i < n; i++) {
    st::TSID t;
    REQUIRE_OK(db.GetTSIDByName(Canonical(i), none, &t));
    REQUIRE(t == Tsid(i), "series %llu", static_cast<unsigned long long>(i));
    auto has = db.HasDateMetricID(kDate, 0, 0, Tsid(i).metric_id);
    REQUIRE_OK(has.status());
    REQUIRE(*has, "series %llu", static_cast<unsigned long long>(i));
  }
  for (uint64_t i = n; i < n + 2000; i++) {
    st::TSID t;
    REQUIRE_EQ(db.GetTSIDByName(Canonical(i), none, &t).code(), Code::kNotFound);
    auto has = db.HasDateMetricID(kDate, 0, 0, Tsid(i).metric_id);
    REQUIRE_OK(has.status());
    REQUIRE(!*has);
    has = db.HasDateMetricID(kDate + 1, 0, 0, Tsid(i - n).metric_id);
    REQUIRE_OK(has.status());
    REQUIRE(!*has);
  }
}

void TestLookupsAfterFlushesMergesAndReopen() {
  vme::test::TempDir dir;
  const std::string path = dir.path() + "/idb";
  {
    auto db = MustOpen(path);
    for (uint64_t k = 0; k < 8; k++) {
      AddSeries(db.get(), k * 1500, (k + 1) * 1500);
      REQUIRE_OK(db->table().Flush());
    }
    REQUIRE_EQ(db->table().Stats().parts, uint64_t{8});
    CheckLookups(*db, 8 * 1500);
    bool merged = false;
    REQUIRE_OK(db->table().MergeOnce(true, &merged));
    REQUIRE(merged);
    CheckLookups(*db, 8 * 1500);
    REQUIRE_OK(db->table().Close());
  }
  {
    // Parts from disk: their filters are built on the first lookup.
    auto db = MustOpen(path);
    for (const auto& p : db->table().Parts()) REQUIRE(p->item_filter() == nullptr);
    CheckLookups(*db, 8 * 1500);
    for (const auto& p : db->table().Parts()) REQUIRE(p->item_filter() != nullptr);
    AddSeries(db.get(), 8 * 1500, 9 * 1500);
    REQUIRE_OK(db->table().Flush());
    REQUIRE_OK(db->table().MergeAll());
    CheckLookups(*db, 9 * 1500);
    REQUIRE_OK(db->table().Close());
  }
  {
    // Parts from disk merged before any lookup built their filters.
    auto db = MustOpen(path);
    AddSeries(db.get(), 9 * 1500, 10 * 1500);
    REQUIRE_OK(db->table().Flush());
    REQUIRE_OK(db->table().MergeAll());
    CheckLookups(*db, 10 * 1500);
    REQUIRE_OK(db->table().Close());
  }
}

void TestDeletedTSIDsSkipped() {
  vme::test::TempDir dir;
  auto db = MustOpen(dir.path() + "/idb");
  AddSeries(db.get(), 0, 100);
  REQUIRE_OK(db->table().Flush());
  // Series 5 re-created with another TSID in a later part; the first one is deleted.
  st::IndexItems items;
  st::TSID again = Tsid(5);
  again.metric_id = 999999;
  st::AppendSeriesIndexItems(again, Name(5), &items);
  REQUIRE_OK(db->AddItems(items));
  REQUIRE_OK(db->table().Flush());
  st::TSID t;
  REQUIRE_OK(db->GetTSIDByName(Canonical(5), {Tsid(5).metric_id}, &t));
  REQUIRE_EQ(t.metric_id, uint64_t{999999});
  REQUIRE_EQ(db->GetTSIDByName(Canonical(6), {Tsid(6).metric_id}, &t).code(), Code::kNotFound);
}

void TestLookupsDuringFlushesAndMerges() {
  vme::test::TempDir dir;
  auto db = MustOpen(dir.path() + "/idb");
  constexpr uint64_t kBatch = 500, kBatches = 40;
  std::atomic<uint64_t> flushed{0};
  std::atomic<bool> done{false};
  std::string writer_error;
  std::thread writer([&] {
    writer_error = vme::test::Collect([&]() -> std::string {
      for (uint64_t k = 0; k < kBatches; k++) {
        AddSeries(db.get(), k * kBatch, (k + 1) * kBatch);
        REQUIRE_OK(db->table().Flush());
        flushed.store((k + 1) * kBatch);
        bool merged = false;
        if (k % 3 == 2) REQUIRE_OK(db->table().MergeOnce(false, &merged));
        if (k % 10 == 9) REQUIRE_OK(db->table().MergeAll());
      }
      return "";
    });
    done.store(true);
  });
  std::vector<std::string> reader_errors(2);
  std::vector<std::thread> readers;
  for (size_t r = 0; r < reader_errors.size(); r++) {
    readers.emplace_back([&, r] {
      reader_errors[r] = vme::test::Collect([&]() -> std::string {
        const std::unordered_set<uint64_t> none;
        uint64_t i = r;
        while (!done.load()) {
          const uint64_t n = flushed.load();
          if (n == 0) {
            std::this_thread::yield();
            continue;
          }
          i = (i * 7919 + 1) % n;
          st::TSID t;
          REQUIRE_OK(db->GetTSIDByName(Canonical(i), none, &t));
          REQUIRE(t == Tsid(i));
          auto has = db->HasDateMetricID(kDate, 0, 0, Tsid(i).metric_id);
          REQUIRE_OK(has.status());
          REQUIRE(*has);
        }
        return "";
      });
    });
  }
  writer.join();
  for (auto& th : readers) th.join();
  REQUIRE_EQ(writer_error, std::string());
  for (const auto& e : reader_errors) REQUIRE_EQ(e, std::string());
  CheckLookups(*db, kBatch * kBatches);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestLookupsAfterFlushesMergesAndReopen), VME_TEST(TestDeletedTSIDsSkipped),
       VME_TEST(TestLookupsDuringFlushesAndMerges)},
      argc, argv);
}
