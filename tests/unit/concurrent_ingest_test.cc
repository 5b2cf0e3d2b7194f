// Concurrent writers: a new series gets exactly one TSID even when several threads add it at
// the same time (architecture goal 3; VictoriaMetrics 1.72 may create duplicates), and no row
// is lost or duplicated.
#include <thread>

#include "test_util.h"
#include "vmengine.h"

namespace {

std::string Label(std::string_view k, std::string_view v) {
  std::string out;
  out.push_back(static_cast<char>(k.size() >> 8));
  out.push_back(static_cast<char>(k.size()));
  out.append(k);
  out.push_back(static_cast<char>(v.size() >> 8));
  out.push_back(static_cast<char>(v.size()));
  out.append(v);
  return out;
}

constexpr int kSeries = 2000;
constexpr int kThreads = 4;
constexpr int64_t kT0 = 1767225600000;

void Writer(vme_db* db, int thread) {
  std::string keys;
  std::vector<uint32_t> offsets;
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (int s = 0; s < kSeries; s++) {
    offsets.push_back(static_cast<uint32_t>(keys.size()));
    keys += Label("__name__", "m" + std::to_string(s % 7));
    keys += Label("series", std::to_string(s));
    ts.push_back(kT0 + thread * 1000);
    values.push_back(thread);
  }
  offsets.push_back(static_cast<uint32_t>(keys.size()));
  vme_error* err = nullptr;
  vme_add_result r;
  const vme_status st = vme_add_rows(db, reinterpret_cast<const uint8_t*>(keys.data()), keys.size(),
                                     offsets.data(), ts.data(), values.data(), ts.size(), &r, &err);
  if (st != VME_OK) fail_msg("vme_add_rows: %s", vme_error_message(err));
  assert_int_equal(r.rows_added, kSeries);
}

void TestExactlyOneTSIDPerSeries(void**) {
  vme::test::TempDir dir;
  vme_db* db = nullptr;
  vme_error* err = nullptr;
  assert_int_equal(vme_open(dir.path().c_str(), nullptr, &db, &err), VME_OK);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) threads.emplace_back(Writer, db, t);
  for (auto& t : threads) t.join();
  assert_int_equal(vme_flush(db, &err), VME_OK);
  uint64_t count = 0;
  assert_int_equal(vme_series_count(db, nullptr, &count, &err), VME_OK);
  assert_int_equal(count, kSeries);
  vme_stats* stats = nullptr;
  assert_int_equal(vme_stats_get(db, &stats, &err), VME_OK);
  for (size_t i = 0; i < vme_stats_count(stats); i++) {
    if (std::string(vme_stats_name(stats, i)) == "new_series_created") {
      assert_int_equal(static_cast<uint64_t>(vme_stats_value(stats, i)), kSeries);
    }
  }
  vme_stats_free(stats);
  // Every series has exactly one sample per writer, all under one TSID.
  vme_query* q = vme_query_create(0, INT64_MAX);
  assert_int_equal(vme_query_add_selector(q, "{__name__=~\"m.*\"}", &err), VME_OK);
  vme_series_iter* it = nullptr;
  assert_int_equal(vme_search(db, q, &it, &err), VME_OK);
  int series = 0;
  while (vme_series_iter_next(it, &err) == VME_OK) {
    const int64_t* t;
    const double* v;
    assert_int_equal(vme_series_iter_samples(it, &t, &v), kThreads);
    for (int i = 0; i < kThreads; i++) {
      assert_int_equal(t[i], kT0 + i * 1000);
      assert_true(v[i] == i);
    }
    series++;
  }
  assert_int_equal(series, kSeries);
  vme_series_iter_close(it);
  vme_query_destroy(q);
  assert_int_equal(vme_close(db, &err), VME_OK);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {cmocka_unit_test(TestExactlyOneTSIDPerSeries)};
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
