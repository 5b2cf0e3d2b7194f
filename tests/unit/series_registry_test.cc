// Series creation does its index reads and writes outside the creation lock; these tests race
// it against indexdb flushes and series deletion and check that every series still ends up
// with exactly one live TSID: no duplicate series, no samples written to a deleted TSID.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "capi_test_util.h"
#include "check.h"
#include "test_util.h"
#include "vmengine.h"

namespace {

using vme::test::Label;
using vme::test::TempDir;

constexpr int kSeries = 500;
constexpr int kWriters = 3;
constexpr int64_t kT0 = 1767225600000;  // 2026-01-01

vme_db* Open(const std::filesystem::path& dir) {
  vme_options* o = vme_options_create();
  REQUIRE(o != nullptr);
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_options_set(o, "background", "0", &err), VME_OK);
  vme_db* db = nullptr;
  const vme_status st = vme_open(dir.c_str(), o, &db, &err);
  vme_options_destroy(o);
  REQUIRE(st == VME_OK, "vme_open: %s", vme_error_message(err));
  return db;
}

// Adds one row per series at time t, in batches of 50; returns "" or an error message (this
// runs on writer threads, where a failed check would abort).
std::string AddAll(vme_db* db, int64_t t) {
  for (int first = 0; first < kSeries; first += 50) {
    std::string keys;
    std::vector<uint32_t> offsets{0};
    std::vector<int64_t> ts;
    std::vector<double> values;
    for (int s = first; s < first + 50; s++) {
      keys += Label("__name__", "race") + Label("series", std::to_string(s));
      offsets.push_back(static_cast<uint32_t>(keys.size()));
      ts.push_back(t);
      values.push_back(s);
    }
    vme_add_result r{};
    vme_error* err = nullptr;
    if (vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(), offsets.data(),
                     ts.data(), values.data(), ts.size(), &r, &err) != VME_OK) {
      std::string msg = vme_error_message(err);
      vme_error_free(err);
      return msg;
    }
    if (r.rows_added != ts.size()) return "rows_added " + std::to_string(r.rows_added);
  }
  return "";
}

// Series named race with a sample at exactly t.
int CountAt(vme_db* db, int64_t t) {
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_flush(db, &err), VME_OK);
  vme_query* q = vme_query_create(t, t);
  REQUIRE_EQ(vme_query_add_selector(q, "race", &err), VME_OK);
  vme_series_iter* it = nullptr;
  REQUIRE_EQ(vme_search(db, q, &it, &err), VME_OK);
  int n = 0;
  while (vme_series_iter_next(it, &err) == VME_OK) n++;
  vme_series_iter_close(it);
  vme_query_destroy(q);
  return n;
}

uint64_t NewSeries(vme_db* db) {
  vme_stats* stats = nullptr;
  vme_error* err = nullptr;
  REQUIRE_EQ(vme_stats_get(db, &stats, &err), VME_OK);
  uint64_t v = UINT64_MAX;
  for (size_t i = 0; i < vme_stats_count(stats); i++) {
    if (std::string(vme_stats_name(stats, i)) == "new_series_created") {
      v = static_cast<uint64_t>(vme_stats_value(stats, i));
    }
  }
  vme_stats_free(stats);
  REQUIRE(v != UINT64_MAX, "no new_series_created in the stats");
  return v;
}

// Writers create the same new series while another thread flushes the index over and over:
// each series is created once.
void TestCreationRacesFlushes() {
  TempDir dir;
  vme_db* db = Open(dir.path());
  std::atomic<int> writers_left{kWriters};
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      errors[w] = AddAll(db, kT0 + w);
      writers_left--;
    });
  }
  std::string flush_error;
  threads.emplace_back([&] {
    while (writers_left.load() > 0 && flush_error.empty()) {
      vme_error* err = nullptr;
      if (vme_flush(db, &err) != VME_OK) flush_error = vme_error_message(err);
      vme_error_free(err);
    }
  });
  for (auto& t : threads) t.join();
  for (const auto& e : errors) REQUIRE(e.empty(), "writer: %s", e.c_str());
  REQUIRE(flush_error.empty(), "flush: %s", flush_error.c_str());
  REQUIRE_EQ(NewSeries(db), static_cast<uint64_t>(kSeries));
  for (int w = 0; w < kWriters; w++) REQUIRE_EQ(CountAt(db, kT0 + w), kSeries);
  REQUIRE_EQ(vme_close(db, nullptr), VME_OK);
}

// Writers create series while another thread deletes them: afterwards one more sample per
// series lands in exactly one live series each (a TSID resolved before a deletion must not
// outlive it in the registry, and no series may get two live TSIDs).
void TestCreationRacesDeletes() {
  TempDir dir;
  vme_db* db = Open(dir.path());
  std::atomic<int> writers_left{kWriters};
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < 4 && errors[w].empty(); round++) {
        errors[w] = AddAll(db, kT0 + round * 10 + w);
      }
      writers_left--;
    });
  }
  std::string delete_error;
  threads.emplace_back([&] {
    while (writers_left.load() > 0 && delete_error.empty()) {
      vme_error* err = nullptr;
      vme_query* q = vme_query_create(0, INT64_MAX);
      uint64_t deleted = 0;
      if (vme_query_add_selector(q, "race", &err) != VME_OK || vme_flush(db, &err) != VME_OK ||
          vme_delete_series(db, q, &deleted, &err) != VME_OK) {
        delete_error = vme_error_message(err);
      }
      vme_error_free(err);
      vme_query_destroy(q);
    }
  });
  for (auto& t : threads) t.join();
  for (const auto& e : errors) REQUIRE(e.empty(), "writer: %s", e.c_str());
  REQUIRE(delete_error.empty(), "delete: %s", delete_error.c_str());
  const int64_t t_final = kT0 + 1000;
  REQUIRE(AddAll(db, t_final).empty());
  REQUIRE_EQ(CountAt(db, t_final), kSeries);
  REQUIRE_EQ(vme_close(db, nullptr), VME_OK);
}

}  // namespace

int main(int argc, char** argv) {
  return vme::test::RunTests(
      {VME_TEST(TestCreationRacesFlushes), VME_TEST(TestCreationRacesDeletes)}, argc, argv);
}
